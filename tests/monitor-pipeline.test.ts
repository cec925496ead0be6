import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mention, MentionSource, SourceItem } from '../src/core/mention.ts';
import { SolidarityError } from '../src/errors.ts';
import { MentionPipeline } from '../src/monitor/pipeline.ts';
import type { MonitoredCampaign } from '../src/monitor/types.ts';
import { LocalReplaySource } from '../src/platforms/local/replay.ts';
import { captureLog } from './_log.ts';
import { MemoryStore } from './_monitor-store.ts';
import { testScore } from './_test-scorer.ts';

const OWN = '#WeStandTogether with Belgium. Report hate crime: 101, or 999 if urgent.';

const campaign: MonitoredCampaign = {
  id: 'belgium',
  hashtags: ['westandtogether', 'notohatecrime'],
  ownMessages: [OWN],
  ownAccounts: ['did:plc:campaignaccount', 'solidarity_bot'],
  scoreOptions: { threshold: 0.5 },
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'monitor-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function jsonl(rows: unknown[]): string {
  return rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');
}

describe('local replay through the pipeline', () => {
  it('scores, stores and queues; skips bad lines with their line number; never flags own posts', async () => {
    const path = join(dir, 'mentions.jsonl');
    writeFileSync(
      path,
      jsonl([
        { id: 'm1', author: 'ana', text: 'Thinking of everyone in Brussels tonight #WeStandTogether' },
        { id: 'm2', author: 'troll1', text: 'they are vermin #WeStandTogether' },
        '{not json',
        { id: 'm3', author: 'bo', text: 'no campaign tag here #Weather' },
        { id: 'm4', author: 'solidarity_bot', text: 'they are vermin, a quote we condemn #WeStandTogether' },
        { id: 'm5', author: 'cy', text: `RT @solidarity_bot: ${OWN}` },
        { id: 'm6', author: 'di', text: `${OWN} send them all back` },
        { author: 'no-id', text: '#WeStandTogether' },
        '',
        { id: 'm7', author: 'ed', text: 'Love wins #NOTOHATECRIME' },
      ]),
    );
    const store = new MemoryStore();
    const log = captureLog('info');
    const pipeline = new MentionPipeline({
      store,
      scorer: testScore,
      campaigns: [campaign],
      logger: log.logger,
    });
    const source = new LocalReplaySource({ path, store, logger: log.logger });
    await pipeline.run(source, new AbortController().signal);

    const counts = pipeline.counts();
    expect(counts).toMatchObject({
      seen: 6,
      scored: 6,
      stored: 6,
      flagged: 2,
      queued: 2,
      own: 2,
      dropped: 0,
      unmatched: 1,
    });
    expect(source.stats().malformed).toBe(2);
    const warnings = log.lines.filter((l) => l.msg === 'skipped a mentions line that is not valid');
    expect(warnings.map((w) => w.line)).toEqual([3, 8]);

    const flagged = [...store.flagsById.values()].map((f) => f.mention.id).sort();
    expect(flagged).toEqual(['m2', 'm6']);
    for (const flag of store.flagsById.values()) {
      expect(flag.state).toBe('open');
      expect(flag.verdict.reasons.length).toBeGreaterThan(0);
    }
    const verdictLines = log.lines.filter((l) => l.msg === 'mention scored' || l.msg === 'mention flagged');
    expect(verdictLines).toHaveLength(6);
    expect(verdictLines.every((l) => Array.isArray(l.rules) && typeof l.mention === 'string')).toBe(true);
    // Never the text at info level.
    expect(JSON.stringify(log.lines)).not.toContain('vermin');
    // The own-post verdict is visible in the store.
    const m5 = store.mentionsSeen().find((e) => e.mention.id === 'm5')!;
    expect(m5.verdict).toMatchObject({ flagged: false, rules: ['own-post'] });
    expect(await store.getCursor(`monitor.local:${path}`)).toBe('10');
  });

  it('a restart replays nothing twice and misses nothing', async () => {
    const path = join(dir, 'mentions.jsonl');
    const rows = Array.from({ length: 40 }, (_, i) => ({
      id: `r${i}`,
      author: `u${i}`,
      text: i % 7 === 0 ? `vermin, all of them #WeStandTogether` : `Together ${i} #WeStandTogether`,
    }));
    writeFileSync(path, jsonl(rows));
    const store = new MemoryStore();
    const logger = captureLog('warn').logger;
    const first = new MentionPipeline({ store, scorer: testScore, campaigns: [campaign], logger });
    const controller = new AbortController();
    let n = 0;
    const stopEarly: MentionSource = {
      name: 'local',
      stats: () => ({ malformed: 0, reconnects: 0, backfilled: 0 }),
      async *mentions(signal) {
        for await (const item of new LocalReplaySource({ path, store, logger }).mentions(signal)) {
          yield item;
          if (++n === 17) controller.abort();
        }
      },
    };
    await first.run(stopEarly, controller.signal);
    const afterFirst = store.mentionsSeen().length;
    expect(afterFirst).toBeGreaterThanOrEqual(17);
    expect(afterFirst).toBeLessThan(40);

    const second = new MentionPipeline({ store, scorer: testScore, campaigns: [campaign], logger });
    await second.run(new LocalReplaySource({ path, store, logger }), new AbortController().signal);
    const ids = store.mentionsSeen().map((e) => e.mention.id);
    expect(new Set(ids).size).toBe(40);
    expect(ids).toHaveLength(40);
    expect(store.flagsById.size).toBe(rows.filter((_, i) => i % 7 === 0).length);
  });
});

function mention(i: number, text = `Standing together ${i} #WeStandTogether`): Mention {
  return {
    platform: 'bluesky',
    id: `at://did:plc:u${i}/app.bsky.feed.post/${i}`,
    url: `https://bsky.app/profile/did:plc:u${i}/post/${i}`,
    authorId: `did:plc:u${i}`,
    authorHandle: `did:plc:u${i}`,
    text,
    createdAt: new Date(0).toISOString(),
    capturedAt: new Date(0).toISOString(),
    hashtags: ['westandtogether'],
  };
}

describe('back-pressure', () => {
  it('a slow store and scorer slow the source down instead of losing mentions', async () => {
    const store = new MemoryStore({ writeDelayMs: 2 });
    let produced = 0;
    let maxAhead = 0;
    const pipeline = new MentionPipeline({
      store,
      scorer: async (text, options) => {
        await new Promise((r) => setTimeout(r, 1));
        return testScore(text, options);
      },
      campaigns: [campaign],
      logger: captureLog('warn').logger,
      maxInFlight: 16,
    });
    const source: MentionSource = {
      name: 'eager',
      stats: () => ({ malformed: 0, reconnects: 0, backfilled: 0 }),
      async *mentions(): AsyncIterable<SourceItem> {
        for (let i = 0; i < 500; i++) {
          produced += 1;
          maxAhead = Math.max(maxAhead, produced - store.mentionsSeen().length);
          yield { mention: mention(i, i % 10 === 0 ? 'vermin #WeStandTogether' : undefined) };
        }
      },
    };
    await pipeline.run(source, new AbortController().signal);
    expect(maxAhead).toBeLessThanOrEqual(17);
    expect(pipeline.counts()).toMatchObject({
      seen: 500,
      scored: 500,
      stored: 500,
      flagged: 50,
      queued: 50,
      dropped: 0,
    });
  });

  it('a store that keeps failing stops monitoring, counts the drop and keeps the cursor before it', async () => {
    const path = join(dir, 'mentions.jsonl');
    writeFileSync(
      path,
      jsonl(
        Array.from({ length: 10 }, (_, i) => ({ id: `f${i}`, author: 'a', text: `#WeStandTogether ${i}` })),
      ),
    );
    let broken = true;
    const store = new MemoryStore({
      beforeAppend: (e) => {
        if (broken && e.type === 'mention.seen' && e.mention.id === 'f4') {
          throw new SolidarityError('STORE_IO', 'disk full');
        }
      },
    });
    const log = captureLog('info');
    const slept: number[] = [];
    const first = new MentionPipeline({
      store,
      scorer: testScore,
      campaigns: [campaign],
      logger: log.logger,
      maxInFlight: 1,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    await expect(
      first.run(new LocalReplaySource({ path, store, logger: log.logger }), new AbortController().signal),
    ).rejects.toThrow('disk full');
    expect(first.counts().dropped).toBe(1);
    expect(slept.length).toBe(4); // five attempts in all
    expect(log.lines.some((l) => l.level === 50 && l.mention === 'f4')).toBe(true);
    expect(await store.getCursor(`monitor.local:${path}`)).toBe('4');

    broken = false;
    const second = new MentionPipeline({
      store,
      scorer: testScore,
      campaigns: [campaign],
      logger: log.logger,
    });
    await second.run(
      new LocalReplaySource({ path, store, logger: log.logger }),
      new AbortController().signal,
    );
    const ids = store.mentionsSeen().map((e) => e.mention.id);
    expect(ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `f${i}`).sort());
  });
});

describe('hijack alerts in the pipeline', () => {
  it('records an alert.hijack event and logs it when a hashtag is flooded with abuse', async () => {
    const store = new MemoryStore();
    const log = captureLog('info');
    let now = Date.parse('2026-11-25T08:00:00Z');
    const pipeline = new MentionPipeline({
      store,
      scorer: testScore,
      campaigns: [campaign],
      logger: log.logger,
      clock: () => now,
      maxInFlight: 1,
    });
    const source: MentionSource = {
      name: 'scripted',
      stats: () => ({ malformed: 0, reconnects: 0, backfilled: 0 }),
      async *mentions() {
        // Three quiet hours, then ten minutes where most mentions are abuse.
        for (let i = 0; i < 300; i++) {
          now += 36_000;
          yield { mention: mention(i, i % 50 === 0 ? 'vermin #WeStandTogether' : undefined) };
        }
        for (let i = 300; i < 360; i++) {
          now += 10_000;
          yield { mention: mention(i, i % 3 === 0 ? undefined : 'vermin #WeStandTogether') };
        }
      },
    };
    await pipeline.run(source, new AbortController().signal);
    const alerts = store.log.filter((e) => e.type === 'alert.hijack');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ campaign: 'belgium', hashtag: 'westandtogether' });
    expect(Date.parse(alerts[0]!.at)).toBeGreaterThan(Date.parse('2026-11-25T11:00:00Z'));
    expect(log.withCode('HIJACK_ALERT')).toHaveLength(1);
    expect(pipeline.counts().alerts).toBe(1);

    // A restart in the middle of the surge: history and cooldown come back from the store, so
    // the same hijack is not announced twice; without them it would be.
    const more = (from: number): MentionSource => ({
      name: 'scripted',
      stats: () => ({ malformed: 0, reconnects: 0, backfilled: 0 }),
      async *mentions() {
        for (let i = from; i < from + 40; i++) {
          now += 10_000;
          yield { mention: mention(i, 'vermin #WeStandTogether') };
        }
      },
    });
    const options = { store, scorer: testScore, campaigns: [campaign], logger: log.logger, clock: () => now };
    const restarted = new MentionPipeline(options);
    await restarted.primeFromStore(
      new Date(now - 600_000).toISOString(),
      new Date(now - restarted.hijackHistoryMs).toISOString(),
    );
    const savedNow = now;
    await restarted.run(more(1000), new AbortController().signal);
    expect(restarted.counts().alerts).toBe(0);
    expect(store.log.filter((e) => e.type === 'alert.hijack')).toHaveLength(1);

    now = savedNow;
    const forgetful = new MentionPipeline({ ...options, store: new MemoryStore() });
    await forgetful.run(more(2000), new AbortController().signal);
    expect(forgetful.counts().alerts).toBe(1);
  });
});
