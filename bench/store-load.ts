/**
 * What both store benches (bench/store.ts, bench/store-postgres.ts) measure the same way: naive
 * lowdb as the baseline, the monitor's ingest pattern, the best of a few ingest runs per size, and
 * the first page of the review queue.
 */
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { ActivityEvent, Store } from '../src/store/types.ts';
import { at, flag, mentionEvent, tempDataDir } from '../tests/store-fixtures.ts';

const FLAGGED_EVERY = 100; // 1% of mentions are flagged into the review queue.
const IN_FLIGHT = 1000; // Appends kept in flight, as the monitor pipeline does.

export function print(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** Mentions per second into naive lowdb, one db.update() per mention. */
export async function naive(count: number): Promise<number> {
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

/** Ingests `count` mentions into an open store the way the monitor does; seconds up to flushed. */
export async function ingestMentions(store: Store, count: number, onProgress?: () => void): Promise<number> {
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
    if (onProgress && i % 10_000 === 0) onProgress();
  }
  await Promise.all(inFlight);
  await store.flush();
  return (performance.now() - started) / 1000;
}

/**
 * Each size runs a few times on a fresh store and keeps its best time: on a shared machine a
 * neighbour's burst would otherwise decide the growth figure. Prints one line per size.
 */
export async function bestIngestTimes(
  measure: string,
  run: (count: number) => Promise<number>,
): Promise<Record<number, number>> {
  const best: Record<number, number> = {};
  for (const [count, repeats] of [
    [10_000, 3],
    [100_000, 2],
  ] as const) {
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) times.push(await run(count));
    best[count] = Math.min(...times);
    print({
      measure,
      mentions: count,
      seconds: times.map((t) => Math.round(t * 1000) / 1000),
      best_per_s: Math.round(count / best[count]!),
    });
  }
  return best;
}

/**
 * The first page of 50 open flags with 10,000 open. Each timed call follows a new flag, so no
 * cached match count helps it (a busy queue changes between page views); the same page asked
 * again without a change in between is reported apart, as `againMs`. Medians of 20.
 */
export async function queuePageTimes(store: Store): Promise<{ ms: number; againMs: number; total: number }> {
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
}
