/**
 * The ordinary English words one edit away from a term the scorer looks for when misspelt, or that
 * split into known words one of which is such a term (see `evasion.ts`). Computed from a word list by `scripts/ordinary-words.ts`; the word list is a
 * development dependency, read only when the file is regenerated or tested.
 */
import { createRequire } from 'node:module';
import { misspellingsOf, Scorer, type ScoringData } from '../src/scoring/score.ts';

/** Every word of the English word list (lower case). */
export function englishWords(): string[] {
  const require = createRequire(import.meta.url);
  return require('an-array-of-english-words') as string[];
}

/** The sorted English words that would otherwise be read as a misspelling of a term. */
export function ordinaryWords(data: ScoringData, words: readonly string[] = englishWords()): string[] {
  const misspellings = misspellingsOf(data.lexicons.values(), new Set());
  // A scorer that reads every misspelling and split, to find the English words it would misread.
  const index = new Scorer({ ...data, ordinary: new Set() }).index;
  const out = new Set<string>();
  for (const w of words) {
    if (misspellings.candidate(w) !== undefined || (w.length >= 7 && index.split(w) !== undefined))
      out.add(w);
  }
  return [...out].sort();
}
