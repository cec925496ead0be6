/**
 * A trending hashtag: 10,000 mentions posted within one minute (among as many unrelated posts),
 * through the whole path: local Jetstream → JetstreamSource → the real scorer → the real file
 * store (temp folder) → review queue. The counts must add up: seen = scored = stored,
 * flagged = queued, nothing dropped; reopening the store finds the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runMonitor } from '../src/monitor/monitor.ts';
import { ownPostMatcher } from '../src/monitor/own-posts.ts';
import type { MonitoredCampaign } from '../src/monitor/types.ts';
import { JETSTREAM_CURSOR_KEY, JetstreamSource } from '../src/platforms/bluesky/jetstream.ts';
import { score } from '../src/scoring/index.ts';
import { openStore } from '../src/store/index.ts';
import { FakeJetstream, jetstreamPost, line } from './_fake-jetstream.ts';
import { captureLog } from './_log.ts';

const SUPPORT = [
  'Standing with Brussels tonight',
  'Thinking of every family waiting for news',
  'Gave blood this morning, the queue was huge',
  'Fuck terrorism, love to Belgium',
  'The cowards who did this should rot in prison',
  'Muslims are not terrorists. Terrorists are terrorists.',
  'Someone told my neighbour to go home. She is home. Reported it.',
  'Candle in the window for the victims',
];
const HATE = [
  'Muslims are vermin and this proves it',
  'Deport every migrant, send them all back',
  'Burn their mosques down',
  'The Jews are behind this as always',
];

const campaign: MonitoredCampaign = {
  id: 'belgium',
  hashtags: ['westandtogether', 'standwithbelgium'],
  ownMessages: ['We stand with Belgium. #WeStandTogether'],
  ownAccounts: [],
  scoreOptions: {
    ownMessages: ['We stand with Belgium. #WeStandTogether'],
    campaignHashtags: ['westandtogether', 'standwithbelgium'],
  },
};

let fake: FakeJetstream | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fake?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a burst of mentions', () => {
  it('10,000 mentions in a minute: seen = scored = stored, flagged = queued, dropped = 0', async () => {
    const N = 10_000;
    const start = 1_764_400_000_000_000;
    fake = new FakeJetstream();
    const own = ownPostMatcher(campaign.ownMessages, []);
    let expectedFlagged = 0;
    let expectedOwn = 0;
    let hateful = 0;
    for (let i = 0; i < 2 * N; i++) {
      const timeUs = start + Math.floor((i * 60e6) / (2 * N));
      const did = `did:plc:burst${i % 997}`;
      const rkey = `3lburst${String(i).padStart(8, '0')}`;
      if (i % 2 === 1) {
        fake.log.push(line(jetstreamPost({ did, rkey, timeUs, text: `unrelated chatter ${i} #football` })));
        continue;
      }
      const k = i / 2;
      let text = `${SUPPORT[k % SUPPORT.length]} (${k}) #WeStandTogether`;
      if (k % 25 === 0) {
        text = `${HATE[(k / 25) % HATE.length]} (${k}) #StandWithBelgium`;
        hateful += 1;
      } else if (k % 40 === 1) {
        text = 'We stand with Belgium. #WeStandTogether';
      }
      // What the scorer says (the pipeline must queue exactly these); own posts are never flagged.
      if (own.isOwnText(text)) expectedOwn += 1;
      else if (score(text, campaign.scoreOptions).flagged) expectedFlagged += 1;
      fake.log.push(line(jetstreamPost({ did, rkey, timeUs, text })));
    }
    expect(hateful).toBe(400);
    // The real scorer catches (nearly) all of the abuse; the exact number is what it decided.
    expect(expectedFlagged).toBeGreaterThanOrEqual(300);
    const url = await fake.start();
    dir = mkdtempSync(join(tmpdir(), 'monitor-burst-'));
    const store = await openStore(
      { backend: 'file', dir },
      { use: 'bot', logger: captureLog('warn').logger },
    );
    const log = captureLog('warn');
    const source = new JetstreamSource({
      url,
      hashtags: campaign.hashtags,
      store,
      logger: log.logger,
      clock: () => start / 1000 + 120_000,
      highWater: 500,
    });
    const began = performance.now();
    const monitor = await runMonitor({
      store,
      scorer: score,
      campaigns: [campaign],
      sources: [source],
      logger: log.logger,
    });
    await vi.waitFor(() => expect(monitor.counts().stored).toBe(N), { timeout: 60_000, interval: 50 });
    await monitor.stop();
    const elapsedMs = Math.round(performance.now() - began);
    const cursor = await store.getCursor(JETSTREAM_CURSOR_KEY);
    const alerts: string[] = [];
    for await (const e of store.events({ types: ['alert.hijack'] }))
      if (e.type === 'alert.hijack') alerts.push(e.hashtag);
    await store.close();

    const counts = monitor.counts();
    // For the record (not a threshold): what went through and how long it took here.
    console.info(JSON.stringify({ burst: N, ...counts, elapsedMs }));
    expect(counts.seen).toBe(N);
    expect(counts.scored).toBe(N);
    expect(counts.stored).toBe(N);
    expect(counts.flagged).toBe(expectedFlagged);
    expect(counts.queued).toBe(expectedFlagged);
    expect(counts.own).toBe(expectedOwn);
    expect(counts.dropped).toBe(0);
    expect(counts.duplicates).toBe(0);
    expect(source.stats().malformed).toBe(0);
    // The cursor reached the end of the burst.
    expect(Number(cursor)).toBe(start + Math.floor(((2 * N - 1) * 60e6) / (2 * N)));
    // Every abusive post here used #StandWithBelgium: that tag is hijacked.
    expect(alerts).toContain('standwithbelgium');

    // Reopened from disk: every mention once, every flag open in the review queue.
    const reread = await openStore({ backend: 'file', dir }, { use: 'read' });
    try {
      const ids = new Set<string>();
      let events = 0;
      for await (const e of reread.events({ types: ['mention.seen'] })) {
        if (e.type !== 'mention.seen') continue;
        events += 1;
        ids.add(e.mention.id);
      }
      expect(events).toBe(N);
      expect(ids.size).toBe(N);
      expect((await reread.queuePage({ state: 'open', limit: 1 })).total).toBe(expectedFlagged);
    } finally {
      await reread.close();
    }
  });
});
