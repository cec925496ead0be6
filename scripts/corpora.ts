/**
 * The labelled corpora beside Davidson in ../shared/eval (see its README): Stormfront sentences,
 * HatemojiBuild and the ToxiGen prompts. Each row is hate or neither, with a dev/test split.
 * Fit and tune only on dev; report test.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

export const EVAL_DIR = resolve(process.env.SOLIDARITY_EVAL_DIR ?? '../shared/eval');
export const CORPORA = ['stormfront', 'hatemoji_build', 'toxigen_prompts'] as const;
export type CorpusName = (typeof CORPORA)[number];

const RowSchema = z.object({
  id: z.string(),
  text: z.string(),
  label: z.enum(['hate', 'neither']),
  split: z.enum(['dev', 'test']),
  /** HatemojiBuild: derogation, dehumanisation, threateninglanguage, animosity, support, none. */
  type: z.string().optional(),
});

export type CorpusRow = z.infer<typeof RowSchema>;

export function readCorpus(name: CorpusName, dir = EVAL_DIR): CorpusRow[] {
  return readFileSync(resolve(dir, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const parsed = RowSchema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${name}.jsonl:${i + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

/** Accuracy, hate recall and false-positive rate on neither over rows and their flags. */
export function corpusMetrics(rows: readonly CorpusRow[], flagged: (i: number) => boolean) {
  let correct = 0;
  let hate = 0;
  let caught = 0;
  let neither = 0;
  let falseAlarms = 0;
  rows.forEach((r, i) => {
    const f = flagged(i);
    if (f === (r.label === 'hate')) correct++;
    if (r.label === 'hate') {
      hate++;
      if (f) caught++;
    } else {
      neither++;
      if (f) falseAlarms++;
    }
  });
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    rows: rows.length,
    accuracy: round(correct / Math.max(1, rows.length)),
    hateRecall: round(caught / Math.max(1, hate)),
    neitherFpr: round(falseAlarms / Math.max(1, neither)),
  };
}
