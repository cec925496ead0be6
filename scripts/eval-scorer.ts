/**
 * `npm run eval`: the scorer on the Davidson et al. (2017) tweets (dev beside test; only dev was
 * used for fitting and tuning) and on the project's own functional suites. Prints a table, then
 * one JSON line with every figure. Never prints post text.
 *
 *   npm run eval [-- --threshold 0.5] [-- --no-model]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_THRESHOLD } from '../src/scoring/config.ts';
import { loadScoringData } from '../src/scoring/load.ts';
import { Scorer } from '../src/scoring/score.ts';
import { CORPORA, corpusMetrics, readCorpus } from './corpora.ts';
import { type DavidsonRow, hateMetrics, readDavidson } from './davidson.ts';
import { readSuites } from './suites.ts';

const { values } = parseArgs({
  options: {
    threshold: { type: 'string' },
    'no-model': { type: 'boolean', default: false },
    failures: { type: 'boolean', default: false },
  },
});
const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : Number(values.threshold);
const data = loadScoringData();
const scorer = new Scorer(values['no-model'] ? { ...data, models: new Map() } : data);

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Every row's score, computed once: `flagged` is `score >= threshold`, so one pass serves every threshold. */
function scores(rows: DavidsonRow[]): Float64Array {
  return Float64Array.from(rows, (row) => scorer.score(row.text, { threshold }).score);
}

function davidson(rows: DavidsonRow[], scored: Float64Array, at: number) {
  const m = hateMetrics(rows, (i) => scored[i]! >= at);
  return {
    rows: rows.length,
    hatePrecision: round(m.precision),
    hateRecall: round(m.recall),
    hateF1: round(m.f1),
    neitherFpr: round(m.neitherFpr),
    offensiveFlagRate: round(m.offensiveFlagRate),
  };
}

const all = readDavidson();
const devRows = all.filter((r) => r.split === 'dev');
const testRows = all.filter((r) => r.split === 'test');
const devScores = scores(devRows);
const testScores = scores(testRows);
const dev = davidson(devRows, devScores, threshold);
const test = davidson(testRows, testScores, threshold);
// Other thresholds, for organisers choosing a campaign's `scoring.threshold` (the default was
// chosen on dev; these rows only describe the trade-off).
const CURVE = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7];
const curve = CURVE.map((at) => ({
  threshold: at,
  dev: davidson(devRows, devScores, at),
  test: davidson(testRows, testScores, at),
}));
// Davidson is a guard, not the target: its hate labels are crowd votes between hate and offensive.
const bars = {
  hatePrecision: test.hatePrecision >= 0.4,
  hateRecall: test.hateRecall >= 0.5,
  neitherFpr: test.neitherFpr <= 0.05,
  offensiveFlagRate: test.offensiveFlagRate <= 0.1,
};

// The other corpora: dev beside test, and HatemojiBuild's test split by type of hate.
const corpora = Object.fromEntries(
  CORPORA.map((name) => {
    const rows = readCorpus(name);
    const flags = rows.map((r) => scorer.score(r.text, { threshold }).flagged);
    const split = (which: 'dev' | 'test') => {
      const idx = rows.flatMap((r, i) => (r.split === which ? [i] : []));
      return corpusMetrics(
        idx.map((i) => rows[i]!),
        (k) => flags[idx[k]!]!,
      );
    };
    const byType: Record<string, ReturnType<typeof corpusMetrics>> = {};
    for (const type of [...new Set(rows.map((r) => r.type).filter((t): t is string => !!t))].sort()) {
      const idx = rows.flatMap((r, i) => (r.split === 'test' && r.type === type ? [i] : []));
      byType[type] = corpusMetrics(
        idx.map((i) => rows[i]!),
        (k) => flags[idx[k]!]!,
      );
    }
    return [
      name,
      {
        dev: split('dev'),
        test: split('test'),
        ...(Object.keys(byType).length ? { testByType: byType } : {}),
      },
    ];
  }),
);

const suites = new Map<string, { cases: number; correct: number; failures: string[] }>();
for (const c of readSuites()) {
  const verdict = scorer.score(c.text, {
    threshold,
    ...(c.campaignHashtags ? { campaignHashtags: c.campaignHashtags } : {}),
  });
  const entry = suites.get(c.category) ?? { cases: 0, correct: 0, failures: [] };
  entry.cases++;
  if (verdict.flagged === c.hateful) entry.correct++;
  else entry.failures.push(`line ${c.line} (${c.hateful ? 'missed' : 'false alarm'}, ${c.rule})`);
  suites.set(c.category, entry);
}

const out = process.stdout;
out.write(
  `Davidson et al. 2017, hate vs offensive+neither, threshold ${threshold}${values['no-model'] ? ', rules only' : ''}\n\n`,
);
out.write(`| metric | dev (fitted/tuned) | test (reported) | bar on test |\n| --- | ---: | ---: | --- |\n`);
const row = (name: string, key: keyof typeof dev, bar: string) =>
  out.write(`| ${name} | ${dev[key]} | ${test[key]} | ${bar} |\n`);
row('rows', 'rows', '');
row(
  'hate precision (offensive counted false)',
  'hatePrecision',
  `>= 0.40 ${bars.hatePrecision ? 'met' : 'NOT met'}`,
);
row('hate recall', 'hateRecall', `>= 0.50 ${bars.hateRecall ? 'met' : 'NOT met'}`);
row('hate F1', 'hateF1', '');
row('false-positive rate on neither', 'neitherFpr', `<= 0.05 ${bars.neitherFpr ? 'met' : 'NOT met'}`);
row('flag rate on offensive', 'offensiveFlagRate', `<= 0.10 ${bars.offensiveFlagRate ? 'met' : 'NOT met'}`);
out.write(
  `\nOther thresholds (campaign \`scoring.threshold\`): hate precision / recall / false-positive rate on neither\n\n`,
);
out.write(`| threshold | dev | test |\n| ---: | --- | --- |\n`);
const prf = (m: typeof dev) => `${m.hatePrecision} / ${m.hateRecall} / ${m.neitherFpr}`;
for (const c of curve) out.write(`| ${c.threshold} | ${prf(c.dev)} | ${prf(c.test)} |\n`);
out.write(
  `\nOther corpora (../shared/eval; only dev was used for tuning): accuracy / hate recall / FPR on neither\n\n`,
);
out.write(`| corpus | dev | test |\n| --- | --- | --- |\n`);
const arf = (m: { accuracy: number; hateRecall: number; neitherFpr: number }) =>
  `${m.accuracy} / ${m.hateRecall} / ${m.neitherFpr}`;
for (const [name, c] of Object.entries(corpora)) {
  out.write(`| ${name} (${c.dev.rows} / ${c.test.rows}) | ${arf(c.dev)} | ${arf(c.test)} |\n`);
  for (const [type, m] of Object.entries(c.testByType ?? {}))
    out.write(`|   test, type ${type} (${m.rows}) | | ${arf(m)} |\n`);
}
out.write(`\nFunctional suites (tests/scoring-suites), accuracy, bar >= 0.9 in each\n\n`);
out.write(`| category | cases | accuracy | |\n| --- | ---: | ---: | --- |\n`);
const accuracy: Record<string, number> = {};
for (const [category, s] of suites) {
  accuracy[category] = round(s.correct / s.cases);
  out.write(
    `| ${category} | ${s.cases} | ${accuracy[category]} | ${accuracy[category]! >= 0.9 ? 'met' : 'NOT met'} |\n`,
  );
  if (values.failures) for (const f of s.failures) out.write(`|   ${f} | | | |\n`);
}
out.write(
  `${JSON.stringify({
    threshold,
    model: !values['no-model'],
    davidson: { dev, test },
    bars,
    corpora,
    curve: curve.map((c) => ({
      threshold: c.threshold,
      dev: { precision: c.dev.hatePrecision, recall: c.dev.hateRecall, neitherFpr: c.dev.neitherFpr },
      test: { precision: c.test.hatePrecision, recall: c.test.hateRecall, neitherFpr: c.test.neitherFpr },
    })),
    suites: accuracy,
    suitesMet: Object.values(accuracy).every((a) => a >= 0.9),
  })}\n`,
);
