/**
 * Fits the English model (logistic regression over normalised words, word pairs and lexicon tags)
 * on the Davidson `dev` split only (with --with-corpora also on the other corpora's dev splits), picks the operating point (best F1) by 5-fold cross-validation on `dev`,
 * and writes src/scoring/data/model-en.json. Reproducible: fixed seed, fixed order.
 *
 *   npm run fit:scorer   (npx tsx scripts/fit-scorer.ts [--out FILE] [--seed N] [--epochs N] ...)
 *
 * The last line printed is JSON: the operating point chosen and, as `outOfFoldPrecisionAtRecall065`,
 * the best out-of-fold precision on dev at recall >= 0.65 (rules and model together).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../src/random.ts';
import { DATA_DIR, loadScoringData } from '../src/scoring/load.ts';
import { compileModel, type ModelFile } from '../src/scoring/model.ts';
import { Scorer } from '../src/scoring/score.ts';
import { CORPORA, readCorpus } from './corpora.ts';
import { hateMetrics, readDavidson } from './davidson.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(DATA_DIR, 'model-en.json') },
    seed: { type: 'string', default: '20170301' },
    epochs: { type: 'string', default: '3' },
    l2: { type: 'string', default: '1e-3' },
    'min-count': { type: 'string', default: '5' },
    'pos-weight': { type: 'string', default: '2' },
    'with-corpora': { type: 'boolean', default: false },
    'corpora-weight': { type: 'string', default: '0.5' },
  },
});
const SEED = Number(values.seed);
const EPOCHS = Number(values.epochs);
const L2 = Number(values.l2);
const MIN_COUNT = Number(values['min-count']);
const POS_WEIGHT = Number(values['pos-weight']);
const FOLDS = 5;
/** How much a row of the other corpora counts against a Davidson row. */
const CORPORA_WEIGHT = Number(values['corpora-weight']);
/** The recall the evaluation bar asks for; the script reports the best out-of-fold precision there. */
const TARGET_RECALL = 0.65;

// Rules alone (no model): the base the model adds to.
const data = loadScoringData();
const base = new Scorer({ ...data, models: new Map() });

const dev = readDavidson().filter((r) => r.split === 'dev');
// With --with-corpora, the other corpora's dev splits (Stormfront, HatemojiBuild, ToxiGen prompts)
// are fitted on too, after the Davidson rows; the operating point is still chosen on Davidson. Not
// the default: measured in docs/scoring-evaluation.md, it learns "hate" + anything as hate.
const extra = !values['with-corpora']
  ? []
  : CORPORA.flatMap((name) => readCorpus(name).filter((r) => r.split === 'dev'));
const texts = [...dev.map((r) => r.text), ...extra.map((r) => r.text)];
const docs = texts.map((text) => base.modelFeatures(text, { lang: 'en' }));
// Soft targets for Davidson: the share of coders who chose "hate" (most hate labels are 2 of 3
// votes); the other corpora give one label.
const labels = [...dev.map((r) => r.votes.hate / r.count), ...extra.map((r) => (r.label === 'hate' ? 1 : 0))];

interface Fitted {
  bias: number;
  weights: Map<string, number>;
}

function fitLogistic(indices: number[], rand: () => number): Fitted {
  const df = new Map<string, number>();
  for (const i of indices) for (const f of docs[i]!) df.set(f, (df.get(f) ?? 0) + 1);
  const vocab = new Map<string, number>();
  for (const [f, n] of [...df.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (n >= MIN_COUNT) vocab.set(f, vocab.size);
  }
  const w = new Float64Array(vocab.size);
  const g2 = new Float64Array(vocab.size).fill(1e-8);
  let bias = 0;
  let bg2 = 1e-8;
  const lr = 0.05;
  const order = [...indices];
  const encoded = new Map<number, number[]>();
  for (const i of indices)
    encoded.set(
      i,
      docs[i]!.map((f) => vocab.get(f)).filter((x): x is number => x !== undefined),
    );
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(rand() * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    for (const i of order) {
      const x = encoded.get(i)!;
      let z = bias;
      for (const f of x) z += w[f]!;
      const p = 1 / (1 + Math.exp(-z));
      const y = labels[i]!;
      const sw = (1 + (POS_WEIGHT - 1) * y) * (i < dev.length ? 1 : CORPORA_WEIGHT);
      const g = (p - y) * sw;
      bg2 += g * g;
      bias -= (lr * g) / Math.sqrt(bg2);
      for (const f of x) {
        const gf = g + L2 * w[f]!;
        g2[f]! += gf * gf;
        w[f]! -= (lr * gf) / Math.sqrt(g2[f]!);
      }
    }
  }
  const weights = new Map<string, number>();
  for (const [f, idx] of vocab)
    if (Math.abs(w[idx]!) >= 0.01) weights.set(f, Math.round(w[idx]! * 10000) / 10000);
  return { bias, weights };
}

// The rules' part of each verdict, with a model present that adds nothing (slurs then count only
// through the model, as they do at scoring time) and whether a counter-speech context applied.
const silent = compileModel({
  kind: 'logistic-regression',
  language: 'en',
  fitted: {},
  bias: -50,
  shift: 0,
  weights: {},
});
const rulesOnly = new Scorer({ ...data, models: new Map([['en', silent]]) });
const ruleParts = texts.map((text) => {
  const v = rulesOnly.score(text, { lang: 'en' });
  const factor = v.reasons.some((r) => r.rule === 'context.counter_speech') ? 0.3 : 1;
  return { rules: Math.min(1, v.score / factor), factor };
});
function combined(i: number, logit: number): number {
  const p = 1 / (1 + Math.exp(-logit));
  const { rules, factor } = ruleParts[i]!;
  return Math.round((1 - (1 - rules) * (1 - p)) * factor * 1000) / 1000;
}

// Out-of-fold logits, to choose the operating point on dev without scoring a post with a model
// that saw it.
const rand = mulberry32(SEED);
const foldOf = texts.map(() => Math.floor(rand() * FOLDS));
const SHIFTS: number[] = [];
for (let s = -3; s <= 3.001; s += 0.05) SHIFTS.push(Math.round(s * 100) / 100);
const logits = new Float64Array(texts.length);
for (let fold = 0; fold < FOLDS; fold++) {
  const train = texts.map((_, i) => i).filter((i) => foldOf[i] !== fold);
  const fitted = fitLogistic(train, mulberry32(SEED + fold + 1));
  texts.forEach((_, i) => {
    if (foldOf[i] !== fold) return;
    let z = fitted.bias;
    for (const f of docs[i]!) z += fitted.weights.get(f) ?? 0;
    logits[i] = z;
  });
  process.stderr.write(`fold ${fold + 1}/${FOLDS} done\n`);
}
const flaggedAt = SHIFTS.map((shift) =>
  Uint8Array.from(dev, (_, i) => (combined(i, logits[i]! + shift) >= 0.5 ? 1 : 0)),
);

let best = { shift: 0, precision: 0, recall: 0, f1: 0 };
const curve: Array<{ shift: number; precision: number; recall: number }> = [];
SHIFTS.forEach((shift, s) => {
  const flags = flaggedAt[s]!;
  const m = hateMetrics(dev, (i) => flags[i] === 1);
  curve.push({
    shift,
    precision: Math.round(m.precision * 1000) / 1000,
    recall: Math.round(m.recall * 1000) / 1000,
  });
  if (m.f1 > best.f1) best = { shift, precision: m.precision, recall: m.recall, f1: m.f1 };
});
process.stderr.write(`${JSON.stringify(curve)}\n`);
// The best precision this model family reaches at the recall the issue asks for (0.65), out of fold:
// what the operating point could at most be, whatever shift is chosen.
const atRecall = curve.filter((p) => p.recall >= TARGET_RECALL);
const precisionAtTargetRecall = atRecall.length === 0 ? 0 : Math.max(...atRecall.map((p) => p.precision));

const final = fitLogistic(
  texts.map((_, i) => i),
  mulberry32(SEED),
);
const file: ModelFile = {
  kind: 'logistic-regression',
  language: 'en',
  fitted: {
    data: !values['with-corpora']
      ? 'davidson.jsonl (Davidson et al. 2017, MIT), split "dev" only: hate vs offensive+neither'
      : 'split "dev" only of davidson.jsonl (Davidson et al. 2017, MIT; hate vs offensive+neither), ' +
        'stormfront.jsonl (de Gibert et al. 2018, CC BY-SA 3.0 ES), hatemoji_build.jsonl (Kirk et al. 2022, ' +
        'CC BY 4.0) and toxigen_prompts.jsonl (Hartvigsen et al. 2022, CDLA-Permissive-2.0)',
    licence: !values['with-corpora']
      ? 'MIT'
      : 'CC BY-SA 3.0 ES (fitted on Stormfront data; attribution in docs/scoring-evaluation.md)',
    script: 'scripts/fit-scorer.ts',
    seed: SEED,
    epochs: EPOCHS,
    l2: L2,
    minCount: MIN_COUNT,
    positiveWeight: POS_WEIGHT,
    ...(!values['with-corpora'] ? {} : { corporaWeight: CORPORA_WEIGHT }),
    operatingPoint: 'best F1 of hate vs rest, out-of-fold on dev',
    crossValidation: {
      folds: FOLDS,
      shift: best.shift,
      precision: Math.round(best.precision * 1000) / 1000,
      recall: Math.round(best.recall * 1000) / 1000,
    },
    features: final.weights.size,
  },
  bias: Math.round(final.bias * 10000) / 10000,
  shift: best.shift,
  weights: Object.fromEntries([...final.weights.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
};
writeFileSync(values.out!, `${JSON.stringify(file, null, 2)}\n`);
console.log(
  JSON.stringify({
    out: values.out,
    features: final.weights.size,
    ...(file.fitted.crossValidation as object),
    outOfFoldPrecisionAtRecall065: precisionAtTargetRecall,
  }),
);
