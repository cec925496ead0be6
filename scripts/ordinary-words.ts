/**
 * `npm run ordinary-words`: writes src/scoring/data/ordinary-en.json, the English words one edit
 * (a letter deleted, inserted or swapped) away from a term the scorer looks for when misspelt. The
 * scorer never reads those words as misspellings, so "bomb" or "gays" stay what they are.
 * Run it after changing the lexicons; a test fails when the file is out of date.
 *
 * Word list: the `an-array-of-english-words` package (about 275,000 words, MIT).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, loadScoringData } from '../src/scoring/load.ts';
import { ordinaryWords } from './ordinary.ts';

const file = join(DATA_DIR, 'ordinary-en.json');
const words = ordinaryWords(loadScoringData());
writeFileSync(file, `${JSON.stringify({ source: 'an-array-of-english-words 2.0.0 (MIT)', words })}\n`);
console.log(JSON.stringify({ file, words: words.length }));
