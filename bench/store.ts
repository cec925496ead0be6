/**
 * npm run bench:store: the activity store against naive lowdb (db.update() per mention), on the
 * same synthetic mentions (~300 characters of text each), in one run. Prints one JSON line per
 * measurement; the last line is the summary object.
 *
 *   naive_per_s        naive lowdb, one db.update() per mention, 5,000 mentions
 *   ingest_per_s_10k   this store, 10,000 mentions (1% flagged into the review queue), best of 3
 *   ingest_per_s_100k  this store, 100,000 mentions, best of 2
 *   ratio              ingest_per_s_100k / naive_per_s           (bar: >= 100)
 *   growth             time for 100k / time for 10k               (bar: <= 12, i.e. linear)
 *   rss_mb_1m          peak RSS of a fresh process ingesting 1,000,000 mentions (bar: <= 256),
 *                      run with --max-semi-space-size=16 (see V8_FLAGS); rss_mb_1m_v8_defaults
 *                      is the same run with V8's default young-generation size
 *   queue_page_ms      first page of 50 open review items with 10,000 open, the queue changed
 *                      just before each call (median of 20); queue_page_ms_cached: unchanged
 *
 * --backend postgres measures the PostgreSQL store instead (bench/store-postgres.ts).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/index.ts';
import { tempDataDir } from '../tests/store-fixtures.ts';
import { bestIngestTimes, ingestMentions, naive, print, queuePageTimes } from './store-load.ts';

/** Ingests `count` mentions into a fresh file store in `dir`; returns seconds. */
async function ingest(dir: string, count: number, onProgress?: () => void): Promise<number> {
  const store = await openStore({ backend: 'file', dir }, { use: 'bot' });
  const seconds = await ingestMentions(store, count, onProgress);
  await store.close();
  return seconds;
}

async function queuePage(): Promise<{ ms: number; againMs: number; total: number }> {
  const { dir, cleanup } = tempDataDir('solidarity-bench-queue-');
  try {
    const store = await openStore({ backend: 'file', dir }, { use: 'bot' });
    try {
      return await queuePageTimes(store);
    } finally {
      await store.close();
    }
  } finally {
    cleanup();
  }
}

/**
 * Node 24 grows the young generation to 2 x 64 MiB under sustained allocation, whatever the
 * program keeps alive; 16 MiB semispaces (the Node 20 default) bound it. Both are measured:
 * with the flag `npm start` uses, and with V8's defaults.
 */
const V8_FLAGS = ['--max-semi-space-size=16'];

/** Runs the 1M ingest in a fresh process so its peak RSS is the store's, not this process's. */
function rssChild(count: number, v8Flags: string[]): Promise<{ rssMb: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...v8Flags, ...process.execArgv, fileURLToPath(import.meta.url), 'child', String(count)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`1M ingest child exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

async function child(count: number): Promise<void> {
  const { dir, cleanup } = tempDataDir('solidarity-bench-1m-');
  try {
    const seconds = await ingest(dir, count);
    const rssMb = process.resourceUsage().maxRSS / 1024;
    print({ rssMb: Math.round(rssMb * 10) / 10, seconds });
  } finally {
    cleanup();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'child') return child(Number(process.argv[3]));
  const backend = process.argv.includes('--backend')
    ? process.argv[process.argv.indexOf('--backend') + 1]
    : 'file';
  if (backend === 'postgres') return (await import('./store-postgres.ts')).benchPostgres();
  if (backend !== 'file') throw new Error(`--backend ${backend}: use file (the default) or postgres`);
  const naivePerS = await naive(5_000);
  print({ measure: 'naive lowdb, db.update() per mention', mentions: 5_000, per_s: Math.round(naivePerS) });

  // Warm the JIT first, so the 10k run is not slowed by compilation (which would flatter growth).
  const warm = tempDataDir('solidarity-bench-warm-');
  await ingest(warm.dir, 5_000);
  warm.cleanup();
  const runs = await bestIngestTimes('store ingest', async (count) => {
    const { dir, cleanup } = tempDataDir('solidarity-bench-ingest-');
    try {
      return await ingest(dir, count);
    } finally {
      cleanup();
    }
  });
  const queue = await queuePage();
  print({ measure: 'queue first page of 50', open: queue.total, ms: queue.ms, cached_ms: queue.againMs });
  const big = await rssChild(1_000_000, V8_FLAGS);
  print({
    measure: 'store ingest, fresh process',
    node_flags: V8_FLAGS.join(' '),
    mentions: 1_000_000,
    seconds: big.seconds,
    peak_rss_mb: big.rssMb,
  });
  const bigDefaults = await rssChild(1_000_000, []);
  print({
    measure: 'store ingest, fresh process, V8 defaults',
    mentions: 1_000_000,
    seconds: bigDefaults.seconds,
    peak_rss_mb: bigDefaults.rssMb,
  });

  const ingest10k = 10_000 / runs[10_000]!;
  const ingest100k = 100_000 / runs[100_000]!;
  print({
    naive_per_s: Math.round(naivePerS),
    ingest_per_s_10k: Math.round(ingest10k),
    ingest_per_s_100k: Math.round(ingest100k),
    ratio: Math.round((ingest100k / naivePerS) * 10) / 10,
    growth: Math.round((runs[100_000]! / runs[10_000]!) * 100) / 100,
    rss_mb_1m: big.rssMb,
    rss_mb_1m_v8_defaults: bigDefaults.rssMb,
    ingest_per_s_1m: Math.round(1_000_000 / big.seconds),
    queue_page_ms: Math.round(queue.ms * 1000) / 1000,
    queue_page_ms_cached: Math.round(queue.againMs * 1000) / 1000,
  });
}

await main();
