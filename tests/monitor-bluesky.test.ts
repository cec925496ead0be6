/**
 * Bluesky monitoring against a local Jetstream (ws on 127.0.0.1) replaying recorded events, with
 * dropped connections, duplicates, out-of-order and malformed events; cursor resume after a
 * restart; backfill after downtime longer than Jetstream keeps.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Mention } from '../src/core/mention.ts';
import { runMonitor } from '../src/monitor/monitor.ts';
import type { MonitoredCampaign } from '../src/monitor/types.ts';
import { JETSTREAM_CURSOR_KEY, JetstreamSource } from '../src/platforms/bluesky/jetstream.ts';
import { openStore } from '../src/store/index.ts';
import type { Store } from '../src/store/types.ts';
import { FakeJetstream, jetstreamPost, line } from './_fake-jetstream.ts';
import { captureLog } from './_log.ts';
import { MemoryStore } from './_monitor-store.ts';
import { testScore } from './_test-scorer.ts';

const campaign: MonitoredCampaign = {
  id: 'belgium',
  hashtags: ['westandtogether', 'notohatecrime', 'lovenothate', 'standwithbelgium'],
  ownMessages: [],
  ownAccounts: [],
  scoreOptions: {},
};
const recorded = readFileSync(new URL('./fixtures/jetstream-recorded.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((raw) => ({ raw, timeUs: JSON.parse(raw).time_us as number }));
const RECORDED_END_US = recorded.at(-1)!.timeUs;
const uri = (did: string, rkey: string) => `at://${did}/app.bsky.feed.post/${rkey}`;

let fake: FakeJetstream | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

function source(
  url: string,
  store: Store,
  logger: ReturnType<typeof captureLog>['logger'],
  nowUs: number,
  extra = {},
) {
  return new JetstreamSource({
    url,
    hashtags: campaign.hashtags,
    store,
    logger,
    clock: () => nowUs / 1000,
    reconnectDelayMs: () => 10,
    cursorSaveIntervalMs: 20,
    ...extra,
  });
}

describe('Bluesky via Jetstream', () => {
  it('reads recorded events through reconnects, duplicates, out-of-order and malformed events', async () => {
    fake = new FakeJetstream();
    fake.log.push(...recorded.slice(0, 6));
    fake.log.push(line('{"did":"did:plc:broken","time_us":'));
    fake.log.push(line('not json at all'));
    fake.log.push(...recorded.slice(6, 10));
    fake.log.push(recorded[1]!); // the same post again
    // A matching post recorded out of order (older time than the line before it).
    const late = jetstreamPost({
      did: 'did:plc:latecomer',
      rkey: '3lbzzz0000001',
      timeUs: recorded[3]!.timeUs + 50_000,
      text: 'Late but here #LoveNotHate',
    });
    fake.log.push(line(late));
    fake.log.push(
      line({
        did: 'did:plc:x',
        time_us: recorded[10]!.timeUs - 1,
        kind: 'commit',
        commit: { operation: 'create' },
      }),
    );
    fake.log.push(...recorded.slice(10));
    fake.dropAfter.set(0, 5);
    fake.dropAfter.set(1, 7);
    const url = await fake.start();

    const store = new MemoryStore();
    const log = captureLog('info');
    const lookups: string[][] = [];
    const bluesky = source(url, store, log.logger, RECORDED_END_US + 60e6, {
      lookupHandles: async (dids: readonly string[]) => {
        lookups.push([...dids]);
        return new Map([['did:plc:doraxxxxxxxxxxxxxxxxxxxx', 'dora.example.com']]);
      },
    });
    const monitor = await runMonitor({
      store,
      scorer: testScore,
      campaigns: [campaign],
      sources: [bluesky],
      logger: log.logger,
    });
    const expected = [
      uri('did:plc:annaxxxxxxxxxxxxxxxxxxxx', '3lbaaa0000001'),
      uri('did:plc:doraxxxxxxxxxxxxxxxxxxxx', '3lbaaa0000004'),
      uri('did:plc:emilxxxxxxxxxxxxxxxxxxxx', '3lbaaa0000005'),
      uri('did:plc:hanaxxxxxxxxxxxxxxxxxxxx', '3lbaaa0000007'),
      uri('did:plc:ivanxxxxxxxxxxxxxxxxxxxx', '3lbaaa0000008'),
      uri('did:plc:joxxxxxxxxxxxxxxxxxxxxxx', '3lbaaa0000009'),
      uri('did:plc:kimxxxxxxxxxxxxxxxxxxxxx', '3lbaaa0000010'),
      uri('did:plc:moxxxxxxxxxxxxxxxxxxxxxx', '3lbaaa0000012'),
      uri('did:plc:ottoxxxxxxxxxxxxxxxxxxxx', '3lbaaa0000014'),
      uri('did:plc:latecomer', '3lbzzz0000001'),
    ].sort();
    await vi.waitFor(() => expect(fake!.connections.length).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(expected.length), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 100)); // anything extra would arrive now
    await monitor.stop();

    const ids = store.mentionsSeen().map((e) => e.mention.id);
    expect(ids.sort()).toEqual(expected);
    expect(fake.connections.every((c) => c.wantedCollections.join() === 'app.bsky.feed.post')).toBe(true);
    // Every reconnect asked to replay from a few seconds before what it had stored.
    for (const c of fake.connections.slice(1)) {
      expect(c.cursor).toBeDefined();
      expect(c.cursor!).toBeLessThan(recorded[0]!.timeUs);
      expect(c.cursor!).toBeGreaterThan(recorded[0]!.timeUs - 6e6);
    }
    expect(bluesky.stats().malformed).toBeGreaterThanOrEqual(3);
    expect(bluesky.stats().reconnects).toBeGreaterThanOrEqual(2);
    expect(monitor.counts().duplicates).toBeGreaterThan(0);
    expect(monitor.counts()).toMatchObject({
      seen: 10,
      scored: 10,
      stored: 10,
      flagged: 1,
      queued: 1,
      dropped: 0,
    });

    const byId = new Map(store.mentionsSeen().map((e) => [e.mention.id, e.mention]));
    const dora = byId.get(expected.find((u) => u.includes('dora'))!)!;
    expect(dora).toMatchObject({
      lang: 'fr',
      hashtags: ['notohatecrime', 'bruxelles'],
      authorId: 'did:plc:doraxxxxxxxxxxxxxxxxxxxx',
    });
    expect(dora.url).toBe('https://bsky.app/profile/did:plc:doraxxxxxxxxxxxxxxxxxxxx/post/3lbaaa0000004');
    expect(byId.get(expected.find((u) => u.includes('jo'))!)!.replyTo).toMatch(/^at:\/\//);
    expect(byId.get(expected.find((u) => u.includes('kim'))!)!.quoteOf).toMatch(/^at:\/\//);
    expect(byId.get(expected.find((u) => u.includes('ivan'))!)!.hashtags).toEqual(['westandtogether']);
    expect([...store.flagsById.values()].map((f) => f.mention.authorId)).toEqual([
      'did:plc:moxxxxxxxxxxxxxxxxxxxxxx',
    ]);
  });

  it('resumes after a restart from the saved cursor, losing and duplicating nothing', async () => {
    fake = new FakeJetstream();
    const base = 1_764_200_000_000_000;
    const expected: string[] = [];
    for (let i = 0; i < 600; i++) {
      const match = i % 3 === 0;
      const did = `did:plc:user${i}`;
      const rkey = `3lc${String(i).padStart(10, '0')}`;
      fake.log.push(
        line(
          jetstreamPost({
            did,
            rkey,
            timeUs: base + i * 50_000,
            text: match ? `post ${i} #StandWithBelgium` : `post ${i}`,
          }),
        ),
      );
      if (match) expected.push(uri(did, rkey));
    }
    const url = await fake.start();
    const nowUs = base + 600 * 50_000 + 10e6;
    const store = new MemoryStore({ writeDelayMs: 2 });
    const log = captureLog('warn');

    // The handle lookup is down: mentions still flow, with DIDs for handles.
    const first = source(url, store, log.logger, nowUs, {
      highWater: 10,
      lookupHandles: async () => {
        throw new Error('AppView unreachable');
      },
    });
    const run1 = await runMonitor({
      store,
      scorer: testScore,
      campaigns: [campaign],
      sources: [first],
      logger: log.logger,
      pipeline: { maxInFlight: 4 },
    });
    await vi.waitFor(() => expect(store.mentionsSeen().length).toBeGreaterThanOrEqual(60), {
      timeout: 10_000,
    });
    await run1.stop();
    const storedAfterFirst = store.mentionsSeen().length;
    expect(store.mentionsSeen().every((e) => e.mention.authorHandle === e.mention.authorId)).toBe(true);
    expect(storedAfterFirst).toBeLessThan(expected.length);
    const saved = Number(await store.getCursor(JETSTREAM_CURSOR_KEY));
    expect(saved).toBeGreaterThan(base);

    const second = source(url, store, log.logger, nowUs);
    const run2 = await runMonitor({
      store,
      scorer: testScore,
      campaigns: [campaign],
      sources: [second],
      logger: log.logger,
    });
    await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(expected.length), { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 100));
    await run2.stop();

    expect(fake.connections.at(-1)!.cursor).toBe(saved - 5e6);
    const ids = store.mentionsSeen().map((e) => e.mention.id);
    expect(ids).toHaveLength(expected.length);
    expect(new Set(ids).size).toBe(expected.length);
    expect([...ids].sort()).toEqual([...expected].sort());
    // The rewind re-sent mentions stored before the restart; they were recognised.
    expect(run2.counts().duplicates).toBeGreaterThan(0);
  });

  it('resumes across a real restart of the file store (closed and reopened), losing and duplicating nothing', async () => {
    fake = new FakeJetstream();
    const base = 1_764_250_000_000_000;
    const expected: string[] = [];
    for (let i = 0; i < 900; i++) {
      const did = `did:plc:real${i}`;
      const rkey = `3lr${String(i).padStart(10, '0')}`;
      const match = i % 2 === 0;
      const text = match ? `post ${i} #WeStandTogether` : `post ${i} #elsewhere`;
      fake.log.push(line(jetstreamPost({ did, rkey, timeUs: base + i * 20_000, text })));
      if (match) expected.push(uri(did, rkey));
    }
    const url = await fake.start();
    const nowUs = base + 900 * 20_000 + 10e6;
    const dir = mkdtempSync(join(tmpdir(), 'monitor-restart-'));
    const log = captureLog('warn');
    const seenIds = async (store: Store) => {
      const ids: string[] = [];
      for await (const e of store.events({ types: ['mention.seen'] }))
        if (e.type === 'mention.seen') ids.push(e.mention.id);
      return ids;
    };
    try {
      let store = await openStore({ backend: 'file', dir }, { use: 'bot', logger: log.logger });
      const run1 = await runMonitor({
        store,
        scorer: testScore,
        campaigns: [campaign],
        sources: [source(url, store, log.logger, nowUs, { highWater: 8 })],
        logger: log.logger,
        pipeline: { maxInFlight: 2 },
      });
      await vi.waitFor(() => expect(run1.counts().stored).toBeGreaterThanOrEqual(100), { timeout: 10_000 });
      await run1.stop();
      const firstCount = run1.counts().stored;
      await store.close();
      expect(firstCount).toBeLessThan(expected.length);

      store = await openStore({ backend: 'file', dir }, { use: 'bot', logger: log.logger });
      expect(await seenIds(store)).toHaveLength(firstCount);
      const saved = Number(await store.getCursor(JETSTREAM_CURSOR_KEY));
      const run2 = await runMonitor({
        store,
        scorer: testScore,
        campaigns: [campaign],
        sources: [source(url, store, log.logger, nowUs)],
        logger: log.logger,
      });
      await vi.waitFor(() => expect(run1.counts().stored + run2.counts().stored).toBe(expected.length), {
        timeout: 15_000,
      });
      await new Promise((r) => setTimeout(r, 100));
      await run2.stop();
      expect(fake.connections.at(-1)!.cursor).toBe(saved - 5e6);
      expect(run2.counts().duplicates).toBeGreaterThan(0);
      const ids = await seenIds(store);
      await store.close();
      expect(ids).toHaveLength(expected.length);
      expect([...ids].sort()).toEqual([...expected].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backfills with search after downtime longer than Jetstream keeps, or says it cannot', async () => {
    fake = new FakeJetstream();
    const nowUs = 1_764_300_000_000_000;
    const retentionMs = 24 * 3_600_000;
    const url = await fake.start();
    const twoDaysAgo = nowUs - 2 * 24 * 3600e6;

    const store = new MemoryStore();
    await store.setCursor(JETSTREAM_CURSOR_KEY, String(twoDaysAgo));
    const log = captureLog('info');
    const queries: Array<{ tags: readonly string[]; since: string; until: string }> = [];
    const found: Mention[] = Array.from({ length: 3 }, (_, i) => ({
      platform: 'bluesky',
      id: uri('did:plc:past', `3lpast${i}`),
      url: `https://bsky.app/profile/did:plc:past/post/3lpast${i}`,
      authorId: 'did:plc:past',
      authorHandle: 'past.example.com',
      text: `from yesterday ${i} #WeStandTogether`,
      createdAt: new Date(twoDaysAgo / 1000 + 3600e3).toISOString(),
      capturedAt: new Date(nowUs / 1000).toISOString(),
      hashtags: ['westandtogether'],
    }));
    const withBackfill = source(url, store, log.logger, nowUs, {
      retentionMs,
      backfill: async function* (query: { tags: readonly string[]; since: string; until: string }) {
        queries.push(query);
        yield* found;
      },
    });
    const run = await runMonitor({
      store,
      scorer: testScore,
      campaigns: [campaign],
      sources: [withBackfill],
      logger: log.logger,
    });
    await vi.waitFor(() => expect(fake!.connections).toHaveLength(1), { timeout: 5000 });
    await vi.waitFor(() => expect(store.mentionsSeen()).toHaveLength(3), { timeout: 5000 });
    await run.stop();
    expect(queries).toHaveLength(1);
    expect(Date.parse(queries[0]!.since)).toBe(twoDaysAgo / 1000 - 5000);
    // Jetstream replays what it still has; search covers the rest, overlapping a little.
    const jetstreamFrom = fake.connections[0]!.cursor!;
    expect(jetstreamFrom).toBe(nowUs - retentionMs * 1000 + 60e6);
    expect(Date.parse(queries[0]!.until) * 1000).toBeGreaterThan(jetstreamFrom);
    expect(withBackfill.stats().backfilled).toBe(3);

    // Without search credentials the gap is logged with its code, and live monitoring goes on.
    const store2 = new MemoryStore();
    await store2.setCursor(JETSTREAM_CURSOR_KEY, String(twoDaysAgo));
    const log2 = captureLog('info');
    const without = source(url, store2, log2.logger, nowUs, { retentionMs });
    const run2 = await runMonitor({
      store: store2,
      scorer: testScore,
      campaigns: [campaign],
      sources: [without],
      logger: log2.logger,
    });
    await vi.waitFor(() => expect(fake!.connections).toHaveLength(2), { timeout: 5000 });
    await run2.stop();
    expect(log2.withCode('BLUESKY_GAP')).toHaveLength(1);
  });
});
