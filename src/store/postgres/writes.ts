/**
 * Writes to the PostgreSQL store, grouped: changes that arrive while a transaction runs wait and
 * go out together in the next one (group commit), each table's rows in one multi-row statement.
 * A caller's promise resolves when the transaction holding its change has committed; a change
 * given as one StoreTx is never split across transactions, so it is all there or none of it.
 */

import type pg from 'pg';
import type { Logger } from 'pino';
import type { Flag, ReviewEvent } from '../../core/review.ts';
import { deriveState } from '../../moderation/review.ts';
import { dayOf } from '../activity-log.ts';
import { closedAt } from '../queue.ts';
import type { ActivityEvent, JournalEntry, Moderator } from '../types.ts';
import { inTransaction } from './connection.ts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A string fit for a text column or parameter: PostgreSQL text cannot hold NUL or a lone
 * surrogate (a hostile post can carry both), so they become U+FFFD there. Records themselves go
 * into json columns as JSON text (see `asJson`), so what the store reads back is exact.
 */
export function pgText(value: string): string {
  return value.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATE, '\ufffd');
}

/** The nullable form of pgText. */
function pgTextOrNull(value: string | undefined | null): string | null {
  return value === undefined || value === null ? null : pgText(value);
}

/**
 * A value as JSON text, carried as a string inside the statement's JSON parameter and cast back
 * with ::json: the json column keeps the text as written (\u0000 escapes included), whereas
 * taking the value apart as json would refuse them.
 */
function asJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Everything one transaction writes. State values of `undefined` remove the key. */
export interface WriteSet {
  events: ActivityEvent[];
  flags: Flag[];
  journal: JournalEntry[];
  cursors: Array<{ key: string; value: string }>;
  state: Array<{ key: string; value: unknown }>;
  moderators: Moderator[];
}

export function writeSet(parts: Partial<WriteSet>): WriteSet {
  return {
    events: parts.events ?? [],
    flags: parts.flags ?? [],
    journal: parts.journal ?? [],
    cursors: parts.cursors ?? [],
    state: parts.state ?? [],
    moderators: parts.moderators ?? [],
  };
}

function size(set: WriteSet): number {
  return (
    set.events.length +
    set.flags.length +
    set.journal.length +
    set.cursors.length +
    set.state.length +
    set.moderators.length
  );
}

/** The last change to each key wins (one statement cannot touch a row twice). */
function lastByKey<T>(items: T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    byKey.delete(k);
    byKey.set(k, item);
  }
  return [...byKey.values()];
}

/** The first flag with an id wins: adding a flag is idempotent by id. */
function firstById(flags: Flag[]): Flag[] {
  const byId = new Map<string, Flag>();
  for (const flag of flags) if (!byId.has(pgText(flag.id))) byId.set(pgText(flag.id), flag);
  return [...byId.values()];
}

function merge(sets: WriteSet[]): WriteSet {
  const all = writeSet({});
  for (const s of sets) {
    all.events.push(...s.events);
    all.flags.push(...s.flags);
    all.journal.push(...s.journal);
    all.cursors.push(...s.cursors);
    all.state.push(...s.state);
    all.moderators.push(...s.moderators);
  }
  return all;
}

/** One activity log row: the columns the queries filter on, and the event as written. */
export function eventRow(event: ActivityEvent) {
  const at = new Date(event.at).toISOString();
  return {
    day: dayOf(event.at),
    at,
    type: event.type,
    campaign: 'campaign' in event ? pgTextOrNull(event.campaign) : null,
    mention_platform: event.type === 'mention.seen' ? pgText(event.mention.platform) : null,
    mention_id: event.type === 'mention.seen' ? pgText(event.mention.id) : null,
    flagged: event.type === 'mention.seen' ? event.verdict.flagged : null,
    flag_id: event.type === 'review.event' ? pgText(event.event.flagId) : null,
    body: asJson(event),
  };
}

/**
 * Inserts events and adds them to the hourly counts, in one statement. A second mention.seen for
 * the same campaign and mention is dropped by the unique index (and not counted).
 */
export const INSERT_EVENTS = `
WITH ins AS (
  INSERT INTO events (day, at, type, campaign, mention_platform, mention_id, flagged, flag_id, body)
  SELECT day, at, type, campaign, mention_platform, mention_id, flagged, flag_id, body::json
  FROM json_to_recordset($1::json) AS x(
    day text, at timestamptz, type text, campaign text, mention_platform text, mention_id text,
    flagged boolean, flag_id text, body text)
  ON CONFLICT DO NOTHING
  RETURNING at, type, campaign, flagged
)
INSERT INTO hourly_counts AS h (hour, campaign, posts, seen, flagged, alerts)
SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS hour, coalesce(campaign, '') AS campaign,
  count(*) FILTER (WHERE type = 'post.confirmed'),
  count(*) FILTER (WHERE type = 'mention.seen'),
  count(*) FILTER (WHERE type = 'mention.seen' AND flagged),
  count(*) FILTER (WHERE type = 'alert.hijack')
FROM ins
WHERE type IN ('post.confirmed', 'mention.seen', 'alert.hijack')
GROUP BY 1, 2
ORDER BY 1, 2
ON CONFLICT (hour, campaign) DO UPDATE SET
  posts = h.posts + excluded.posts,
  seen = h.seen + excluded.seen,
  flagged = h.flagged + excluded.flagged,
  alerts = h.alerts + excluded.alerts`;

/** A flag's row (its state derived from its events, as the review rules say). */
export function flagRow(flag: Flag) {
  const state = deriveState(flag.events);
  const closed = closedAt({ ...flag, state });
  const closedMs = closed === undefined ? Number.NaN : Date.parse(closed);
  return {
    id: pgText(flag.id),
    campaign: pgText(flag.campaign),
    platform: pgText(flag.mention.platform),
    mention_id: pgText(flag.mention.id),
    severity: flag.verdict.severity,
    score: flag.verdict.score,
    state,
    created_at: pgText(flag.createdAt),
    closed_at: Number.isNaN(closedMs) ? null : new Date(closedMs).toISOString(),
    hashtags: flag.mention.hashtags.map(pgText),
    rules: flag.verdict.reasons.map((r) => pgText(r.rule)),
    mention: asJson(flag.mention),
    verdict: asJson(flag.verdict),
  };
}

const INSERT_FLAGS = `
INSERT INTO flags (id, campaign, platform, mention_id, severity, score, state, created_at, closed_at,
  hashtags, rules, mention, verdict)
SELECT id, campaign, platform, mention_id, severity, score, state, created_at, closed_at,
  ARRAY(SELECT json_array_elements_text(hashtags)), ARRAY(SELECT json_array_elements_text(rules)),
  mention::json, verdict::json
FROM json_to_recordset($1::json) AS x(
  id text, campaign text, platform text, mention_id text, severity text, score double precision,
  state text, created_at text, closed_at timestamptz, hashtags json, rules json, mention text,
  verdict text)
ON CONFLICT (id) DO NOTHING
RETURNING id`;

export const INSERT_REVIEW_EVENTS = `
INSERT INTO review_events (flag_id, id, event)
SELECT flag_id, id, event::json
FROM json_to_recordset($1::json) AS x(flag_id text, id text, event text)
ON CONFLICT DO NOTHING
RETURNING id`;

const UPSERT_JOURNAL = `
INSERT INTO journal (key, campaign, platform, slot_at, state, entry)
SELECT key, campaign, platform, slot_at, state, entry::json
FROM json_to_recordset($1::json) AS x(
  key text, campaign text, platform text, slot_at text, state text, entry text)
ON CONFLICT (key) DO UPDATE SET
  campaign = excluded.campaign, platform = excluded.platform, slot_at = excluded.slot_at,
  state = excluded.state, entry = excluded.entry`;

const UPSERT_CURSORS = `
INSERT INTO cursors (key, value)
SELECT key, value FROM json_to_recordset($1::json) AS x(key text, value text)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`;

const UPSERT_STATE = `
INSERT INTO state (key, value, updated_at)
SELECT key, value::json, now() FROM json_to_recordset($1::json) AS x(key text, value text)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;

const UPSERT_MODERATORS = `
INSERT INTO moderators (name, moderator)
SELECT name, moderator::json FROM json_to_recordset($1::json) AS x(name text, moderator text)
ON CONFLICT (name) DO UPDATE SET moderator = excluded.moderator`;

/** A review event's row. */
export function reviewEventRow(flagId: string, event: ReviewEvent) {
  return { flag_id: pgText(flagId), id: pgText(event.id), event: asJson(event) };
}

/** Runs the statements for `set` on `client`, inside the caller's transaction. */
export async function applyWriteSet(client: pg.ClientBase, set: WriteSet): Promise<void> {
  if (set.events.length > 0) {
    await client.query(INSERT_EVENTS, [JSON.stringify(set.events.map(eventRow))]);
  }
  const flags = firstById(set.flags);
  if (flags.length > 0) {
    const inserted = await client.query<{ id: string }>(INSERT_FLAGS, [JSON.stringify(flags.map(flagRow))]);
    // Only a flag added now brings its events: a repeated flag is left as it is.
    const added = new Set(inserted.rows.map((r) => r.id));
    const events = flags
      .filter((f) => added.has(pgText(f.id)))
      .flatMap((f) => f.events.map((e) => reviewEventRow(f.id, e)));
    if (events.length > 0) await client.query(INSERT_REVIEW_EVENTS, [JSON.stringify(events)]);
  }
  const journal = lastByKey(set.journal, (e) => pgText(e.key));
  if (journal.length > 0) {
    const rows = journal.map((entry) => ({
      key: pgText(entry.key),
      campaign: pgText(entry.campaign),
      platform: pgText(entry.platform),
      slot_at: pgText(entry.slotAt),
      state: entry.state,
      entry: asJson(entry),
    }));
    await client.query(UPSERT_JOURNAL, [JSON.stringify(rows)]);
  }
  const cursors = lastByKey(set.cursors, (c) => pgText(c.key));
  if (cursors.length > 0) {
    const rows = cursors.map((c) => ({ key: pgText(c.key), value: pgText(c.value) }));
    await client.query(UPSERT_CURSORS, [JSON.stringify(rows)]);
  }
  const state = lastByKey(set.state, (s) => pgText(s.key));
  const removed = state.filter((s) => s.value === undefined).map((s) => pgText(s.key));
  const kept = state.filter((s) => s.value !== undefined);
  if (removed.length > 0) await client.query('DELETE FROM state WHERE key = ANY($1::text[])', [removed]);
  if (kept.length > 0) {
    // The value travels as JSON text inside JSON, so a JSON null stays a value (not SQL NULL).
    const rows = kept.map((s) => ({ key: pgText(s.key), value: asJson(s.value) }));
    await client.query(UPSERT_STATE, [JSON.stringify(rows)]);
  }
  const moderators = lastByKey(set.moderators, (m) => pgText(m.name));
  if (moderators.length > 0) {
    const rows = moderators.map((m) => ({ name: pgText(m.name), moderator: asJson(m) }));
    await client.query(UPSERT_MODERATORS, [JSON.stringify(rows)]);
  }
}

interface Waiting {
  set: WriteSet;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most changes in one transaction: bounds the statement size, not the throughput. */
const MAX_BATCH = 5_000;

/** Group commit: one transaction at a time, holding every change that waited for it. */
export class GroupWriter {
  readonly #pool: pg.Pool;
  readonly #fail: (error: unknown) => Error;
  readonly #logger: Logger;
  /** Runs inside each transaction after its changes (the change notices for other instances). */
  readonly #also: ((client: pg.ClientBase, set: WriteSet) => Promise<void>) | undefined;
  #waiting: Waiting[] = [];
  #running: Promise<void> | undefined;
  /** Changes written so far, and how many of them have settled (committed or failed). */
  #submitted = 0;
  #settled = 0;
  readonly #idleWaiters: Array<{ upTo: number; resolve: () => void }> = [];
  /** Transactions committed so far. */
  commits = 0;

  constructor(
    pool: pg.Pool,
    logger: Logger,
    fail: (error: unknown) => Error,
    also?: (client: pg.ClientBase, set: WriteSet) => Promise<void>,
  ) {
    this.#pool = pool;
    this.#logger = logger;
    this.#fail = fail;
    this.#also = also;
  }

  async #apply(client: pg.ClientBase, set: WriteSet): Promise<void> {
    await applyWriteSet(client, set);
    await this.#also?.(client, set);
  }

  write(set: WriteSet): Promise<void> {
    if (size(set) === 0) return Promise.resolve();
    const seq = ++this.#submitted;
    return new Promise((resolve, reject) => {
      this.#waiting.push({
        set,
        resolve: () => {
          this.#settle(seq);
          resolve();
        },
        reject: (error) => {
          this.#settle(seq);
          reject(error);
        },
      });
      this.#running ??= this.#run();
    });
  }

  /** Changes settle in the order they were written (one transaction at a time, in order). */
  #settle(seq: number): void {
    this.#settled = Math.max(this.#settled, seq);
    while (this.#idleWaiters.length > 0 && this.#idleWaiters[0]!.upTo <= this.#settled) {
      this.#idleWaiters.shift()!.resolve();
    }
  }

  /**
   * Resolves when every change written before this call has committed (or failed). Changes
   * written later do not hold it up, so a read never waits for a busy writer to fall quiet.
   */
  idle(): Promise<void> {
    if (this.#settled >= this.#submitted) return Promise.resolve();
    const upTo = this.#submitted;
    return new Promise((resolve) => this.#idleWaiters.push({ upTo, resolve }));
  }

  async #alone(w: Waiting): Promise<void> {
    try {
      await inTransaction(this.#pool, (client) => this.#apply(client, w.set));
      this.commits++;
      w.resolve();
    } catch (error) {
      this.#reject(w, error);
    }
  }

  #reject(w: Waiting, error: unknown): void {
    this.#logger.error(
      { err: error, changes: size(w.set) },
      'database write failed; the change was not saved',
    );
    w.reject(this.#fail(error));
  }

  async #run(): Promise<void> {
    try {
      // Changes made in the same tick join the first transaction.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.#waiting.length > 0) {
        const batch: Waiting[] = [];
        let count = 0;
        while (
          this.#waiting.length > 0 &&
          (batch.length === 0 || count + size(this.#waiting[0]!.set) <= MAX_BATCH)
        ) {
          const next = this.#waiting.shift()!;
          batch.push(next);
          count += size(next.set);
        }
        try {
          await inTransaction(this.#pool, (client) => this.#apply(client, merge(batch.map((w) => w.set))));
          this.commits++;
          for (const w of batch) w.resolve();
        } catch (error) {
          if (batch.length === 1) this.#reject(batch[0]!, error);
          // One change may be the cause (a constraint): the others must not fail with it.
          else for (const w of batch) await this.#alone(w);
        }
      }
    } finally {
      this.#running = undefined;
    }
  }
}
