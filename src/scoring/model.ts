/**
 * The fitted model: logistic regression over normalised words, word pairs and lexicon tags, fitted
 * on the Davidson `dev` split by `scripts/fit-scorer.ts` and shipped as `data/model-en.json`.
 * Pure: features come from tokens the normaliser produced; weights come from the data file.
 */
import { z } from 'zod';
import type { Token } from './normalise.ts';

export const ModelFileSchema = z.object({
  kind: z.literal('logistic-regression'),
  language: z.string(),
  /** How it was fitted (data, split, seed, options), for audit. */
  fitted: z.record(z.string(), z.unknown()),
  bias: z.number(),
  /**
   * Added to the logit before the sigmoid so that the tuned operating point (chosen on `dev` by
   * cross-validation) sits at probability 0.5, the default threshold.
   */
  shift: z.number(),
  weights: z.record(z.string(), z.number()),
});

export type ModelFile = z.infer<typeof ModelFileSchema>;

export interface Model {
  language: string;
  bias: number;
  shift: number;
  weights: Map<string, number>;
  /** The same weights split for fast scoring: words, word pairs (first → second → weight), tags. */
  words: Map<string, number>;
  pairs: Map<string, Map<string, number>>;
  tags: Map<string, number>;
}

export function compileModel(file: ModelFile): Model {
  const words = new Map<string, number>();
  const pairs = new Map<string, Map<string, number>>();
  const tags = new Map<string, number>();
  for (const [name, weight] of Object.entries(file.weights)) {
    if (name.startsWith('w:')) words.set(name.slice(2), weight);
    else if (name.startsWith('t:')) tags.set(name.slice(2), weight);
    else if (name.startsWith('b:')) {
      const cut = name.indexOf('_', 2);
      const first = name.slice(2, cut);
      const inner = pairs.get(first) ?? new Map<string, number>();
      inner.set(name.slice(cut + 1), weight);
      pairs.set(first, inner);
    }
  }
  return {
    language: file.language,
    bias: file.bias,
    shift: file.shift,
    weights: new Map(Object.entries(file.weights)),
    words,
    pairs,
    tags,
  };
}

/**
 * Lexicon tags the tokens carry, as model features; `null` marks a token the model must not read
 * (identity terms: naming a group is never evidence of hate by itself).
 */
export type Tags = ReadonlyArray<string | undefined | null>;

const DIGITS = /^\d+$/;

/** One model feature and the tokens it came from (for explanations). */
export interface Feature {
  name: string;
  first: number;
  last: number;
}

/** Features of a post: `w:word`, `b:word_word`, and `t:tag` for lexicon tags. Deduplicated. */
export function extractFeatures(tokens: readonly Token[], tags: Tags): Feature[] {
  const seen = new Set<string>();
  const out: Feature[] = [];
  const push = (name: string, first: number, last: number) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push({ name, first, last });
  };
  let prev: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const word = token.norm;
    if (DIGITS.test(word)) {
      prev = undefined;
      continue;
    }
    const t = tags[i];
    if (t === null) {
      prev = undefined;
      continue;
    }
    push(`w:${word}`, i, i);
    if (prev !== undefined) push(`b:${prev}_${word}`, i - 1, i);
    if (t) push(`t:${t}`, i, i);
    prev = word;
  }
  return out;
}
