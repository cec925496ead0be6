/**
 * The functional test suites: invented posts, one JSON Lines file per category in
 * `tests/scoring-suites/`, each labelled hateful or not. Used by `npm run eval` and by the tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const SUITES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'scoring-suites');

export const SuiteCaseSchema = z.object({
  text: z.string().min(1),
  /** true: a moderator should see it; false: it must not be flagged. */
  hateful: z.boolean(),
  /** The rule family expected to fire (threat, slur, exclusion, ...) or the context that must hold. */
  rule: z.string().min(1),
  lang: z.enum(['en', 'fr', 'nl']).optional(),
  /** The campaign's hashtags (lower case, no '#'), as the running bot passes them to the scorer. */
  campaignHashtags: z.array(z.string().min(1)).optional(),
});

export type SuiteCase = z.infer<typeof SuiteCaseSchema> & { category: string; line: number };

/** Every case of every suite file, in file and line order. */
export function readSuites(dir: string = SUITES_DIR): SuiteCase[] {
  const cases: SuiteCase[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.jsonl')) continue;
    const category = name.replace(/\.jsonl$/, '');
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        const parsed = SuiteCaseSchema.safeParse(JSON.parse(line));
        if (!parsed.success) throw new Error(`${name}:${i + 1}: ${parsed.error.issues[0]?.message}`);
        cases.push({ ...parsed.data, category, line: i + 1 });
      });
  }
  return cases;
}
