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
}

export function compileModel(file: ModelFile): Model {
  return {
    language: file.language,
    bias: file.bias,
    shift: file.shift,
    weights: new Map(Object.entries(file.weights)),
  };
}

/**
 * Lexicon tags a token carries, as model features; `null` marks a token the model must not read
 * (identity terms: naming a group is never evidence of hate by itself).
 */
export type TagFn = (token: Token) => string | undefined | null;

/** One model feature and the tokens it came from (for explanations). */
export interface Feature {
  name: string;
  first: number;
  last: number;
}

/** Features of a post: `w:word`, `b:word_word`, and `t:tag` for lexicon tags. Deduplicated. */
export function extractFeatures(tokens: readonly Token[], tag: TagFn): Feature[] {
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
    if (/^\d+$/.test(word)) {
      prev = undefined;
      continue;
    }
    const t = tag(token);
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

export interface ModelResult {
  probability: number;
  /** Features with their contribution to the logit, largest first. */
  contributions: Array<Feature & { weight: number }>;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function applyModel(model: Model, features: readonly Feature[]): ModelResult {
  let z = model.bias + model.shift;
  const contributions: ModelResult['contributions'] = [];
  for (const f of features) {
    const w = model.weights.get(f.name);
    if (w === undefined) continue;
    z += w;
    if (w > 0) contributions.push({ ...f, weight: w });
  }
  contributions.sort((a, b) => b.weight - a.weight);
  return { probability: sigmoid(z), contributions };
}
