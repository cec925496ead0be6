/**
 * Reads from the PostgreSQL store: review queue pages (keyset pagination on the same orderings
 * and cursors as the file store's queue), flags, and the activity log streamed in pages.
 * Every record read back is validated, as the file store validates what it reads from disk.
 */
import type pg from 'pg';
import type { z } from 'zod';
import type { Flag } from '../../core/review.ts';
import { SolidarityError } from '../../errors.ts';
import { decodeCursor, encodeCursor, type Sort } from '../queue.ts';
import { activityEventSchema, flagSchema } from '../schema.ts';
import type { ActivityEvent, ActivityType, QueuePage, QueueQuery } from '../types.ts';
import { pgText } from './writes.ts';

/** A row read back that does not have the shape the store writes: named by table and key. */
export function corruptRow(location: string, table: string, key: string, problem: string): SolidarityError {
  return new SolidarityError('STORE_CORRUPT', `${location}: table ${table}, row ${key}: ${problem}`, {
    hint: 'The row was left untouched. Restore the database from a backup, or remove the row by hand; run "solidarity store verify" to check everything.',
  });
}

export function checked<T>(schema: z.ZodType<T>, value: unknown, where: () => [string, string, string]): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const [location, table, key] = where();
  throw corruptRow(
    location,
    table,
    key,
    `wrong schema at ${issue.path.join('.') || '(value)'}: ${issue.message}`,
  );
}

/** Columns of a flag with its review events, oldest first. */
export const FLAG_COLUMNS = `f.id, f.campaign, f.mention, f.verdict, f.state, f.created_at,
  (SELECT coalesce(json_agg(r.event ORDER BY r.seq), '[]'::json) FROM review_events r WHERE r.flag_id = f.id) AS events`;

interface FlagRow {
  id: string;
  campaign: string;
  mention: unknown;
  verdict: unknown;
  state: string;
  created_at: string;
  events: unknown;
}

export function flagFromRow(row: FlagRow, location: string): Flag {
  const flag = {
    id: row.id,
    campaign: row.campaign,
    mention: row.mention,
    verdict: row.verdict,
    state: row.state,
    createdAt: row.created_at,
    events: row.events,
  };
  return checked(flagSchema, flag, () => [location, 'flags', row.id]) as Flag;
}

export async function getFlag(pool: pg.Pool, id: string, location: string): Promise<Flag | undefined> {
  const rows = await pool.query<FlagRow>(`SELECT ${FLAG_COLUMNS} FROM flags f WHERE f.id = $1`, [pgText(id)]);
  return rows.rows[0] ? flagFromRow(rows.rows[0], location) : undefined;
}

/** One page of the review queue, filtered and sorted as the file store's queue does. */
export async function queuePage(pool: pg.Pool, query: QueueQuery, location: string): Promise<QueuePage> {
  const sort: Sort = query.sort ?? 'newest';
  const params: unknown[] = [];
  // Strings compared with text columns take the form they were stored in (see pgText).
  const param = (value: unknown) => {
    params.push(
      typeof value === 'string'
        ? pgText(value)
        : Array.isArray(value)
          ? value.map((v) => (typeof v === 'string' ? pgText(v) : v))
          : value,
    );
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (query.campaign !== undefined) where.push(`f.campaign = ${param(query.campaign)}`);
  if (query.platform !== undefined) where.push(`f.platform = ${param(query.platform)}`);
  if (query.severity !== undefined) where.push(`f.severity = ${param(query.severity)}`);
  const states =
    query.state === undefined ? undefined : Array.isArray(query.state) ? query.state : [query.state];
  // One state is an equality, so the (state, order) index gives the page in order.
  if (states?.length === 1) where.push(`f.state = ${param(states[0])}`);
  else if (states) where.push(`f.state = ANY(${param(states)}::text[])`);
  const hashtag = query.hashtag?.replace(/^#/, '').toLowerCase();
  if (hashtag !== undefined) where.push(`${param(hashtag)} = ANY(f.hashtags)`);
  if (query.rule !== undefined) where.push(`${param(query.rule)} = ANY(f.rules)`);
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const countParams = [...params];

  const pageWhere = [...where];
  if (query.after) {
    const key = decodeCursor(query.after, sort);
    pageWhere.push(
      sort === 'score'
        ? `(f.score, f.created_at, f.id) < (${param(key.score)}::double precision, ${param(key.createdAt)}, ${param(key.id)})`
        : `(f.created_at, f.id) < (${param(key.createdAt)}, ${param(key.id)})`,
    );
  }
  const order =
    sort === 'score' ? 'f.score DESC, f.created_at DESC, f.id DESC' : 'f.created_at DESC, f.id DESC';
  const limit = Math.max(1, Math.min(query.limit, 1000));
  const pageSql = `SELECT ${FLAG_COLUMNS} FROM flags f ${pageWhere.length > 0 ? `WHERE ${pageWhere.join(' AND ')}` : ''}
    ORDER BY ${order} LIMIT ${param(limit + 1)}`;
  const [page, count] = await Promise.all([
    pool.query<FlagRow>(pageSql, params),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM flags f ${filter}`, countParams),
  ]);
  const items = page.rows.slice(0, limit).map((row) => flagFromRow(row, location));
  const result: QueuePage = { items, total: count.rows[0]?.n ?? 0 };
  const last = items[items.length - 1];
  if (page.rows.length > limit && last) {
    result.next = encodeCursor(sort, { id: last.id, createdAt: last.createdAt, score: last.verdict.score });
  }
  return result;
}

/** Every flag, in pages by id (constant memory). */
export async function* allFlags(pool: pg.Pool, location: string, pageSize = 500): AsyncGenerator<Flag> {
  let after: string | undefined;
  for (;;) {
    const rows = await pool.query<FlagRow>(
      `SELECT ${FLAG_COLUMNS} FROM flags f ${after === undefined ? '' : 'WHERE f.id > $2'} ORDER BY f.id LIMIT $1`,
      after === undefined ? [pageSize] : [pageSize, after],
    );
    for (const row of rows.rows) yield flagFromRow(row, location);
    if (rows.rows.length < pageSize) return;
    after = rows.rows[rows.rows.length - 1]!.id;
  }
}

export interface EventsQuery {
  since?: string;
  until?: string;
  types?: ActivityType[];
}

function isoOrUndefined(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The activity log in day order (write order within a day), in pages (constant memory). */
export async function* readEvents(
  pool: pg.Pool,
  options: EventsQuery,
  location: string,
  pageSize = 1000,
): AsyncGenerator<ActivityEvent> {
  const since = isoOrUndefined(options.since);
  const until = isoOrUndefined(options.until);
  let cursor: [string, string] | undefined;
  for (;;) {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (since !== undefined)
      where.push(`at >= ${param(since)}::timestamptz AND day >= ${param(since.slice(0, 10))}`);
    if (until !== undefined)
      where.push(`at < ${param(until)}::timestamptz AND day <= ${param(until.slice(0, 10))}`);
    if (options.types) where.push(`type = ANY(${param(options.types)}::text[])`);
    if (cursor) where.push(`(day, seq) > (${param(cursor[0])}, ${param(cursor[1])}::bigint)`);
    const sql = `SELECT seq::text AS seq_text, day, body FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY events.day, events.seq LIMIT ${param(pageSize)}`;
    const rows = await pool.query<{ seq_text: string; day: string; body: unknown }>(sql, params);
    for (const row of rows.rows) {
      yield checked(activityEventSchema, row.body, () => [
        location,
        'events',
        `seq ${row.seq_text}`,
      ]) as ActivityEvent;
    }
    if (rows.rows.length < pageSize) return;
    const last = rows.rows[rows.rows.length - 1]!;
    cursor = [last.day, last.seq_text];
  }
}
