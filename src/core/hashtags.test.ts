import { describe, expect, it } from 'vitest';
import { ownPostMatcher } from '../monitor/own-posts.ts';
import { hashtagsInText, mergeHashtags } from './hashtags.ts';

describe('hashtags', () => {
  it('reads tags the way the platforms do, lower-cased', () => {
    expect(
      hashtagsInText('Hi #WeStandTogether, #NoToHateCrime! #LoveNotHate… #123 mail@x#no ＃Bruxelles #café'),
    ).toEqual(['westandtogether', 'notohatecrime', 'lovenothate', 'bruxelles', 'café']);
    expect(hashtagsInText('#WeStandTogetherness')).toEqual(['westandtogetherness']);
  });

  it('merges platform-reported tags with tags in the text', () => {
    expect(mergeHashtags(['WeStandTogether', '#LoveNotHate'], 'text #westandtogether #Other')).toEqual([
      'westandtogether',
      'lovenothate',
      'other',
    ]);
  });
});

describe("the campaign's own posts", () => {
  const message =
    '#WeStandTogether with Belgium. Report hate crime: 101, or 999 if urgent. https://example.org/report';
  const own = ownPostMatcher([message], ['did:plc:me', '@Solidarity_Bot']);

  it('recognises the message, reposts and truncated copies of it', () => {
    expect(own.isOwnText(message)).toBe(true);
    expect(own.isOwnText(`RT @solidarity_bot: ${message}`)).toBe(true);
    expect(
      own.isOwnText(
        '#westandtogether   with belgium! report hate crime 101 or 999 if urgent https://t.co/abc',
      ),
    ).toBe(true);
    expect(
      own.isOwnText('RT @solidarity_bot: #WeStandTogether with Belgium. Report hate crime: 101, or 99…'),
    ).toBe(true);
  });

  it('does not treat added words, or a short fragment, as the campaign speaking', () => {
    expect(own.isOwnText(`${message} but not for them`)).toBe(false);
    expect(own.isOwnText('#WeStandTogether…')).toBe(false);
    expect(own.isOwnText('')).toBe(false);
  });

  it('recognises its own accounts by id or handle', () => {
    expect(own.isOwnAuthor('did:plc:me', 'whatever')).toBe(true);
    expect(own.isOwnAuthor('123', 'SOLIDARITY_BOT')).toBe(true);
    expect(own.isOwnAuthor('123', 'someone')).toBe(false);
  });
});
