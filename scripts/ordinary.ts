/**
 * The ordinary English words one edit away from a term the scorer looks for when misspelt (see
 * `evasion.ts`). Computed from a word list by `scripts/ordinary-words.ts`; the word list is a
 * development dependency, read only when the file is regenerated or tested.
 */
import { createRequire } from 'node:module';
import { misspellingsOf, type ScoringData } from '../src/scoring/score.ts';

/** Every word of the English word list (lower case). */
export function englishWords(): string[] {
  const require = createRequire(import.meta.url);
  return require('an-array-of-english-words') as string[];
}

/** The sorted English words that would otherwise be read as a misspelling of a term. */
export function ordinaryWords(data: ScoringData, words: readonly string[] = englishWords()): string[] {
  const misspellings = misspellingsOf(data.lexicons.values(), new Set());
  const out = new Set<string>();
  for (const w of words) if (misspellings.candidate(w) !== undefined) out.add(w);
  return [...out].sort();
}
