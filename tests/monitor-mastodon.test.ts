/**
 * Mastodon monitoring against the local fake instance, through masto.js (timeline) and a real
 * WebSocket (stream): min_id paging and restart from the cursor, the stream with a reconnect whose
 * gap the timeline fills, a paused socket while the consumer is slow, the campaign account's own
 * posts skipped, and a 429 that waits for X-RateLimit-Reset. Time is a shared fake clock: the
 * source's sleeps advance it instead of waiting.
 */
import { join } from 'node:path';
import { createStreamingAPIClient } from 'masto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { loadEnv } from '../src/config/env.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/logger.ts';
import { runMonitor } from '../src/monitor/monitor.ts';
import { startMonitoring } from '../src/monitor/start.ts';
import {
  MastodonSource,
  type MastodonSourceOptions,
  mastodonCursorKey,
} from '../src/platforms/mastodon/mentions.ts';
import { createMastodonTimelineClient } from '../src/platforms/mastodon/timeline.ts';
import { parseStoreUrl } from '../src/store/index.ts';
import { type FakeMastodon, startFakeMastodon } from './_fake-mastodon.ts';
import { type CapturedLog, captureLog } from './_log.ts';
import { MemoryStore } from './_monitor-store.ts';
import { belgiumCampaign, runPolling } from './_polling.ts';
import { testScore } from './_test-scorer.ts';
import { campaignFromYaml, tempDir } from './_util.ts';

const campaign = belgiumCampaign;
const INTERVAL = 60_000;
const T0 = Date.parse('2026-11-25T10:00:00Z');

let clock: { now: number };
let fake: FakeMastodon;

beforeEach(() => {
  clock = { now: T0 };
});
afterEach(async () => {
  await fake?.close();
});

async function start(options: Parameters<typeof startFakeMastodon>[0] = {}) {
  fake = await startFakeMastodon({ now: () => new Date(clock.now), ...options });
}

/** `n` statuses by others: every fifth one hateful, alternating tags. */
function publish(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const text =
      i % 5 === 0
        ? `vermin, the lot of them #StandWithBelgium ${i}`
        : `Thinking of Brussels ${i} &amp; <everyone> #WeStandTogether`;
    const status = fake.publish({ text, acct: `user${i % 7}@elsewhere.example` });
    return `${fake.url}/@${status.acct}/${status.id}`;
  });
}

function source(
  store: MemoryStore,
  options: Pick<MastodonSourceOptions, 'logger' | 'sleep'> & Partial<MastodonSourceOptions>,
): MastodonSource {
  return new MastodonSource({
    hashtags: campaign.hashtags,
    client: createMastodonTimelineClient({ url: fake.url, accessToken: fake.token, clock: () => clock.now }),
    accessToken: fake.token,
    store,
    ownAccountIds: [fake.account.id],
    intervalMs: INTERVAL,
    clock: () => clock.now,
    ...options,
  });
}

/** Polls the timeline until `cycles` interval sleeps have happened; returns what was slept. */
function poll(store: MemoryStore, cycles: number) {
  return runPolling({
    store,
    clock,
    cycles,
    isInterval: (ms) => ms === INTERVAL,
    makeSource: (hooks) => source(store, { streaming: false, ...hooks }),
  });
}

/** Runs the source through the monitor (pipeline, scoring, queue) until stopped. */
function watch(
  store: MemoryStore,
  src: MastodonSource,
  log: CapturedLog,
  pipeline?: Parameters<typeof runMonitor>[0]['pipeline'],
) {
  return runMonitor({
    store,
    scorer: testScore,
    campaigns: [campaign],
    sources: [src],
    logger: log.logger,
    ...(pipeline ? { pipeline } : {}),
  });
}

describe('Mastodon monitoring', () => {
  it('reads the hashtag timelines, skips its own posts, and resumes from the min_id cursor', async () => {
    await start();
    const first = publish(30);
    fake.publish({ text: 'Our own campaign post #WeStandTogether', own: true });
    const store = new MemoryStore();
    const run1 = await poll(store, 1);
    const seen = store.mentionsSeen();
    expect(seen).toHaveLength(30);
    expect(seen.map((e) => e.mention.url).sort()).toEqual([...first].sort());
    const sample = seen.find((e) => e.mention.text.startsWith('Thinking'))!.mention;
    // HTML in, plain text out: entities decoded, tags and paragraphs gone.
    expect(sample.text).toMatch(/^Thinking of Brussels \d+ &amp; <everyone> #WeStandTogether$/);
    expect(sample).toMatchObject({ platform: 'mastodon', lang: 'en' });
    expect(sample.authorHandle).toMatch(/^user\d@elsewhere\.example$/);
    expect(run1.pipeline.counts()).toMatchObject({ seen: 30, stored: 30, flagged: 6, queued: 6 });
    const flagged = [...store.flagsById.values()];
    expect(flagged.every((f) => f.mention.url.startsWith(`${fake.url}/@user`))).toBe(true);
    const newestTagged = fake.statuses.filter((s) => s.tags.includes('westandtogether')).at(-1)!;
    expect(await store.getCursor(mastodonCursorKey('westandtogether'))).toBe(newestTagged.id);

    // A restart: 90 more, read in pages from the saved cursor; nothing twice, nothing lost.
    const later = publish(90, 30);
    const before = fake.requests.length;
    await poll(store, 1);
    const reads = fake.requests.slice(before).filter((r) => r.path.includes('/timelines/tag/'));
    expect(reads.length).toBeGreaterThanOrEqual(4);
    const urls = store.mentionsSeen().map((e) => e.mention.url);
    expect(urls).toHaveLength(120);
    expect(new Set(urls).size).toBe(120);
    expect(urls).toEqual(expect.arrayContaining(later));
    expect(store.flagsById.size).toBe(24);
  });

  it('polls the timeline when the instance offers no streaming API', async () => {
    await start({ streaming: false });
    const first = publish(5);
    const store = new MemoryStore();
    const run = await runPolling({
      store,
      clock,
      cycles: 2,
      isInterval: (ms) => ms === INTERVAL,
      makeSource: (hooks) => source(store, hooks), // streaming allowed: the instance decides
    });
    expect(run.source.status()).toMatchObject({ mode: 'timeline' });
    expect(fake.streamConnections()).toBe(0);
    expect(run.slept).toEqual([INTERVAL, INTERVAL]);
    expect(
      store
        .mentionsSeen()
        .map((e) => e.mention.url)
        .sort(),
    ).toEqual([...first].sort());
  });

  it('waits for X-RateLimit-Reset after a 429 and then reads everything', async () => {
    await start();
    publish(12);
    const resetAt = new Date(T0 + 123_000);
    fake.fault('GET /api/v1/timelines/tag', { status: 429, resetAt });
    const store = new MemoryStore();
    const { slept, log } = await poll(store, 1);
    expect(log.withCode('RATE_LIMITED')).toHaveLength(1);
    // The one wait that is not the polling interval runs exactly to the reset the instance gave.
    expect(slept.filter((ms) => ms !== INTERVAL)).toEqual([123_000]);
    expect(fake.faultsLeft('GET /api/v1/timelines/tag')).toBe(0);
    expect(store.mentionsSeen()).toHaveLength(12);
  });

  it('after a 5xx from the timeline reads again at the next poll, from the same cursor', async () => {
    await start();
    const store = new MemoryStore();
    publish(3);
    await poll(store, 1); // the first read sets each tag's cursor
    const later = publish(12, 3);
    fake.fault('GET /api/v1/timelines/tag', { status: 503 });
    fake.fault('GET /api/v1/timelines/tag', { status: 502 });
    const { log } = await poll(store, 3); // two failed polls, then one that reads
    expect(fake.faultsLeft('GET /api/v1/timelines/tag')).toBe(0);
    expect(
      log.lines.filter((l) => l.msg === 'Mastodon timeline read failed; trying again later'),
    ).toHaveLength(2);
    // Nothing the failed reads missed is lost, nothing is read twice.
    const urls = store.mentionsSeen().map((e) => e.mention.url);
    expect(urls).toHaveLength(15);
    expect(new Set(urls).size).toBe(15);
    expect(urls).toEqual(expect.arrayContaining(later));
  });

  it('waits when X-RateLimit-Remaining reaches 0 before reading again', async () => {
    await start({ rateLimit: 2 });
    publish(4);
    const store = new MemoryStore();
    const { slept } = await poll(store, 2);
    // The first cycle's two reads spend the five-minute window; the second cycle, one interval
    // later, waits for the rest of it before reading.
    expect(slept).toEqual([INTERVAL, 240_000, INTERVAL]);
    expect(store.mentionsSeen()).toHaveLength(4);
  });

  it('follows the stream, and after a dropped connection fills the gap from the timeline', async () => {
    await start();
    const store = new MemoryStore();
    const log = captureLog('info');
    let release: () => void = () => {};
    const reconnectWaits: number[] = [];
    const src = source(store, {
      logger: log.logger,
      sleep: (ms) => {
        reconnectWaits.push(ms);
        return new Promise((resolve) => {
          release = resolve;
        });
      },
    });
    const run = await watch(store, src, log);
    try {
      await vi.waitFor(() => expect(fake.subscribedTags()).toEqual(['standwithbelgium', 'westandtogether']));
      const live = publish(5);
      fake.publish({ text: 'Own post on the stream #WeStandTogether', own: true });
      await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(5));
      expect(src.status()).toMatchObject({ mode: 'stream' });

      fake.dropStreams();
      await vi.waitFor(() => expect(reconnectWaits).toHaveLength(1));
      expect(fake.streams()).toBe(0);
      const missed = publish(3, 5);
      release();
      await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(8));
      await vi.waitFor(() => expect(fake.streams()).toBe(1));
      const urls = store.mentionsSeen().map((e) => e.mention.url);
      expect(urls).toEqual(expect.arrayContaining([...live, ...missed]));
      expect(new Set(urls).size).toBe(8);
      expect(fake.streamConnections()).toBe(2);
      // The catch-up after the reconnect asked for what came after the saved cursor.
      const cursor = await store.getCursor(mastodonCursorKey('westandtogether'));
      expect(cursor).toBeDefined();
      expect(src.stats().reconnects).toBe(1);
      // And the stream still works after it.
      const after = publish(2, 8);
      await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(10));
      expect(store.mentionsSeen().map((e) => e.mention.url)).toEqual(expect.arrayContaining(after));
    } finally {
      await run.stop();
    }
  });

  it('after a restart in stream mode, reads what came while it was down from the saved cursor', async () => {
    await start();
    const store = new MemoryStore();
    const log = captureLog('warn');
    const run = async () => {
      const src = source(store, { logger: log.logger, sleep: async () => {} });
      return watch(store, src, log);
    };
    const first = await run();
    await vi.waitFor(() => expect(fake.subscribedTags()).toHaveLength(2));
    const before = publish(4);
    await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(4));
    await first.stop();
    const cursor = await store.getCursor(mastodonCursorKey('westandtogether'));
    expect(cursor).toBe(fake.statuses.filter((s) => s.tags.includes('westandtogether')).at(-1)!.id);
    await vi.waitFor(() => expect(fake.streams()).toBe(0));

    const whileDown = publish(6, 4);
    const requestsBefore = fake.requests.length;
    const second = await run();
    try {
      await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(10));
      const reads = fake.requests.slice(requestsBefore).filter((r) => r.path.endsWith('/westandtogether'));
      expect(reads[0]!.query).toContain(`min_id=${cursor}`);
      const urls = store.mentionsSeen().map((e) => e.mention.url);
      expect(new Set(urls)).toEqual(new Set([...before, ...whileDown]));
    } finally {
      await second.stop();
    }
  });

  it("the fake's stream speaks the protocol masto.js's own streaming client expects", async () => {
    await start();
    const client = createStreamingAPIClient({
      streamingApiUrl: fake.url.replace(/^http/, 'ws'),
      accessToken: fake.token,
      implementation: WebSocket,
      retry: false,
    });
    try {
      const subscription = client.hashtag.subscribe({ tag: 'westandtogether' });
      const first = subscription[Symbol.asyncIterator]().next();
      // masto.js waits a moment (its backoff) before its first connection.
      await vi.waitFor(() => expect(fake.subscribedTags()).toEqual(['westandtogether']), { timeout: 10_000 });
      const status = fake.publish({
        text: 'Through masto.js #WeStandTogether',
        acct: 'someone@else.example',
      });
      const { value } = await first;
      expect(value).toMatchObject({ event: 'update', stream: ['hashtag', 'westandtogether'] });
      expect((value as { payload: { id: string; account: { acct: string } } }).payload).toMatchObject({
        id: status.id,
        account: { acct: 'someone@else.example' },
      });
    } finally {
      client.close();
    }
  });

  it('takes a stream that goes silent (no message, no ping) for dead and reconnects', async () => {
    await start();
    const store = new MemoryStore();
    const log = captureLog('warn');
    const src = source(store, { logger: log.logger, idleTimeoutMs: 200, sleep: async () => {} });
    const run = await watch(store, src, log);
    try {
      await vi.waitFor(() => expect(fake.streamConnections()).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
      expect(log.lines.some((l) => l.msg === 'Mastodon stream went silent; reconnecting')).toBe(true);
      // Still delivering after the reconnect.
      await vi.waitFor(() => expect(fake.streams()).toBe(1));
      publish(1);
      await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(1));
    } finally {
      await run.stop();
    }
  });

  it('pauses the stream while the store is slow, and loses nothing', async () => {
    await start();
    let maxBuffered = 0;
    let src: MastodonSource | undefined;
    const store = new MemoryStore({
      writeDelayMs: 5,
      beforeAppend: () => {
        maxBuffered = Math.max(maxBuffered, Number(src?.status().buffered ?? 0));
      },
    });
    const log = captureLog('warn');
    src = source(store, { logger: log.logger, highWater: 8, sleep: async () => {} });
    const run = await watch(store, src, log, { maxInFlight: 2 });
    try {
      await vi.waitFor(() => expect(fake.subscribedTags()).toHaveLength(2));
      const urls = publish(150);
      await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(150), { timeout: 20_000 });
      expect(new Set(store.mentionsSeen().map((e) => e.mention.url))).toEqual(new Set(urls));
      // Bounded: the buffer never held the burst, only about the high-water mark.
      expect(maxBuffered).toBeLessThan(150);
      expect(maxBuffered).toBeGreaterThan(0);
      // What a paused socket had already read still arrives; the reading itself stopped.
      expect(src.status().pauses).toBeGreaterThan(0);
    } finally {
      await run.stop();
    }
  });

  it('start watches a live Mastodon campaign through the registry: flags hate, skips its own posts', async () => {
    await start({ now: () => new Date() });
    const dir = tempDir();
    try {
      const env = loadEnv(
        {
          SOLIDARITY_DATA_DIR: join(dir.path, 'data'),
          SOLIDARITY_MODE: 'live',
          MASTODON_URL: fake.url,
          MASTODON_ACCESS_TOKEN: fake.token,
        },
        { dotenvPath: null },
      );
      const printed: string[] = [];
      const ctx = {
        env,
        logger: silentLogger(),
        clock: systemClock,
        mode: 'live' as const,
        dataDir: env.SOLIDARITY_DATA_DIR,
        storeTarget: parseStoreUrl(env.STORE_URL, env.SOLIDARITY_DATA_DIR),
        campaignsDir: 'campaigns',
        print: (line: string) => printed.push(line),
      };
      const fedi = campaignFromYaml(
        [
          'id: fedi',
          'name: Fediverse',
          'timezone: Europe/Brussels',
          'start: 2026-01-01T00:00',
          'platforms: [mastodon]',
          'schedules: [{ at: ["2026-12-31T09:00"] }]',
          'messages: ["We stand together"]',
          'hashtags: [WeStandTogether]',
        ].join('\n'),
      );
      const store = new MemoryStore();
      const monitor = await startMonitoring(ctx, [fedi], { store, scorer: testScore, announce: true });
      try {
        await vi.waitFor(() => expect(fake.subscribedTags()).toEqual(['westandtogether']));
        fake.publish({ text: 'vermin, the lot of them #WeStandTogether', acct: 'troll@bad.example' });
        fake.publish({ text: 'Thinking of you all #WeStandTogether' });
        fake.publish({ text: 'vermin, the lot of them #WeStandTogether (quoted to report it)', own: true });
        await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(2));
        const [flag] = [...store.flagsById.values()];
        expect(store.flagsById.size).toBe(1);
        expect(flag!.mention).toMatchObject({ platform: 'mastodon', authorHandle: 'troll@bad.example' });
        expect(flag!.mention.url).toMatch(new RegExp(`^${fake.url}/@troll@bad\\.example/\\d+$`));
        expect(
          printed.some((l) => l.includes('flagged for review') && l.includes('mastodon @troll@bad.example')),
        ).toBe(true);
      } finally {
        await monitor.stop();
      }
    } finally {
      dir.cleanup();
    }
  });
});
