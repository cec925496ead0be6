import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../tests/_cleanups.ts';
import { campaignFromYaml, tempDir } from '../../tests/_util.ts';
import type { PostDraft } from '../campaign/render.ts';
import type { Campaign } from '../campaign/schema.ts';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../logger.ts';
import type { PlatformAdapter, Post } from '../platforms/types.ts';
import { openStore } from '../store/index.ts';
import { Publisher } from './publish.ts';
import { Scheduler } from './scheduler.ts';

const { cleanups } = cleanupAfterEach();

class RecordingAdapter implements PlatformAdapter {
  readonly name = 'recording';
  posts: PostDraft[] = [];
  failNext = false;

  async post(draft: PostDraft): Promise<Post> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('network down');
    }
    this.posts.push(draft);
    return { platform: draft.platform, remoteId: String(this.posts.length), url: 'u', postedAt: '' };
  }
}

const YAML = (extra = '') => `
name: Sched
timezone: Europe/London
start: 2026-03-27T00:00
platforms: [x, bluesky]
schedules:
  - cron: "0 9,18 * * *"
messages: ["first", "second", "third"]
${extra}`;

async function setup(extra = '', start = '2026-03-27T08:59:00Z', more: Campaign[] = []) {
  const clock = new ManualClock(start);
  const adapter = new RecordingAdapter();
  const campaign = campaignFromYaml(YAML(extra));
  const dir = tempDir('solidarity-scheduler-');
  cleanups.push(dir.cleanup);
  const store = await openStore(
    { backend: 'file', dir: dir.path },
    { use: 'bot', fsync: false, pruneEveryMs: 0 },
  );
  cleanups.push(() => store.close());
  const adapters = { x: adapter, bluesky: adapter };
  const logger = silentLogger();
  const publisher = new Publisher({ store, adapters, clock, logger, random: () => 0.5 });
  const scheduler = new Scheduler({ campaigns: [campaign, ...more], clock, logger, publisher });
  return { clock, adapter, scheduler, store };
}

describe('scheduler', () => {
  it('a first start looks back the grace window: posts slots within it, skips older ones with a reason', async () => {
    // 09:00 is 90 min old (within the 120 min grace), 18:00 of the day before is far older.
    const { clock, adapter, scheduler } = await setup('grace_minutes: 120', '2026-03-28T10:30:00Z');
    expect(clock.now().toISOString()).toBe('2026-03-28T10:30:00.000Z');
    const results = await scheduler.recover();
    expect(results.map((r) => [r.draft.slotAt.toISOString(), r.draft.platform, r.outcome])).toEqual([
      ['2026-03-28T09:00:00.000Z', 'x', 'posted'],
      ['2026-03-28T09:00:00.000Z', 'bluesky', 'posted'],
    ]);
    expect(adapter.posts).toHaveLength(2);
  });

  it('a first start skips, with post.skipped and its reason, a slot past its grace inside the look-back', async () => {
    const { store, scheduler } = await setup('grace_minutes: 120', '2026-03-28T10:45:00Z', [
      campaignFromYaml(YAML('grace_minutes: 30'), 'short.yaml'),
    ]);
    const results = await scheduler.recover();
    const outcomes = results.map((r) => [r.draft.campaign, r.draft.platform, r.outcome]);
    expect(outcomes).toEqual([
      ['test', 'x', 'posted'],
      ['test', 'bluesky', 'posted'],
      ['short', 'x', 'skipped'],
      ['short', 'bluesky', 'skipped'],
    ]);
    const skipped = [];
    for await (const e of store.events({ types: ['post.skipped'] })) skipped.push(e);
    expect(skipped).toHaveLength(2);
    expect(skipped.map((e) => (e.type === 'post.skipped' ? e.reason : ''))).toEqual([
      'missed: 105 min late, beyond the 30 min grace window',
      'missed: 105 min late, beyond the 30 min grace window',
    ]);
  });

  it('posts nothing before a slot and each due slot once on every platform', async () => {
    const { clock, adapter, scheduler } = await setup();
    expect(await scheduler.tick()).toEqual([]);
    clock.set('2026-03-27T09:00:00Z');
    const results = await scheduler.tick();
    expect(results.map((r) => r.draft.platform)).toEqual(['x', 'bluesky']);
    expect(adapter.posts.map((p) => p.text)).toEqual(['first', 'first']);
    clock.set('2026-03-27T09:01:00Z');
    expect(await scheduler.tick()).toEqual([]);
    expect(adapter.posts).toHaveLength(2);
  });

  it('keeps local time across the DST change, minute by minute', async () => {
    const { clock, adapter, scheduler } = await setup('', '2026-03-28T00:00:00Z');
    // Two days, one tick a minute, as node-cron would wake it.
    for (let minute = 0; minute < 2 * 24 * 60; minute++) {
      clock.advance(60_000);
      await scheduler.tick();
    }
    const times = [...new Set(adapter.posts.map((p) => p.slotAt.toISOString()))];
    expect(times).toEqual([
      '2026-03-28T09:00:00.000Z',
      '2026-03-28T18:00:00.000Z',
      '2026-03-29T08:00:00.000Z', // 09:00 BST
      '2026-03-29T17:00:00.000Z', // 18:00 BST
    ]);
  });

  it('skips the slots of a paused campaign', async () => {
    const { clock, adapter, scheduler } = await setup('paused: true');
    clock.set('2026-03-27T09:00:00Z');
    const results = await scheduler.tick();
    // Both platforms' slots are recorded as skipped (with the reason), and nothing is posted.
    expect(results.map((r) => [r.draft.platform, r.outcome])).toEqual([
      ['x', 'skipped'],
      ['bluesky', 'skipped'],
    ]);
    expect(results[0]?.error).toMatch(/paused/);
    expect(adapter.posts).toEqual([]);
  });

  it('reports a failed post and goes on with the other platform', async () => {
    const { clock, adapter, scheduler } = await setup();
    adapter.failNext = true;
    clock.set('2026-03-27T09:00:00Z');
    const results = await scheduler.tick();
    expect(results[0]?.error).toBe('network down');
    expect(results[1]?.post?.remoteId).toBe('1');
  });

  it('lists upcoming posts in time order', async () => {
    const { scheduler } = await setup();
    const upcoming = scheduler.upcoming(2);
    expect(upcoming.map((d) => `${d.slotAt.toISOString()} ${d.platform} ${d.text}`)).toEqual([
      '2026-03-27T09:00:00.000Z x first',
      '2026-03-27T09:00:00.000Z bluesky first',
      '2026-03-27T18:00:00.000Z x second',
      '2026-03-27T18:00:00.000Z bluesky second',
    ]);
  });
});
