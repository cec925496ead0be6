import { describe, expect, it } from 'vitest';
import { defaultScorer } from './index.ts';
import { type KnownTerms, normalise } from './normalise.ts';

const known: KnownTerms = defaultScorer().index;
const words = (text: string) => normalise(text, known).map((t) => t.norm);
const only = (text: string) => {
  const tokens = normalise(text, known);
  expect(tokens, text).toHaveLength(1);
  return tokens[0]!;
};

describe('normalisation against evasion', () => {
  it('folds case and compatibility forms (NFKC: full-width, ligatures, maths letters)', () => {
    expect(words('MUSLIMS')).toEqual(['muslims']);
    expect(words('Ｍｕｓｌｉｍｓ')).toEqual(['muslims']);
    expect(words('𝐦𝐮𝐬𝐥𝐢𝐦')).toEqual(['muslim']);
    expect(words('ﬁne')).toEqual(['fine']);
  });

  it('drops zero-width characters and combining marks', () => {
    const token = only('mus\u200blim\u200ds');
    expect(token.norm).toBe('muslims');
    expect(token.evasion).toBe('invisible');
    expect(words('m\u0301u\u0308slim')).toEqual(['muslim']);
    expect(words('réfugiés')).toEqual(['refugies']);
  });

  it('maps look-alike letters from other scripts', () => {
    const token = only('Іmmіgrаnts'); // Cyrillic І, і, а
    expect(token.norm).toBe('immigrants');
    expect(token.evasion).toBe('lookalike');
    expect(words('ρеоρlе')).toEqual(['people']); // Greek ρ, Cyrillic е/о
  });

  it('reads leetspeak only when it reveals a known term', () => {
    expect(only('mu$lim$').norm).toBe('muslims');
    expect(only('mu$lim$').evasion).toBe('leet');
    expect(only('1mm1gr4nts').norm).toBe('immigrants');
    expect(only('sh!t').norm).toBe('shit');
    // Numbers and unknown words stay as written.
    expect(words('call 101 or 999, hotline 0800 789 321')).toEqual([
      'call',
      '101',
      'or',
      '999',
      'hotline',
      '0800',
      '789',
      '321',
    ]);
    expect(words('h3llo')).toEqual(['h3llo']);
  });

  it('undoes repeated letters', () => {
    const token = only('muuuuuslims');
    expect(token.norm).toBe('muslims');
    expect(token.evasion).toBe('repeated');
    expect(only('terroristsss').norm).toBe('terrorists');
    // Ordinary doubled letters are not collapsed into other words ("aan" is Dutch, not "an").
    expect(words('aan')).toEqual(['aan']);
    expect(words('sooooo')).toEqual(['soo']);
  });

  it('joins spaced-out and dotted letters that spell a term', () => {
    const spaced = normalise('m u s l i m s are here', known);
    expect(spaced[0]!.norm).toBe('muslims');
    expect(spaced[0]!.evasion).toBe('spaced');
    expect(words('m.u.s.l.i.m.s')).toEqual(['muslims']);
    // Single letters that spell nothing stay apart.
    expect(words('a b c')).toEqual(['a', 'b', 'c']);
  });

  it('removes symbols inside words and reads masked letters', () => {
    expect(only('mus-lims').norm).toBe('muslims');
    expect(only('mus_lims').evasion).toBe('symbols');
    const masked = only('f*ck');
    expect(masked.norm).toBe('fuck');
    expect(masked.evasion).toBe('masked');
  });

  it('decodes HTML entities and keeps spans on the original text', () => {
    const text = 'Muslims &amp; refugees &#8220;welcome&#8221;';
    const tokens = normalise(text, known);
    expect(tokens.map((t) => t.norm)).toEqual(['muslims', 'refugees', 'welcome']);
    const welcome = tokens[2]!;
    expect(text.slice(welcome.start, welcome.end)).toBe('welcome');
    expect(words('&#x41;rabs &lt;3')).toEqual(['arabs', '3']);
  });

  it('does not read @handles or links as words', () => {
    expect(words('@kill_all_muslims_bot hello')).toEqual(['hello']);
    expect(words('RT @someone: see https://example.org/deport-them and www.example.com/x')).toEqual([
      'rt',
      'see',
      'and',
    ]);
    // "@" inside a word is not a handle: it is read as a letter when that reveals a term.
    expect(words('b@stard')).toEqual(['bastard']);
  });

  it('splits camel-case hashtags and drops the campaign’s own', () => {
    const tokens = normalise('#DeportAllMuslims #WeStandTogether', known, {
      ignoreHashtags: new Set(['westandtogether']),
    });
    expect(tokens.map((t) => t.norm)).toEqual(['deport', 'all', 'muslims']);
    expect(tokens.every((t) => t.hashtag)).toBe(true);
  });

  it('splits contractions that carry a verb', () => {
    expect(words("they're all here")).toEqual(['they', 'are', 'all', 'here']);
    expect(words("don't")).toEqual(["don't"]);
  });
});
