/** Retention: old unflagged text goes after 7 days, flagged 90 days after resolution, counts stay. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../src/config/env.ts';
import type { ReviewEvent } from '../src/core/review.ts';
import { type FileStore, openStore } from '../src/store/file-store.ts';
import { DEFAULT_RETENTION, retentionFromEnv } from '../src/store/retention.ts';
import type { ActivityEvent } from '../src/store/types.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { flag, mentionEvent, tempDataDir } from './store-fixtures.ts';

const { cleanups } = cleanupAfterEach();

const NOW = new Date('2026-12-20T12:00:00.000Z');
const url = (i: number) => `https://example.test/post/${i}`;

/** Every byte under the data folder, to check that text has really left the disk. */
function allBytes(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(dir);
  return out.join('\n');
}

/** Moderator "mod" resolves the flag on mention `n` at `at`. */
function resolveFlag(
  store: FileStore,
  n: number,
  at: string,
  details: Pick<ReviewEvent, 'outcome' | 'note'>,
) {
  return store.addReviewEvent({
    id: `r${n}`,
    flagId: flag(n, '').id,
    action: 'resolve',
    by: 'mod',
    at,
    ...details,
  });
}

async function seed(store: FileStore): Promise<void> {
  // 1 unflagged, old (2026-11-01): dropped.  2 flagged, resolved 2026-11-02: kept (< 90 days).
  // 3 flagged, still open: kept.  4 flagged, never queued, 49 days old: kept.
  // 5 flagged, resolved 2026-08-02: dropped with its flag and review events.
  // 6 unflagged, 2 days old: kept.  A confirmed post from August: kept forever.
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

async function mentionUrls(store: FileStore): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.events({ types: ['mention.seen'] }) as AsyncIterable<ActivityEvent>) {
    if (e.type === 'mention.seen') out.push(e.mention.url);
  }
  return out.sort();
}

describe('retention', () => {
  it('takes its defaults (7 and 90 days) from the env schema, and its values from the environment', () => {
    expect(DEFAULT_RETENTION).toEqual({ unflaggedDays: 7, flaggedDays: 90 });
    const env = loadEnv(
      { SOLIDARITY_RETENTION_UNFLAGGED_DAYS: '3', SOLIDARITY_RETENTION_FLAGGED_DAYS: '30' },
      { dotenvPath: null },
    );
    expect(retentionFromEnv(env)).toEqual({ unflaggedDays: 3, flaggedDays: 30 });
  });

  it('drops old text, keeps flagged evidence until resolved + 90 days, and keeps every count', async () => {
    const { dir, cleanup } = tempDataDir();
    cleanups.push(cleanup);
    const store = await openStore({ dir, mode: 'writer', inboxPollMs: 0, clock: () => NOW });
    cleanups.push(() => store.close());
    await seed(store);
    const range = { from: '2026-07-01T00:00:00.000Z', to: '2026-12-21T00:00:00.000Z' };
    const before = await store.stats(range);
    expect(before).toMatchObject({ posts: 1, mentionsSeen: 6, mentionsFlagged: 4 });
    expect(allBytes(dir)).toContain(url(1));
    expect(allBytes(dir)).toContain(url(5));

    // Three days touched: 2026-08-01 (mention 5), 2026-08-02 (its review event), 2026-11-01 (mention 1).
    const report = await store.prune();
    expect(report).toMatchObject({
      flagsDropped: 1,
      mentionsDropped: 2,
      linesDropped: 3,
      segmentsRewritten: 3,
    });
    expect(await mentionUrls(store)).toEqual([url(2), url(3), url(4), url(6)]);
    expect(store.getFlag(flag(5, '').id)).toBeUndefined();
    expect(store.getFlag(flag(2, '').id)?.state).toBe('resolved');
    const reviews: ActivityEvent[] = [];
    for await (const e of store.events({ types: ['review.event'] })) reviews.push(e);
    expect(reviews).toHaveLength(1); // r5 went with its flag
    // The text is gone from every file, including the write-ahead log and state.json.
    await store.flush();
    const bytes = allBytes(dir);
    expect(bytes).not.toContain(url(1));
    expect(bytes).not.toContain(url(5));
    expect(bytes).toContain(url(2));
    // Counts are kept forever.
    const after = await store.stats(range);
    expect(after).toEqual(before);
    // Idempotent.
    const again = await store.prune();
    expect(again).toMatchObject({ flagsDropped: 0, linesDropped: 0, segmentsRewritten: 0 });
    expect(await store.stats(range)).toEqual(before);
    await store.close();
    const reopened = await openStore({ dir, mode: 'reader' });
    expect(await reopened.stats(range)).toEqual(before);
  });

  it('a shorter policy prunes more; "store prune" goes through the running bot', async () => {
    const { dir, cleanup } = tempDataDir();
    cleanups.push(cleanup);
    const bot = await openStore({
      dir,
      mode: 'writer',
      role: 'bot',
      inboxPollMs: 20,
      clock: () => NOW,
      retention: { unflaggedDays: 1, flaggedDays: 30 },
    });
    cleanups.push(() => bot.close());
    await seed(bot);
    await bot.flush();
    const cli = await openStore({ dir, mode: 'auto', clock: () => NOW });
    expect(cli.mode).toBe('client');
    const report = await cli.prune();
    // 6 (2 days old) goes with a 1-day policy; 2 (resolved 48 days ago) and 4 (flagged, never
    // queued, 49 days old) with a 30-day one; 3 stays while its flag is open.
    expect(report.policy).toEqual({ unflaggedDays: 1, flaggedDays: 30 });
    expect(await mentionUrls(bot)).toEqual([url(3)]);
    expect(report.flagsDropped).toBe(2);
  });
});
