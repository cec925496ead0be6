/**
 * Misspellings of terms (item: spelling evasion) are undone, and never in an ordinary word: the
 * whole English word list of about 275,000 words goes through the normaliser unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { englishWords, ordinaryWords } from '../../scripts/ordinary.ts';
import { defaultScorer, score } from './index.ts';
import { loadScoringData } from './load.ts';
import { normalise } from './normalise.ts';
import { misspellingsOf } from './score.ts';

const data = loadScoringData();
const index = defaultScorer().index;
const english = englishWords();
const englishSet = new Set(english);
const terms = [...misspellingsOf(data.lexicons.values(), new Set()).terms()].sort();

describe('misspelt terms', () => {
  it('the shipped list of ordinary words is up to date with the lexicons (npm run ordinary-words)', () => {
    expect(ordinaryWords(data, english)).toEqual([...(data.ordinary ?? [])]);
  });

  it('no English word is read as a misspelling or as joined words', () => {
    const misread: string[] = [];
    for (const w of english) {
      for (const t of normalise(w, index))
        if (t.evasion === 'misspelt' || t.evasion === 'joined') misread.push(`${w}→${t.norm}`);
    }
    expect(misread).toEqual([]);
  });

  it('random English words in a sentence gain no hate reason from misspelling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: english.length - 1 }), (i) => {
        const verdict = score(`I saw the ${english[i]} today`);
        expect(verdict.reasons.filter((r) => r.explanation.includes('misspelt'))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('one deleted, inserted, doubled or swapped letter in a term is undone', () => {
    const edit = fc
      .tuple(
        fc.constantFrom(...terms.filter((t) => t.length >= 5)),
        fc.constantFrom('delete', 'insert', 'double', 'swap'),
        fc.nat(),
        fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
      )
      .map(([term, kind, at, letter]) => {
        const i = at % term.length;
        let w = term;
        if (kind === 'delete') w = term.slice(0, i) + term.slice(i + 1);
        else if (kind === 'insert') w = term.slice(0, i) + letter + term.slice(i);
        else if (kind === 'double') w = term.slice(0, i) + term[i] + term.slice(i);
        else if (i + 1 < term.length) w = term.slice(0, i) + term[i + 1] + term[i] + term.slice(i + 2);
        return { term, w };
      });
    fc.assert(
      fc.property(edit, ({ term, w }) => {
        // Ordinary words, other terms and words known as written are left alone by design.
        const known = index.compute(w);
        fc.pre(w !== term && !englishSet.has(w) && (known === null || known.misspelt === true));
        const tokens = normalise(w, index);
        expect(tokens).toHaveLength(1);
        expect(tokens[0]!.evasion).toBe('misspelt');
      }),
      { numRuns: 1000 },
    );
  });

  it('splits words joined to hide a term', () => {
    expect(normalise('killallmuslims', index).map((t) => [t.norm, t.evasion])).toEqual([
      ['kill', 'joined'],
      ['all', 'joined'],
      ['muslims', 'joined'],
    ]);
    expect(score('killallmuslims').flagged).toBe(true);
    expect(normalise('transport', index).map((t) => t.norm)).toEqual(['transport']);
  });

  it('names the misspelling in the reason', () => {
    const verdict = score('Muslims shuold be deportd');
    expect(verdict.flagged).toBe(true);
    expect(verdict.reasons.some((r) => r.explanation.includes('misspelt'))).toBe(true);
  });
});

const HIDING = ['🐷', '🔪', '💩', '🤮', '❤️', '👍🏽', '★', '©'];

describe('emoji and symbols inside a word', () => {
  it('reads the word an emoji or symbol hides, and names the evasion', () => {
    for (const mark of HIDING) {
      const tokens = normalise(`mus${mark}lims`, index);
      expect(
        tokens.map((t) => [t.norm, t.evasion]),
        mark,
      ).toEqual([['muslims', 'emoji']]);
    }
    expect(score('Ref🔪ugees must die').flagged).toBe(true);
    expect(score('Ref🔪ugees must die').reasons[0]!.explanation).toContain('spelled to evade: emoji');
  });

  it('leaves an emoji between words as it stands', () => {
    expect(normalise('muslims 🐷', index).some((t) => t.evasion === 'emoji')).toBe(false);
    expect(normalise('🐷muslims', index).some((t) => t.evasion === 'emoji')).toBe(false);
  });

  it('an emoji inside an ordinary English word reveals no term and adds no hate reason', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: english.length - 1 }),
        fc.nat(),
        fc.constantFrom(...HIDING),
        (i, at, mark) => {
          const word = english[i]!;
          fc.pre(word.length >= 2 && index.compute(word) === null);
          const cut = 1 + (at % (word.length - 1));
          const hidden = `${word.slice(0, cut)}${mark}${word.slice(cut)}`;
          const tokens = normalise(hidden, index);
          expect(tokens.map((t) => t.norm)).toEqual(normalise(word, index).map((t) => t.norm));
          expect(
            score(`I saw the ${hidden} today`).reasons.filter((r) => r.explanation.includes('emoji')),
          ).toEqual([]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
