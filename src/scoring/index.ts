/** The hate scorer's public face: `score(text, options)` with the shipped data, loaded once. */
import { loadScoringData } from './load.ts';
import { Scorer } from './score.ts';
import type { ScoreOptions, Verdict } from './types.ts';

export { DEFAULT_THRESHOLD, type ScoringConfig, ScoringConfigSchema } from './config.ts';
export { Scorer, type ScoringData } from './score.ts';
export type { Reason, ScoreOptions, Severity, Verdict } from './types.ts';

let shared: Scorer | undefined;

/** The scorer over the shipped lexicons and model (loaded on first use). */
export function defaultScorer(): Scorer {
  shared ??= new Scorer(loadScoringData());
  return shared;
}

/** Scores one post for hate content. Never throws on any string; spans lie inside `text`. */
export function score(text: string, options: ScoreOptions = {}): Verdict {
  return defaultScorer().score(text, options);
}
