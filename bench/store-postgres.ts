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
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { openStore } from '../src/store/open.ts';
import { createDatabase, dropDatabase } from '../src/store/postgres/admin.ts';
import type { ActivityEvent, Store } from '../src/store/types.ts';
import { type PostgresCluster, startPostgresCluster } from '../tests/_postgres.ts';
import { at, flag, mentionEvent, tempDataDir } from '../tests/store-fixtures.ts';

const FLAGGED_EVERY = 100; // 1% of mentions are flagged into the review queue.
const IN_FLIGHT = 1000; // Appends kept in flight, as the monitor pipeline does.

function print(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function naive(count: number): Promise<number> {
  const { dir, cleanup } = tempDataDir('solidarity-bench-naive-');
  try {
    const db = new Low<{ events: ActivityEvent[] }>(new JSONFile(join(dir, 'db.json')), { events: [] });
    await db.read();
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      await db.update((data) => {
        data.events.push(mentionEvent(i, at(i / 10)));
      });
    }
    return count / ((performance.now() - started) / 1000);
  } finally {
    cleanup();
  }
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

/** Ingests `count` mentions the way the monitor does; returns seconds. */
async function ingest(url: string, count: number): Promise<number> {
  const store = await open(url);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const when = at(i / 10); // 10 mentions a second: 100k spans about 3 hours.
    const flagged = i % FLAGGED_EVERY === 0;
    const work = (async () => {
      await store.append(mentionEvent(i, when, flagged));
      if (flagged) await store.addFlag(flag(i, when));
      if (i % 100 === 99) await store.setCursor('bench:source', String(i));
    })();
    inFlight.add(work);
    void work.then(() => inFlight.delete(work));
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await store.flush();
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return seconds;
}

/** The first page of 50 open flags with 10,000 open, a new flag added before each timed call. */
async function queuePage(url: string): Promise<{ ms: number; againMs: number; total: number }> {
  const store = await open(url);
  try {
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 10_000; i++) adds.push(store.addFlag(flag(i, at(i))));
    await Promise.all(adds);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const fresh: number[] = [];
    const again: number[] = [];
    let total = 0;
    for (let run = 0; run < 20; run++) {
      await store.addFlag(flag(20_000 + run, at(20_000 + run)));
      const query = {
        limit: 50,
        state: 'open' as const,
        sort: run % 2 === 0 ? ('newest' as const) : ('score' as const),
      };
      let started = performance.now();
      const page = await store.queuePage(query);
      fresh.push(performance.now() - started);
      total = page.total;
      started = performance.now();
      await store.queuePage(query);
      again.push(performance.now() - started);
      if (page.items.length !== 50) throw new Error(`queue page held ${page.items.length} flags, not 50`);
    }
    return { ms: median(fresh), againMs: median(again), total };
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
    const runs: Record<number, number> = {};
    for (const [count, repeats] of [
      [10_000, 3],
      [100_000, 2],
    ] as const) {
      const times: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const db = await dbs.fresh();
        try {
          times.push(await ingest(db.url, count));
        } finally {
          await db.drop();
        }
      }
      runs[count] = Math.min(...times);
      print({
        measure: 'postgres store ingest',
        mentions: count,
        seconds: times.map((t) => Math.round(t * 1000) / 1000),
        best_per_s: Math.round(count / runs[count]!),
      });
    }
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
