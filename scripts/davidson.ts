/** Reads the labelled Davidson et al. (2017) tweets from the shared evaluation folder. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

export const DAVIDSON_PATH = resolve(process.env.SOLIDARITY_EVAL_DIR ?? '../shared/eval', 'davidson.jsonl');

const RowSchema = z.object({
  id: z.string(),
  text: z.string(),
  label: z.enum(['hate', 'offensive', 'neither']),
  votes: z.object({ hate: z.number(), offensive: z.number(), neither: z.number() }),
  count: z.number(),
  split: z.enum(['dev', 'test']),
});

export type DavidsonRow = z.infer<typeof RowSchema>;

export function readDavidson(path = DAVIDSON_PATH): DavidsonRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`Cannot read ${path}. Set SOLIDARITY_EVAL_DIR to the folder holding davidson.jsonl.`);
  }
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, i) => {
      const parsed = RowSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

/** How the flagged rows compare with the labels: "hate" against "offensive" + "neither". */
export interface HateMetrics {
  /** Offensive and neither rows flagged count as false positives. */
  precision: number;
  recall: number;
  f1: number;
  /** Share of "neither" rows flagged. */
  neitherFpr: number;
  /** Share of "offensive" rows flagged. */
  offensiveFlagRate: number;
}

/** The metrics of `npm run eval` for rows flagged by `flagged(i)` (i: the row's index in `rows`). */
export function hateMetrics(rows: readonly DavidsonRow[], flagged: (i: number) => boolean): HateMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const total = { neither: 0, offensive: 0 };
  const flaggedOf = { neither: 0, offensive: 0 };
  rows.forEach((row, i) => {
    const f = flagged(i);
    if (row.label === 'hate') f ? tp++ : fn++;
    else {
      total[row.label]++;
      if (f) {
        fp++;
        flaggedOf[row.label]++;
      }
    }
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    neitherFpr: flaggedOf.neither / Math.max(1, total.neither),
    offensiveFlagRate: flaggedOf.offensive / Math.max(1, total.offensive),
  };
}
