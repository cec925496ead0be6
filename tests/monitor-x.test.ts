/**
 * X monitoring through the real twitter-api-v2 client against the local fake recent-search
 * endpoint: pagination, since_id across restarts, 429 with a wait for the reset, daily budget.
 * Time is a shared fake clock; the source's sleeps advance it instead of waiting.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  budgetStateKey,
  sinceIdKey,
  type XBudgetState,
  XSearchSource,
  type XSearchSourceOptions,
} from '../src/platforms/x/mentions.ts';
import { createXSearchClient } from '../src/platforms/x/search.ts';
import { type FakeTweet, FakeXSearch } from './_fake-x-search.ts';
import { captureLog } from './_log.ts';
import { MemoryStore } from './_monitor-store.ts';
import { belgiumCampaign, runPolling } from './_polling.ts';
import { testScore } from './_test-scorer.ts';

const campaign = belgiumCampaign;
const INTERVAL = 60_000;
const T0 = Date.parse('2026-11-25T10:00:00Z');

let nextId = 1_800_000_000_000_000_000n;
function tweets(n: number, make: (i: number) => Partial<FakeTweet> = () => ({})): FakeTweet[] {
  return Array.from({ length: n }, (_, i) => {
    nextId += 1000n;
    return {
      id: String(nextId),
      text:
        i % 9 === 0
          ? `vermin, the lot of them #StandWithBelgium ${i}`
          : `Thinking of Brussels ${i} #WeStandTogether`,
      authorId: String(100 + (i % 50)),
      username: `user${i % 50}`,
      createdAt: new Date(T0 + i * 1000).toISOString(),
      ...make(i),
    };
  });
}

let clock: { now: number };
let fake: FakeXSearch;
let base: string;

beforeEach(() => {
  clock = { now: T0 };
});
afterEach(async () => {
  await fake?.stop();
});

async function start(options: ConstructorParameters<typeof FakeXSearch>[0] = {}) {
  fake = new FakeXSearch({ bearerToken: 'test-bearer', now: () => clock.now, ...options });
  base = await fake.start();
}

/** A recent-search client for the fake, on the fake clock. */
function fakeClient() {
  return createXSearchClient({ bearerToken: 'test-bearer', baseUrl: base, clock: () => clock.now });
}

/** The campaign's X search source against the fake, on the fake clock; `options` replace the defaults. */
function xSource(
  store: MemoryStore,
  options: Pick<XSearchSourceOptions, 'logger' | 'sleep'> & Partial<XSearchSourceOptions>,
): XSearchSource {
  return new XSearchSource({
    campaign,
    client: fakeClient(),
    store,
    budgetPerDay: 10_000,
    pricePerRead: 0.005,
    intervalMs: INTERVAL,
    clock: () => clock.now,
    ...options,
  });
}

/** Runs X monitoring until `cycles` interval sleeps have happened; returns what was slept. */
function runX(
  store: MemoryStore,
  cycles: number,
  options: Pick<Partial<XSearchSourceOptions>, 'budgetPerDay' | 'client'> = {},
) {
  return runPolling({
    store,
    clock,
    cycles,
    isInterval: (ms) => ms === INTERVAL || ms > 3_600_000,
    makeSource: (hooks) => xSource(store, { ...options, ...hooks }),
  });
}

describe('X recent search monitoring', () => {
  it('pages through results, expands authors, skips retweets and resumes from since_id after a restart', async () => {
    await start();
    fake.add(...tweets(250));
    fake.add(...tweets(5, () => ({ retweetOf: '1', text: 'RT @someone: #WeStandTogether' })));
    fake.add(...tweets(20, () => ({ text: 'unrelated #Weather' })));
    const store = new MemoryStore();

    const first = await runX(store, 1);
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[0]!.query).toBe('(#westandtogether OR #standwithbelgium) -is:retweet');
    expect(fake.requests[0]!.since_id).toBeUndefined();
    expect(fake.requests[1]!.pagination_token ?? fake.requests[1]!.next_token).toBeDefined();
    const seen = store.mentionsSeen();
    expect(seen).toHaveLength(250);
    expect(seen[0]!.mention.authorHandle).toMatch(/^user\d+$/);
    expect(seen[0]!.mention.url).toMatch(/^https:\/\/x\.com\/user\d+\/status\/\d+$/);
    expect(first.pipeline.counts()).toMatchObject({
      seen: 250,
      stored: 250,
      flagged: 28,
      queued: 28,
      dropped: 0,
    });
    const newest = fake.tweets.filter((t) => !t.retweetOf && t.text.includes('#WeStandTogether')).at(-1)!;
    expect(await store.getCursor(sinceIdKey('belgium'))).toBe(
      fake.tweets.filter((t) => !t.retweetOf && !t.text.includes('Weather')).at(-1)!.id,
    );
    expect(newest).toBeDefined();

    // A restart: a new source and pipeline on the same store.
    fake.add(...tweets(30));
    const requestsBefore = fake.requests.length;
    await runX(store, 1);
    expect(fake.requests[requestsBefore]!.since_id).toBe(newest.id);
    const ids = store.mentionsSeen().map((e) => e.mention.id);
    expect(ids).toHaveLength(280);
    expect(new Set(ids).size).toBe(280);
    expect(store.flagsById.size).toBe(28 + 4);
  });

  it('waits for the rate-limit reset on 429 and then reads everything', async () => {
    await start({ requestsPerWindow: 2, windowMs: 15 * 60_000 });
    fake.add(...tweets(450));
    fake.force429 = 1;
    const store = new MemoryStore();
    const { slept, log } = await runX(store, 1);
    // The forced 429 only: afterwards the source waits when x-rate-limit-remaining reaches 0.
    expect(fake.rateLimited).toBe(1);
    expect(log.withCode('RATE_LIMITED')).toHaveLength(1);
    // Waited (on the fake clock) until the window reset before asking again.
    const waits = slept.filter((ms) => ms !== INTERVAL);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...waits)).toBeGreaterThan(10 * 60_000);
    expect(store.mentionsSeen()).toHaveLength(450);
    expect(new Set(store.mentionsSeen().map((e) => e.mention.id)).size).toBe(450);
  });

  it('rides out X server errors mid-pagination: since_id stays, the next cycle reads everything once', async () => {
    await start();
    fake.add(...tweets(250));
    const store = new MemoryStore();
    // Page 1 succeeds, page 2 fails (503), so cycle 1 ends early.
    let calls = 0;
    const client = fakeClient();
    const flaky = {
      searchRecent: async (request: Parameters<typeof client.searchRecent>[0]) => {
        calls += 1;
        if (calls === 2) fake.force503 = 1;
        return client.searchRecent(request);
      },
    };
    const { log, pipeline } = await runX(store, 2, { client: flaky });
    // Cycle 1: page 1 read, page 2 failed; since_id was not moved, so cycle 2 read from the start.
    expect(fake.requests.filter((r) => r.since_id === undefined).length).toBeGreaterThanOrEqual(4);
    expect(log.lines.some((l) => l.msg === 'X search failed; retrying next cycle')).toBe(true);
    const ids = store.mentionsSeen().map((e) => e.mention.id);
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    expect(pipeline.counts().duplicates).toBe(100);
    expect(await store.getCursor(sinceIdKey('belgium'))).toBe(fake.tweets.at(-1)!.id);
  });

  it('stops at the daily read budget, says so once, and starts again the next UTC day', async () => {
    await start();
    fake.add(...tweets(400));
    const store = new MemoryStore();
    const { log, slept, source } = await runX(store, 1, { budgetPerDay: 150 });
    // 100 + 50: the second page asks only for what the budget allows.
    expect(fake.requests.map((r) => r.max_results)).toEqual(['100', '50']);
    expect(fake.postsServed).toBe(150);
    const exhausted = log.withCode('X_READ_BUDGET_EXHAUSTED');
    expect(exhausted).toHaveLength(1);
    const budget = (await store.getState<XBudgetState>(budgetStateKey('belgium')))!;
    expect(budget).toMatchObject({ reads: 150, limit: 150, costUsd: 0.75, day: '2026-11-25' });
    expect(budget.exhaustedAt).toBeDefined();
    // The wait after an exhausted cycle runs to the next UTC day, not the usual interval,
    // and the new day starts with a fresh budget.
    expect(source.status()).toMatchObject({ budget: { day: '2026-11-26', reads: 0, limit: 150 } });
    expect(slept.at(-1)).toBeGreaterThan(13 * 3_600_000);
    expect(store.mentionsSeen()).toHaveLength(150);

    // Next day: new posts are read again with a fresh budget.
    fake.add(...tweets(20));
    const servedBefore = fake.postsServed;
    await runX(store, 1, { budgetPerDay: 150 });
    expect(fake.postsServed - servedBefore).toBe(20);
    expect(await store.getState<XBudgetState>(budgetStateKey('belgium'))).toMatchObject({
      day: '2026-11-26',
      reads: 20,
    });
  });

  it('after downtime longer than recent search reaches, logs X_GAP and reads what X still has', async () => {
    await start();
    const old = tweets(5);
    fake.add(...old, ...tweets(40));
    fake.oldestSinceId = BigInt(old.at(-1)!.id) + 1n;
    const store = new MemoryStore();
    await store.setCursor(sinceIdKey('belgium'), old[0]!.id);
    const { log } = await runX(store, 1);
    expect(log.withCode('X_GAP')).toHaveLength(1);
    expect(fake.requests[0]!.since_id).toBe(old[0]!.id);
    expect(fake.requests[1]!.since_id).toBeUndefined();
    // Everything X still returns is read once (the fake still holds the old ones too).
    expect(store.mentionsSeen()).toHaveLength(45);
    expect(await store.getCursor(sinceIdKey('belgium'))).toBe(fake.tweets.at(-1)!.id);
  });

  it('rejects bad credentials with X_AUTH_FAILED', async () => {
    await start();
    const client = createXSearchClient({ bearerToken: 'wrong', baseUrl: base });
    await expect(client.searchRecent({ query: '#a', maxResults: 10 })).rejects.toMatchObject({
      code: 'X_AUTH_FAILED',
    });
  });
});

describe('status', () => {
  it('shows counts and an exhausted X budget', async () => {
    await start();
    fake.add(...tweets(120));
    const store = new MemoryStore();
    const { monitorStatusLines } = await import('../src/monitor/status.ts');
    const { runMonitor } = await import('../src/monitor/monitor.ts');
    const controller = { intervals: 0 };
    const source = xSource(store, {
      logger: captureLog('warn').logger,
      budgetPerDay: 50,
      sleep: async (_ms, signal) => {
        controller.intervals += 1;
        // Stays asleep until monitoring stops.
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      },
    });
    const monitor = await runMonitor({
      store,
      scorer: testScore,
      campaigns: [campaign],
      sources: [source],
      logger: captureLog('warn').logger,
      clock: () => clock.now,
    });
    await vi.waitFor(() => expect(controller.intervals).toBe(1));
    const view = await monitorStatusLines(
      {
        getState: async (k) => (k === 'monitor.status' ? monitor.status() : await store.getState(k)),
      } as Pick<MemoryStore, 'getState'>,
      ['belgium'],
      new Date(clock.now),
    );
    expect(view.budgetExhausted).toEqual(['belgium']);
    expect(view.lines.join('\n')).toContain('X reads today for belgium: 50/50 (about $0.25), EXHAUSTED');
    expect(view.lines.join('\n')).toMatch(/50 seen, 50 scored, 50 stored, 6 flagged, 6 queued/);
    await monitor.stop();
    expect((await store.getState<{ running: boolean }>('monitor.status'))?.running).toBe(false);
  });
});
