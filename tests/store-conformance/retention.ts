/** Retention: old unflagged text goes after 7 days, flagged 90 days after resolution, counts stay. */
import { describe, expect, it, vi } from 'vitest';
import type { ReviewEvent } from '../../src/core/review.ts';
import type { ActivityEvent, Store } from '../../src/store/types.ts';
import { flag, mentionEvent } from '../store-fixtures.ts';
import { type Conformance, collect } from './harness.ts';

export const NOW = new Date('2026-12-20T12:00:00.000Z');
export const url = (i: number) => `https://example.test/post/${i}`;

/** Moderator "mod" resolves the flag on mention `n` at `at`. */
function resolveFlag(store: Store, n: number, at: string, details: Pick<ReviewEvent, 'outcome' | 'note'>) {
  return store.addReviewEvent({
    id: `r${n}`,
    flagId: flag(n, '').id,
    action: 'resolve',
    by: 'mod',
    at,
    ...details,
  });
}

/**
 * 1 unflagged, old (2026-11-01): dropped.  2 flagged, resolved 2026-11-02: kept (< 90 days).
 * 3 flagged, still open: kept.  4 flagged, never queued, 49 days old: kept.
 * 5 flagged, resolved 2026-08-02: dropped with its flag and review events.
 * 6 unflagged, 2 days old: kept.  A confirmed post from August: kept forever.
 */
export async function seedRetention(store: Store): Promise<void> {
  await store.append(mentionEvent(1, '2026-11-01T10:00:00.000Z'));
  await store.append(mentionEvent(2, '2026-11-01T10:05:00.000Z', true));
  await store.addFlag(flag(2, '2026-11-01T10:05:00.000Z'));
  await resolveFlag(store, 2, '2026-11-02T09:00:00.000Z', { outcome: 'reported-to-police' });
  await store.append(mentionEvent(3, '2026-11-01T10:10:00.000Z', true));
  await store.addFlag(flag(3, '2026-11-01T10:10:00.000Z'));
  await store.append(mentionEvent(4, '2026-11-01T10:15:00.000Z', true));
  await store.append(mentionEvent(5, '2026-08-01T10:00:00.000Z', true));
  await store.addFlag(flag(5, '2026-08-01T10:00:00.000Z'));
  await resolveFlag(store, 5, '2026-08-02T09:00:00.000Z', { note: 'sent to police' });
  await store.append(mentionEvent(6, '2026-12-18T10:00:00.000Z'));
  await store.append({
    type: 'post.confirmed',
    at: '2026-08-01T09:00:00.000Z',
    campaign: 'demo',
    platform: 'bluesky',
    slotKey: 'k',
    remoteId: 'at://post',
    url: 'https://bsky.app/post',
  });
}

export async function mentionUrls(store: Store): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.events({ types: ['mention.seen'] }) as AsyncIterable<ActivityEvent>) {
    if (e.type === 'mention.seen') out.push(e.mention.url);
  }
  return out.sort();
}

export const RANGE = { from: '2026-07-01T00:00:00.000Z', to: '2026-12-21T00:00:00.000Z' };

export function retentionTests(suite: Conformance): void {
  describe('retention', () => {
    it('drops old text, keeps flagged evidence until resolved + 90 days, and keeps every count', async () => {
      const data = await suite.data();
      const store = await data.open('bot', { clock: () => NOW });
      await seedRetention(store);
      const before = await store.stats(RANGE);
      expect(before).toMatchObject({ posts: 1, mentionsSeen: 6, mentionsFlagged: 4 });

      const report = await store.prune();
      // Dropped: mentions 1 and 5, and the review event of 5 (its flag went).
      expect(report).toMatchObject({
        at: NOW.toISOString(),
        policy: { unflaggedDays: 7, flaggedDays: 90 },
        flagsDropped: 1,
        mentionsDropped: 2,
        linesDropped: 3,
      });
      expect(await mentionUrls(store)).toEqual([url(2), url(3), url(4), url(6)]);
      expect(await store.getFlag(flag(5, '').id)).toBeUndefined();
      expect((await store.getFlag(flag(2, '').id))?.state).toBe('resolved');
      expect(await collect(store.events({ types: ['review.event'] }))).toHaveLength(1); // r5 went with its flag
      expect(await collect(store.events({ types: ['post.confirmed'] }))).toHaveLength(1);
      // Counts are kept forever.
      expect(await store.stats(RANGE)).toEqual(before);
      // Idempotent.
      expect(await store.prune()).toMatchObject({ flagsDropped: 0, linesDropped: 0, mentionsDropped: 0 });
      expect(await store.stats(RANGE)).toEqual(before);
      await store.close();
      const reopened = await data.open('read');
      expect(await reopened.stats(RANGE)).toEqual(before);
      expect(await mentionUrls(reopened)).toEqual([url(2), url(3), url(4), url(6)]);
    });

    it('a shorter policy prunes more; a command prunes with the running bot', async () => {
      const data = await suite.data();
      const retention = { unflaggedDays: 1, flaggedDays: 30 };
      const bot = await data.open('bot', { clock: () => NOW, retention });
      await seedRetention(bot);
      await bot.flush();
      const cli = await data.open('change', { clock: () => NOW, retention });
      const report = await cli.prune();
      // 6 (2 days old) goes with a 1-day policy; 2 (resolved 48 days ago) and 4 (flagged, never
      // queued, 49 days old) with a 30-day one; 3 stays while its flag is open.
      expect(report.policy).toEqual(retention);
      expect(report.flagsDropped).toBe(2);
      await bot.refresh();
      expect(await mentionUrls(bot)).toEqual([url(3)]);
      expect((await bot.queuePage({ limit: 10 })).items.map((f) => f.id)).toEqual([flag(3, '').id]);
    });

    it('the bot prunes on its own schedule and records the report', async () => {
      const data = await suite.data();
      const bot = await data.open('bot', { pruneEveryMs: 30, clock: () => NOW });
      await bot.append(mentionEvent(1, '2026-11-01T10:00:00.000Z'));
      await bot.append(mentionEvent(2, '2026-12-19T10:00:00.000Z'));
      await vi.waitFor(async () => expect(await mentionUrls(bot)).toEqual([url(2)]), { timeout: 10_000 });
      expect(await bot.getState('store.lastPrune')).toMatchObject({
        policy: { unflaggedDays: 7, flaggedDays: 90 },
      });
    });
  });
}
