import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cleanupAfterEach } from '../../tests/_cleanups.ts';
import { at, flag, mentionEvent } from '../../tests/store-fixtures.ts';
import type { FileStore } from './file-store.ts';
import { openFileStore } from './file-store.ts';
import type { ActivityEvent, JournalEntry } from './types.ts';

const { cleanups, dataDir } = cleanupAfterEach();

async function writer(
  dir: string,
  extra: Partial<Parameters<typeof openFileStore>[0]> = {},
): Promise<FileStore> {
  const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0, ...extra });
  cleanups.push(() => store.close());
  return store;
}

async function collect(iterable: AsyncIterable<ActivityEvent>): Promise<ActivityEvent[]> {
  const out: ActivityEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

const journalEntry = (key: string, state: JournalEntry['state'] = 'intent'): JournalEntry => ({
  key,
  campaign: 'demo',
  platform: 'bluesky',
  slotAt: '2026-11-20T12:00:00.000Z',
  text: 'We stand together. Report hate crime: 101, or 999 if urgent.',
  state,
  attempts: 1,
  updatedAt: '2026-11-20T12:00:01.000Z',
});

describe('file store', () => {
  it('appends events into day segments and streams them back in order, filtered', async () => {
    const dir = dataDir();
    const store = await writer(dir);
    await Promise.all([
      store.append(mentionEvent(1, at(0))),
      store.append(mentionEvent(2, at(60), true)),
      store.append({ type: 'control', at: at(86_400), action: 'pause', campaign: 'demo' }),
    ]);
    expect(readdirSync(join(dir, 'events')).sort()).toEqual(['2026-11-20.jsonl', '2026-11-21.jsonl']);
    const all = await collect(store.events());
    expect(all.map((e) => e.type)).toEqual(['mention.seen', 'mention.seen', 'control']);
    const controls = await collect(store.events({ types: ['control'] }));
    expect(controls).toHaveLength(1);
    const window = await collect(store.events({ since: at(30), until: at(3600) }));
    expect(window).toHaveLength(1);
    expect(window[0]!.type === 'mention.seen' && window[0]!.mention.text).toContain('westandtogether');
    // Each line is versioned.
    const first = readFileSync(join(dir, 'events', '2026-11-20.jsonl'), 'utf8').split('\n')[0]!;
    expect(JSON.parse(first).v).toBe(2);
  });

  it('keeps cursors, journal, moderators and state across a reopen (with and without a checkpoint)', async () => {
    const dir = dataDir();
    const store = await writer(dir);
    await store.setCursor('bluesky:jetstream', '1732000000000000');
    await store.putJournal(journalEntry('demo|2026-11-20T12:00|bluesky'));
    await store.putJournal({
      ...journalEntry('demo|2026-11-20T12:00|bluesky', 'confirmed'),
      remoteId: 'at://x',
    });
    await store.putModerator({
      name: 'mod1',
      role: 'moderator',
      passwordHash: 'scrypt$abc',
      createdAt: at(0),
    });
    await store.setState('pause:demo', { paused: true, by: 'cli:test' });
    expect(await store.getState<{ paused: boolean }>('pause:demo')).toEqual({ paused: true, by: 'cli:test' });
    await store.flush();
    // Reopen a second view without closing the first: it replays the write-ahead log.
    const reader = await openFileStore({ dir, mode: 'reader' });
    expect(await reader.getCursor('bluesky:jetstream')).toBe('1732000000000000');
    expect((await reader.getJournal('demo|2026-11-20T12:00|bluesky'))?.state).toBe('confirmed');
    expect(await reader.listJournal({ state: 'confirmed' })).toHaveLength(1);
    expect(await reader.listJournal({ campaign: 'other' })).toHaveLength(0);
    expect((await reader.getModerator('mod1'))?.role).toBe('moderator');
    expect(await reader.getState('pause:demo')).toEqual({ paused: true, by: 'cli:test' });
    await store.close();
    expect(readdirSync(dir)).toContain('state.json');
    const again = await writer(dir);
    expect(await again.getCursor('bluesky:jetstream')).toBe('1732000000000000');
    expect((await again.listModerators()).map((m) => m.name)).toEqual(['mod1']);
    expect(await again.getState('pause:demo')).toEqual({ paused: true, by: 'cli:test' });
  });

  it('derives a flag state from its review events and survives checkpoints', async () => {
    const dir = dataDir();
    const store = await writer(dir, { checkpointBytes: 2_000 });
    const f = flag(1, at(0));
    await store.addFlag(f);
    await store.addFlag({ ...f, campaign: 'changed' }); // idempotent by id
    expect((await store.getFlag(f.id))?.campaign).toBe('demo');
    const acked = await store.addReviewEvent({
      id: 'e1',
      flagId: f.id,
      action: 'acknowledge',
      by: 'mod1',
      at: at(10),
    });
    expect(acked.state).toBe('acknowledged');
    await store.addReviewEvent({
      id: 'e2',
      flagId: f.id,
      action: 'comment',
      by: 'mod1',
      at: at(11),
      note: 'looking',
    });
    const resolved = await store.addReviewEvent({
      id: 'e3',
      flagId: f.id,
      action: 'resolve',
      by: 'mod1',
      at: at(12),
      outcome: 'reported-to-police',
    });
    expect(resolved.state).toBe('resolved');
    expect(resolved.events.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    // A repeated event id is not applied twice.
    await store.addReviewEvent({ id: 'e3', flagId: f.id, action: 'resolve', by: 'mod1', at: at(12) });
    expect((await store.getFlag(f.id))?.events).toHaveLength(3);
    await expect(
      store.addReviewEvent({ id: 'e4', flagId: 'nope', action: 'dismiss', by: 'mod1', at: at(13) }),
    ).rejects.toThrow(/No flag with id "nope"/);
    // Review events are in the activity log too.
    const reviews = await collect(store.events({ types: ['review.event'] }));
    expect(reviews).toHaveLength(3);
    for (let i = 2; i < 40; i++) await store.addFlag(flag(i, at(i)));
    await store.close();
    const again = await writer(dir);
    expect((await again.getFlag(f.id))?.state).toBe('resolved');
    expect((await again.queuePage({ limit: 100 })).total).toBe(39);
  });

  it('pages the review queue with filters, both sort orders and cursors', async () => {
    const dir = dataDir();
    const store = await writer(dir);
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 250; i++) {
      adds.push(
        store.addFlag(
          flag(i, at(i), {
            campaign: i % 5 === 0 ? 'other' : 'demo',
            score: (i % 17) / 17,
            severity: i % 3 === 0 ? 'medium' : 'high',
            rule: i % 4 === 0 ? 'threat.violence' : 'slur.test',
            hashtags: i % 2 === 0 ? ['westandtogether', 'london'] : ['westandtogether'],
          }),
        ),
      );
    }
    await Promise.all(adds);
    await store.addReviewEvent({
      id: 'd1',
      flagId: flag(249, at(249)).id,
      action: 'dismiss',
      by: 'm',
      at: at(300),
    });

    const first = await store.queuePage({ limit: 50, state: 'open' });
    expect(first.total).toBe(249);
    expect(first.items).toHaveLength(50);
    expect(first.items[0]!.createdAt).toBe(at(248)); // newest first, the dismissed one left out
    const seen = new Set(first.items.map((f) => f.id));
    let next = first.next;
    while (next) {
      const page = await store.queuePage({ limit: 50, state: 'open', after: next });
      for (const f of page.items) {
        expect(seen.has(f.id)).toBe(false);
        seen.add(f.id);
      }
      next = page.next;
    }
    expect(seen.size).toBe(249);

    const byScore = await store.queuePage({ limit: 20, sort: 'score' });
    const scores = byScore.items.map((f) => f.verdict.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const page2 = await store.queuePage({ limit: 20, sort: 'score', after: byScore.next! });
    expect(page2.items[0]!.verdict.score).toBeLessThanOrEqual(scores[scores.length - 1]!);

    const filtered = await store.queuePage({
      limit: 500,
      campaign: 'demo',
      severity: 'medium',
      rule: 'threat.violence',
      hashtag: '#London',
      platform: 'bluesky',
    });
    const expected = Array.from({ length: 250 }, (_, i) => i).filter(
      (i) => i % 5 !== 0 && i % 3 === 0 && i % 4 === 0 && i % 2 === 0,
    );
    expect(filtered.total).toBe(expected.length);
    expect(filtered.items.map((f) => f.mention.url).sort()).toEqual(
      expected.map((i) => `https://example.test/post/${i}`).sort(),
    );
    expect((await store.queuePage({ limit: 10, state: ['dismissed', 'resolved'] })).total).toBe(1);
    await expect(store.queuePage({ limit: 10, sort: 'score', after: first.next! })).rejects.toThrow(/cursor/);
  });

  it('counts posts, mentions, flags and alerts per hour for a range', async () => {
    const dir = dataDir();
    const store = await writer(dir);
    await store.append(mentionEvent(1, at(0)));
    await store.append(mentionEvent(2, at(10), true));
    await store.append(mentionEvent(3, at(3600), true, 'other'));
    await store.append({
      type: 'post.confirmed',
      at: at(20),
      campaign: 'demo',
      platform: 'bluesky',
      slotKey: 'k',
      remoteId: 'r',
      url: 'u',
    });
    await store.append({
      type: 'alert.hijack',
      at: at(30),
      campaign: 'demo',
      hashtag: 'westandtogether',
      windowShare: 0.4,
      baselineShare: 0.05,
    });
    const all = await store.stats({ from: at(0), to: at(7200) });
    expect(all).toMatchObject({ posts: 1, mentionsSeen: 3, mentionsFlagged: 2, alerts: 1 });
    expect(all.hourly).toEqual([
      { hour: '2026-11-20T10:00:00.000Z', posts: 1, seen: 2, flagged: 1 },
      { hour: '2026-11-20T11:00:00.000Z', posts: 0, seen: 1, flagged: 1 },
    ]);
    const demo = await store.stats({ from: at(0), to: at(7200), campaign: 'demo' });
    expect(demo.mentionsSeen).toBe(2);
    // Incremental: a later append is counted on the next call.
    await store.append(mentionEvent(4, at(40)));
    expect((await store.stats({ from: at(0), to: at(3600) })).mentionsSeen).toBe(3);
  });

  it('commits many concurrent appends as a group, all durable after flush', async () => {
    const dir = dataDir();
    const store = await writer(dir);
    const appends: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) appends.push(store.append(mentionEvent(i, at(i))));
    await Promise.all(appends);
    await store.flush();
    const lines = readFileSync(join(dir, 'events', '2026-11-20.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(2000);
    // Far fewer commits (writes + fsyncs) than appends.
    expect(store.commits).toBeGreaterThan(0);
    expect(store.commits).toBeLessThan(100);
  });

  it('refuses changes through a reader', async () => {
    const dir = dataDir();
    await (await writer(dir)).close();
    const reader = await openFileStore({ dir, mode: 'reader' });
    await expect(reader.setCursor('a', 'b')).rejects.toThrow(/read-only/);
  });

  it('lets other processes change state while the bot runs, through the inbox', async () => {
    const dir = dataDir();
    const bot = await writer(dir, { inboxPollMs: 20, role: 'bot' });
    const f = flag(7, at(0));
    await bot.addFlag(f);
    await bot.flush();
    const cli = await openFileStore({ dir, mode: 'auto' });
    expect(cli.mode).toBe('client');
    expect((await cli.getFlag(f.id))?.state).toBe('open');
    await cli.setState('pause:demo', { paused: true });
    expect(await bot.getState('pause:demo')).toEqual({ paused: true });
    const acked = await cli.addReviewEvent({
      id: 'c1',
      flagId: f.id,
      action: 'acknowledge',
      by: 'cli:test',
      at: at(5),
    });
    expect(acked.state).toBe('acknowledged');
    expect((await bot.getFlag(f.id))?.state).toBe('acknowledged');
    await expect(
      cli.addReviewEvent({ id: 'c2', flagId: 'missing', action: 'dismiss', by: 'cli:test', at: at(6) }),
    ).rejects.toThrow(/No flag with id "missing"/);
    expect(readdirSync(join(dir, 'inbox'))).toEqual([]);
  });

  it('applies changes directly when no bot runs, and releases the lock afterwards', async () => {
    const dir = dataDir();
    const cli = await openFileStore({ dir, mode: 'auto' });
    expect(cli.mode).toBe('writer');
    await cli.setState('pause:demo', { paused: true });
    await cli.close();
    expect(readdirSync(dir)).not.toContain('store.lock');
    const bot = await writer(dir);
    expect(await bot.getState('pause:demo')).toEqual({ paused: true });
  });

  it('the bot prunes on its own schedule', async () => {
    const dir = dataDir();
    const now = new Date('2026-12-20T12:00:00.000Z');
    const bot = await writer(dir, { role: 'bot', pruneEveryMs: 30, clock: () => now });
    await bot.append(mentionEvent(1, '2026-11-01T10:00:00.000Z'));
    await bot.append(mentionEvent(2, '2026-12-19T10:00:00.000Z'));
    // Each run records its report; the effect that matters is the old mention leaving the log.
    await vi.waitFor(async () => expect((await collect(bot.events())).length).toBe(1), { timeout: 10_000 });
    expect(await bot.getState('store.lastPrune')).toMatchObject({
      policy: { unflaggedDays: 7, flaggedDays: 90 },
    });
    expect((await collect(bot.events())).length).toBe(1);
  });

  it('a reader refresh() picks up new changes, within a log generation and across a checkpoint', async () => {
    const dir = dataDir();
    const bot = await writer(dir, { checkpointBytes: 4_000 });
    await bot.setCursor('a', '1');
    await bot.flush();
    const reader = await openFileStore({ dir, mode: 'reader' });
    expect(await reader.getCursor('a')).toBe('1');
    await bot.setCursor('a', '2');
    await reader.refresh();
    expect(await reader.getCursor('a')).toBe('2');
    // Enough flags to force checkpoints (new state.json, new log generation).
    for (let i = 0; i < 20; i++) await bot.addFlag(flag(i, at(i)));
    await bot.setCursor('a', '3');
    await reader.refresh();
    expect(await reader.getCursor('a')).toBe('3');
    expect(reader.flagCount).toBe(20);
  });
});
