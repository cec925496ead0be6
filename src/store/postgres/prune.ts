/**
 * Retention in the database: the rule of eventExpired() and flagExpired() in
 * src/store/retention.ts (the file store applies it line by line), written as SQL so the rows
 * never travel to the bot:
 * flags closed longer ago than flaggedDays leave the queue; mention.seen events past their days
 * and review events of flags no longer kept leave the activity log; hourly counts stay (they are
 * their own table). One transaction: a reader never sees half a prune.
 */
import type pg from 'pg';
import type { PruneReport, RetentionPolicy } from '../types.ts';
import { inTransaction } from './connection.ts';

const DAY_MS = 86_400_000;

export async function pruneDatabase(pool: pg.Pool, policy: RetentionPolicy, now: Date): Promise<PruneReport> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const flaggedBefore = iso(now.getTime() - policy.flaggedDays * DAY_MS);
  const unflaggedBefore = iso(now.getTime() - policy.unflaggedDays * DAY_MS);
  return inTransaction(pool, async (client) => {
    // 1. Closed flags past their days (their review events go with them: ON DELETE CASCADE).
    const flags = await client.query('DELETE FROM flags WHERE closed_at IS NOT NULL AND closed_at <= $1', [
      flaggedBefore,
    ]);
    // 2. Mentions: unflagged past unflaggedDays; flagged past flaggedDays once no flag keeps them.
    const mentions = await client.query(
      `DELETE FROM events e
       WHERE e.type = 'mention.seen' AND (
         (NOT e.flagged AND e.at < $1) OR
         (e.flagged AND e.at < $2 AND NOT EXISTS (
           SELECT 1 FROM flags f WHERE f.platform = e.mention_platform AND f.mention_id = e.mention_id)))`,
      [unflaggedBefore, flaggedBefore],
    );
    // 3. Decisions on flags no longer kept, past flaggedDays.
    const reviews = await client.query(
      `DELETE FROM events e
       WHERE e.type = 'review.event' AND e.at < $1
         AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.id = e.flag_id)`,
      [flaggedBefore],
    );
    const mentionsDropped = mentions.rowCount ?? 0;
    return {
      at: now.toISOString(),
      policy,
      flagsDropped: flags.rowCount ?? 0,
      segmentsRewritten: 0,
      linesDropped: mentionsDropped + (reviews.rowCount ?? 0),
      mentionsDropped,
      bytesBefore: 0,
      bytesAfter: 0,
    };
  });
}
