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
