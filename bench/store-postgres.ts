/**
 * npm run bench:store -- --backend postgres [--url postgres://USER@HOST/DB]: the PostgreSQL store
 * against naive lowdb (db.update() per mention), on the same synthetic mentions as the file-store
 * bench, in one run. Without --url it starts a throwaway server (tests/_postgres.ts) with
 * PostgreSQL's durable defaults (fsync, synchronous commit); with --url each measurement gets a
 * fresh database created beside the one named (the user needs CREATEDB) and dropped afterwards.
 * Prints one JSON line per measurement; the last line is the summary object.
 *
 *   naive_per_s        naive lowdb, one db.update() per mention, 5,000 mentions
 *   ingest_per_s_10k   this store, 10,000 mentions (1% flagged into the review queue), best of 3
 *   ingest_per_s_100k  this store, 100,000 mentions, best of 2
 *   ratio              ingest_per_s_100k / naive_per_s           (bar: >= 20)
 *   growth             time for 100k / time for 10k               (10 is linear)
 *   queue_page_ms      first page of 50 open review items with 10,000 open, a flag added just
 *                      before each call (median of 20)            (bar: <= 20)
 */
import { openStore } from '../src/store/open.ts';
import { createDatabase, dropDatabase } from '../src/store/postgres/admin.ts';
import type { Store } from '../src/store/types.ts';
import { type PostgresCluster, startPostgresCluster } from '../tests/_postgres.ts';
import { bestIngestTimes, ingestMentions, naive, print, queuePageTimes } from './store-load.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Fresh databases, on a throwaway server or beside the one --url names. */
interface Databases {
  fresh(): Promise<{ url: string; drop: () => Promise<void> }>;
  close(): Promise<void>;
  where: string;
}

let counter = 0;

async function databases(url: string | undefined): Promise<Databases> {
  if (url) {
    return {
      where: 'given server',
      async fresh() {
        const name = `solidarity_bench_${process.pid}_${++counter}`;
        return { url: await createDatabase(url, name), drop: () => dropDatabase(url, name) };
      },
      async close() {},
    };
  }
  const cluster: PostgresCluster = await startPostgresCluster({ durable: true });
  return {
    where: 'throwaway server, durable settings',
    async fresh() {
      const name = `bench_${++counter}`;
      return { url: await cluster.createDatabase(name), drop: () => dropDatabase(cluster.url(), name) };
    },
    close: () => cluster.stop(),
  };
}

async function open(url: string): Promise<Store> {
  return openStore(url, { use: 'bot', pruneEveryMs: 0 });
}

/** Ingests `count` mentions into the database at `url`; returns seconds. */
async function ingest(url: string, count: number): Promise<number> {
  const store = await open(url);
  const seconds = await ingestMentions(store, count);
  await store.close();
  return seconds;
}

/** The first page of 50 open flags with 10,000 open, a new flag added before each timed call. */
async function queuePage(url: string): Promise<{ ms: number; againMs: number; total: number }> {
  const store = await open(url);
  try {
    return await queuePageTimes(store);
  } finally {
    await store.close();
  }
}

export async function benchPostgres(): Promise<void> {
  const dbs = await databases(option('--url'));
  try {
    const naivePerS = await naive(5_000);
    print({ measure: 'naive lowdb, db.update() per mention', mentions: 5_000, per_s: Math.round(naivePerS) });
    const warm = await dbs.fresh();
    await ingest(warm.url, 5_000);
    await warm.drop();
    const runs = await bestIngestTimes('postgres store ingest', async (count) => {
      const db = await dbs.fresh();
      try {
        return await ingest(db.url, count);
      } finally {
        await db.drop();
      }
    });
    const db = await dbs.fresh();
    let queue: Awaited<ReturnType<typeof queuePage>>;
    try {
      queue = await queuePage(db.url);
    } finally {
      await db.drop();
    }
    print({ measure: 'queue first page of 50', open: queue.total, ms: queue.ms, again_ms: queue.againMs });
    const ingest100k = 100_000 / runs[100_000]!;
    print({
      backend: 'postgres',
      server: dbs.where,
      naive_per_s: Math.round(naivePerS),
      ingest_per_s_10k: Math.round(10_000 / runs[10_000]!),
      ingest_per_s_100k: Math.round(ingest100k),
      ratio: Math.round((ingest100k / naivePerS) * 10) / 10,
      growth: Math.round((runs[100_000]! / runs[10_000]!) * 100) / 100,
      queue_page_ms: Math.round(queue.ms * 1000) / 1000,
      queue_page_ms_again: Math.round(queue.againMs * 1000) / 1000,
    });
  } finally {
    await dbs.close();
  }
}
