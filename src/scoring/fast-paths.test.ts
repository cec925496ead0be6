/**
 * The scorer's fast paths give the same answers as the plain algorithms they stand in for: the
 * table of seen words, the phrase index, the word-pair table and the in-place reason sort.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultScorer } from './index.ts';
import type { WordClass } from './lexicon.ts';
import { type KnownTerms, normalise, type Token } from './normalise.ts';
import { PairTable, phraseAt, sortByWeight } from './score.ts';
import type { Reason } from './types.ts';

const index = defaultScorer().index;

// Words the lexicons and the model know, spelled plainly and obfuscated, mixed with random ones.
const word = fc.oneof(
  fc.constantFrom('muslims', 'muslim', 'jews', 'the', 'all', 'kill', 'vermin', 'love', 'hate', 'not', 'they'),
  fc.constantFrom('muuuslims', 'mu$lim$', 'f*ck', 'shiiit', 'immigrantsss', "they're", 'b1tch', '101'),
  fc.stringMatching(/^[a-z0-9'*$@!]{1,12}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
);

/** The same look-ups as `index`, always worked out afresh and cut out of the text as strings. */
const plain: KnownTerms = {
  lookup: (w) => index.compute(w)?.term,
  resolve: (w) => index.compute(w) ?? undefined,
  resolveRange: (text, start, end) => {
    const w = text.slice(start, end);
    const r = index.compute(w);
    return { word: w, term: r?.term, data: r?.data, misspelt: r?.misspelt ?? false };
  },
};

describe('the table of seen words', () => {
  it('resolves a word inside any text as working it out afresh does', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 5 }), word, fc.string({ maxLength: 5 }), (before, w, after) => {
        const text = before + w + after;
        const seen = index.resolveRange(text, before.length, before.length + w.length);
        const fresh = index.compute(w);
        expect(seen.word).toBe(w);
        const fields = (r: { term: unknown; data: unknown; misspelt?: boolean } | null | undefined) =>
          r && { term: r.term, data: r.data, misspelt: r.misspelt ?? false };
        expect(fields(seen)).toEqual(fields(fresh) ?? { term: undefined, data: undefined, misspelt: false });
        expect(fields(index.resolve(w))).toEqual(fields(fresh) ?? undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it('normalises posts exactly as look-ups worked out afresh do', () => {
    const strip = (tokens: Token[]) => tokens.map((t) => ({ ...t }));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(word, fc.constantFrom(' ', ', ', '#', '@x ', 'http://t.co/a ', '&amp;', '\u200b')),
          { maxLength: 30 },
        ),
        (parts) => {
          const text = parts.join(' ');
          expect(strip(normalise(text, index))).toEqual(strip(normalise(text, plain)));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('the phrase index', () => {
  /** The longest phrase of `cls` at token i, by comparing each phrase that starts with the word. */
  function scanned(cls: WordClass, tokens: readonly Token[], i: number): number {
    let best = 0;
    for (const words of cls.phrases.get(tokens[i]!.norm) ?? []) {
      if (words.length <= best || i + words.length > tokens.length) continue;
      let ok = true;
      for (let k = 1; k < words.length && ok; k++) if (tokens[i + k]!.norm !== words[k]) ok = false;
      if (ok) best = words.length;
    }
    return best;
  }

  const vocabulary = fc.constantFrom('the', 'a', 'gunman', 'man', 'who', 'did', 'this', 'of');
  const toToken = (norm: string): Token => ({
    norm,
    start: 0,
    end: 0,
    evasion: undefined,
    hashtag: false,
    data: undefined,
  });

  it('finds the same longest phrase as comparing every phrase', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(vocabulary, { minLength: 1, maxLength: 4 }), { maxLength: 25 }),
        fc.array(vocabulary, { minLength: 1, maxLength: 12 }),
        (phrases, post) => {
          const cls: WordClass = { words: new Set(), phrases: new Map() };
          for (const p of phrases) cls.phrases.set(p[0]!, [...(cls.phrases.get(p[0]!) ?? []), p]);
          const tokens = post.map(toToken);
          for (let i = 0; i < tokens.length; i++)
            expect(phraseAt(cls, tokens, i)).toBe(scanned(cls, tokens, i));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('the word-pair table', () => {
  it('finds every key it holds, with its weight, and no other key', () => {
    const key = fc.integer({ min: 1, max: 2 ** 30 - 1 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, fc.double({ noNaN: true })), { maxLength: 300 }),
        fc.array(key, { maxLength: 50 }),
        (pairs, others) => {
          const map = new Map(pairs);
          const table = new PairTable(map);
          for (const [k, w] of map) {
            const slot = table.find(k);
            expect(slot).toBeGreaterThanOrEqual(0);
            expect(table.weights[slot]).toBe(w);
          }
          for (const k of others) if (!map.has(k)) expect(table.find(k)).toBe(-1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the reason sort', () => {
  it('orders reasons as the stable Array.prototype.sort does', () => {
    const reason = fc.record({
      rule: fc.string(),
      weight: fc.option(fc.constantFrom(-0.7, 0, 0.1, 0.25, 0.5, 0.9), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(reason, { maxLength: 12 }), (list) => {
        const reasons = list.map((r, i) => ({ ...r, explanation: String(i) }) as Reason);
        const expected = [...reasons].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0));
        sortByWeight(reasons);
        expect(reasons).toEqual(expected);
      }),
    );
  });
});
