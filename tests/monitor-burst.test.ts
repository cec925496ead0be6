/**
 * A trending hashtag: 10,000 mentions posted within one minute (among as many unrelated posts),
 * through the whole path: local Jetstream → JetstreamSource → scorer → store → review queue.
 * The counts must add up: seen = scored = stored, flagged = queued, nothing dropped.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JETSTREAM_CURSOR_KEY, JetstreamSource } from '../src/monitor/jetstream.ts';
import { runMonitor } from '../src/monitor/monitor.ts';
import type { MonitoredCampaign } from '../src/monitor/types.ts';
import { FakeJetstream, jetstreamPost, line } from './_fake-jetstream.ts';
import { captureLog } from './_log.ts';
import { MemoryStore } from './_monitor-store.ts';
import { testScore } from './_test-scorer.ts';

const campaign: MonitoredCampaign = {
  id: 'belgium',
  hashtags: ['westandtogether', 'standwithbelgium'],
  ownMessages: ['We stand with Belgium. #WeStandTogether'],
  ownAccounts: [],
  scoreOptions: {},
};

let fake: FakeJetstream | undefined;
afterEach(async () => {
  await fake?.stop();
});

describe('a burst of mentions', () => {
  it('10,000 mentions in a minute: seen = scored = stored, flagged = queued, dropped = 0', async () => {
    const N = 10_000;
    const start = 1_764_400_000_000_000;
    fake = new FakeJetstream();
    let expectedFlagged = 0;
    let expectedOwn = 0;
    for (let i = 0; i < 2 * N; i++) {
      const timeUs = start + Math.floor((i * 60e6) / (2 * N));
      const did = `did:plc:burst${i % 997}`;
      const rkey = `3lburst${String(i).padStart(8, '0')}`;
      if (i % 2 === 1) {
        fake.log.push(line(jetstreamPost({ did, rkey, timeUs, text: `unrelated chatter ${i} #football` })));
        continue;
      }
      const k = i / 2;
      let text = `Standing with Brussels, message ${k} #WeStandTogether`;
      if (k % 25 === 0) {
        text = `they are vermin ${k} #StandWithBelgium`;
        expectedFlagged += 1;
      } else if (k % 40 === 1) {
        text = 'We stand with Belgium. #WeStandTogether';
        expectedOwn += 1;
      }
      fake.log.push(line(jetstreamPost({ did, rkey, timeUs, text })));
    }
    const url = await fake.start();
    const store = new MemoryStore();
    const log = captureLog('warn');
    const source = new JetstreamSource({
      url,
      hashtags: campaign.hashtags,
      store,
      logger: log.logger,
      clock: () => start / 1000 + 120_000,
      highWater: 500,
    });
    const monitor = await runMonitor({
      store,
      scorer: testScore,
      campaigns: [campaign],
      sources: [source],
      logger: log.logger,
    });
    await vi.waitFor(() => expect(monitor.counts().stored).toBe(N), { timeout: 60_000, interval: 50 });
    await monitor.stop();

    const counts = monitor.counts();
    expect(counts.seen).toBe(N);
    expect(counts.scored).toBe(N);
    expect(counts.stored).toBe(N);
    expect(store.mentionsSeen()).toHaveLength(N);
    expect(counts.flagged).toBe(expectedFlagged);
    expect(counts.queued).toBe(expectedFlagged);
    expect(store.flags.size).toBe(expectedFlagged);
    expect(counts.own).toBe(expectedOwn);
    expect(counts.dropped).toBe(0);
    expect(counts.duplicates).toBe(0);
    expect(source.stats().malformed).toBe(0);
    expect(new Set(store.mentionsSeen().map((e) => e.mention.id)).size).toBe(N);
    // Every flag waits for review.
    expect([...store.flags.values()].every((f) => f.state === 'open')).toBe(true);
    // The cursor reached the end of the burst.
    expect(Number(store.getCursor(JETSTREAM_CURSOR_KEY))).toBe(
      start + Math.floor(((2 * N - 1) * 60e6) / (2 * N)),
    );
    // Every abusive post here used #StandWithBelgium: that tag is hijacked, the other is not.
    const alerts = store.log.filter((e) => e.type === 'alert.hijack');
    expect(alerts.map((a) => a.type === 'alert.hijack' && a.hashtag)).toEqual(['standwithbelgium']);
  });
});
