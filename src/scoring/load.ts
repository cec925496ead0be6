/**
 * The loader: reads the lexicon and model data files once, validates them with zod and compiles them.
 * The only scoring module that touches files; scoring itself does no I/O.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SolidarityError } from '../errors.ts';
import { compileLexicon, type Lexicon, LexiconSchema } from './lexicon.ts';
import { compileModel, type Model, ModelFileSchema } from './model.ts';
import type { ScoringData } from './score.ts';

/** Where the shipped lexicons (`<lang>.json`) and models (`model-<lang>.json`) live. */
export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SolidarityError(
      'SCORING_DATA_INVALID',
      `${file} is not valid JSON: ${(error as Error).message}`,
      {
        hint: 'Fix the file (git diff shows what changed) or restore it with git checkout.',
      },
    );
  }
}

function invalid(file: string, issues: string[]): SolidarityError {
  return new SolidarityError('SCORING_DATA_INVALID', `${file} does not match the scoring data schema.`, {
    details: issues,
    hint: 'See README, section "Hate scoring", for the lexicon file format.',
  });
}

/** Loads every `<lang>.json` lexicon and `model-<lang>.json` model in `dir`. */
export function loadScoringData(dir: string = DATA_DIR): ScoringData {
  if (!existsSync(dir)) {
    throw new SolidarityError('SCORING_DATA_INVALID', `Scoring data folder ${dir} does not exist.`, {
      hint: 'Reinstall or restore src/scoring/data from git.',
    });
  }
  const lexicons = new Map<string, Lexicon>();
  const models = new Map<string, Model>();
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name);
    if (/^[a-z]{2}\.json$/.test(name)) {
      const parsed = LexiconSchema.safeParse(readJson(file));
      if (!parsed.success)
        throw invalid(
          file,
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        );
      try {
        lexicons.set(parsed.data.language, compileLexicon(parsed.data));
      } catch (error) {
        throw invalid(file, [(error as Error).message]);
      }
    } else if (/^model-[a-z]{2}\.json$/.test(name)) {
      const parsed = ModelFileSchema.safeParse(readJson(file));
      if (!parsed.success)
        throw invalid(
          file,
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        );
      models.set(parsed.data.language, compileModel(parsed.data));
    }
  }
  if (!lexicons.has('en')) throw invalid(join(dir, 'en.json'), ['the English lexicon is required']);
  const require = createRequire(import.meta.url);
  const labels = require('sentiment/languages/en/labels.json') as Record<string, number>;
  const negators = require('sentiment/languages/en/negators.json') as Record<string, number>;
  return {
    lexicons,
    models,
    afinn: new Map(Object.entries(labels)),
    afinnNegators: new Set(Object.keys(negators)),
  };
}
