/**
 * npm run bench:cli: how long a person waits for the CLI, against a bare `node -e 0` measured in
 * the same run. One JSON line per command, the summary object last.
 *
 *   help_ms       median wall time of `solidarity --help`
 *   validate_ms   `solidarity validate campaigns/*.yaml`
 *   status_ms     `solidarity status` on a data folder filled by a short local-mode bot run
 *   node_ms       `node -e 0` (the floor: starting Node itself)
 *   *_ratio       each against node_ms; bars: help_ratio <= 4, status_ratio <= 8
 *
 * Five runs each, interleaved, after one warm-up run of each (the first run after an install fills
 * Node's compile cache; first_* report those warm-up runs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'solidarity.mjs');
const RUNS = 5;

const data = mkdtempSync(join(tmpdir(), 'solidarity-bench-cli-'));
const env = {
  ...process.env,
  SOLIDARITY_DATA_DIR: data,
  SOLIDARITY_MODE: 'local',
  SOLIDARITY_SAMPLE_INTERVAL_MS: '0',
  NODE_COMPILE_CACHE: join(data, '.compile-cache'),
};

/** Fills the data folder the way a newcomer's first `npm start` does: posts nothing yet, scores the sample stream. */
async function fill(): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((done, fail) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if ((out.match(/flagged for review/g) ?? []).length >= 6) done();
    });
    child.on('close', () => fail(new Error(`the bot ended before the sample was scored:\n${out}`)));
  });
  child.kill('SIGINT');
  await new Promise((done) => child.on('close', done));
}

function time(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - started;
  if (run.status !== 0 && !(args.includes('status') && run.status === 1)) {
    throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  }
  return ms;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  await fill();
  const campaigns = readdirSync(join(ROOT, 'campaigns'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join('campaigns', f));
  const commands: Record<string, string[]> = {
    node: ['-e', '0'],
    help: [CLI, '--help'],
    validate: [CLI, 'validate', ...campaigns],
    status: [CLI, 'status'],
  };
  const first: Record<string, number> = {};
  for (const [name, args] of Object.entries(commands)) first[name] = time(args);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(commands)) samples[name]!.push(time(args));
  }
  const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Math.round(median(v))]));
  for (const [name, values] of Object.entries(samples)) {
    process.stdout.write(
      `${JSON.stringify({ command: name, runs_ms: values.map(Math.round), first_ms: Math.round(first[name]!) })}\n`,
    );
  }
  const ratio = (k: string) => Number((ms[k]! / ms.node!).toFixed(2));
  process.stdout.write(
    `${JSON.stringify({
      node_ms: ms.node,
      help_ms: ms.help,
      validate_ms: ms.validate,
      status_ms: ms.status,
      help_ratio: ratio('help'),
      validate_ratio: ratio('validate'),
      status_ratio: ratio('status'),
      bars: { help_ratio: 4, status_ratio: 8 },
    })}\n`,
  );
} finally {
  rmSync(data, { recursive: true, force: true });
}
