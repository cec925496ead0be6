import { describe, expect, it } from 'vitest';
import { xMention, xQuery } from './mentions.ts';

describe('X mentions', () => {
  it('builds the recent-search query for one or more tags', () => {
    expect(xQuery(['westandtogether'])).toBe('#westandtogether -is:retweet');
    expect(xQuery(['a', 'b'])).toBe('(#a OR #b) -is:retweet');
  });

  it('keeps reply and quote context, the handle from the author expansion, and tags from entities and text', () => {
    const m = xMention(
      {
        id: '190',
        text: 'Replying, quoting #WeStandTogether #extra',
        authorId: '42',
        authorUsername: 'someone',
        createdAt: '2026-11-25T10:00:00.000Z',
        lang: 'en',
        hashtags: ['WeStandTogether'],
        replyToId: '180',
        quoteOfId: '170',
      },
      '2026-11-25T10:00:05.000Z',
    );
    expect(m).toMatchObject({
      platform: 'x',
      id: '190',
      url: 'https://x.com/someone/status/190',
      authorId: '42',
      authorHandle: 'someone',
      lang: 'en',
      replyTo: '180',
      quoteOf: '170',
      hashtags: ['westandtogether', 'extra'],
      capturedAt: '2026-11-25T10:00:05.000Z',
    });
    const anonymous = xMention(
      { id: '191', text: '#a', authorId: '43', hashtags: [] },
      '2026-11-25T10:00:05.000Z',
    );
    expect(anonymous).toMatchObject({
      authorHandle: '43',
      url: 'https://x.com/i/web/status/191',
      createdAt: '2026-11-25T10:00:05.000Z',
    });
  });
});
