/**
 * The PostgreSQL store: the same Store as the file store, kept in a database several instances
 * share. Changes are validated as the file store validates them, then group-committed (see
 * writes.ts); a StoreTx is one SQL transaction. Unique constraints make duplicates impossible:
 * one journal row per slot and platform, one mention.seen event per campaign and mention, one
 * flag per id, one review event per id and flag.
 *
 * Opened through src/store/open.ts for a postgres:// STORE_URL; nothing else names it.
 */

import pg from 'pg';
import type { Logger } from 'pino';
import type { Flag, ReviewEvent } from '../../core/review.ts';
import { isSolidarityError, SolidarityError } from '../../errors.ts';
import { silentLogger } from '../../logger.ts';
import { deriveState } from '../../moderation/review.ts';
import type { StoreNotice } from '../changes.ts';
import { hourKey, mergeCounts } from '../counts.ts';
import type { Leadership } from '../leadership.ts';
import { redactUrl } from '../open.ts';
import { closedAt } from '../queue.ts';
import { BOT_PRUNE_EVERY_MS, DEFAULT_RETENTION, PruneSchedule } from '../retention.ts';
import {
  type CountsTable,
  changeSchema,
  journalEntrySchema,
  moderatorSchema,
  type StoreChange,
} from '../schema.ts';
import type { SessionStorage } from '../sessions.ts';
import type {
  ActivityEvent,
  ActivityType,
  JournalEntry,
  Moderator,
  PruneReport,
  QueuePage,
  QueueQuery,
  RetentionPolicy,
  Stats,
  StatsRange,
  Store,
  StoreAccess,
  StoreEntry,
  StoreOpenOptions,
  StoreTx,
} from '../types.ts';
import { inTransaction } from './connection.ts';
import { PgLeadership } from './leadership.ts';
import { assertCurrent, type MigrationStatus, migrate } from './migrate.ts';
import { ChangeListener, noticesFor, sendNotices } from './notify.ts';
import { pruneDatabase } from './prune.ts';
import { allFlags, checked, FLAG_COLUMNS, flagFromRow, getFlag, queuePage, readEvents } from './reads.ts';
import { PgSessionStorage } from './sessions.ts';
import {
  eventRow,
  GroupWriter,
  INSERT_EVENTS,
  INSERT_REVIEW_EVENTS,
  pgText,
  reviewEventRow,
  type WriteSet,
  writeSet,
} from './writes.ts';

/** State key holding the report of the last prune (as in the file store). */
const LAST_PRUNE = 'store.lastPrune';

export interface PostgresStoreOptions extends StoreOpenOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/** Maps a driver error to one a person can act on, naming the database (never its password). */
export function databaseError(error: unknown, location: string, doing: string): Error {
  if (isSolidarityError(error)) return error;
  const e = error as { code?: string; message?: string };
  const reason = e?.message ?? String(error);
  return new SolidarityError('STORE_DATABASE', `Cannot ${doing} the database ${location}: ${reason}`, {
    hint:
      e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === '28P01' || e?.code === '3D000'
        ? 'Check STORE_URL (host, port, user, password, database name) and that PostgreSQL is running.'
        : 'Check that PostgreSQL is running and has disk space, and that the user in STORE_URL may write the tables. Changes not acknowledged were not saved.',
    cause: error,
  });
}

function invalid(change: StoreChange): SolidarityError | undefined {
  const parsed = changeSchema.safeParse(change);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return new SolidarityError(
    'INPUT_INVALID',
    `The store refused a "${change.op}" change: ${issue.path.join('.') || '(value)'}: ${issue.message}`,
    { hint: 'This is a bug in the caller; the database was not changed.' },
  );
}

function badTime(event: ActivityEvent): SolidarityError | undefined {
  if (!Number.isNaN(Date.parse(event.at))) return undefined;
  return new SolidarityError(
    'INPUT_INVALID',
    `Activity event "${event.type}" has an invalid time "${event.at}".`,
  );
}

/** A JSON round trip: what is stored is what a later read gives, and the caller's object stays theirs. */
function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export class PostgresStore implements Store {
  readonly backend = 'postgres' as const;
  readonly location: string;
  readonly access: StoreAccess;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly retention: RetentionPolicy;
  readonly pool: pg.Pool;
  readonly #writer: GroupWriter;
  readonly #url: string;
  /** This handle's id in change notices, so it does not hear its own. */
  readonly #instance = ChangeListener.newInstanceId();
  #listener: ChangeListener | undefined;
  #leadership: PgLeadership | undefined;
  /** Sessions and login limits in the database: every dashboard instance shares them. */
  readonly sessions: SessionStorage;
  #closed = false;
  #pruneSchedule: PruneSchedule | undefined;

  private constructor(url: string, options: PostgresStoreOptions) {
    this.location = redactUrl(url);
    this.#url = url;
    this.access = options.use === 'read' ? 'read-only' : 'shared';
    this.logger = (options.logger ?? silentLogger()).child({ name: 'store' });
    this.clock = options.clock ?? (() => new Date());
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      application_name: 'solidarity-bot',
    });
    // An idle connection that breaks (server restart) is dropped; the next query opens another.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'idle database connection lost'));
    if (options.fsync === false) {
      this.pool.on('connect', (client) => {
        client.query('SET synchronous_commit TO off').catch(() => {});
      });
    }
    this.#writer = new GroupWriter(
      this.pool,
      this.logger,
      (error) => databaseError(error, this.location, 'write to'),
      // Other instances hear of pauses and stops at this transaction's commit (LISTEN/NOTIFY).
      (client, set) => sendNotices(client, this.#instance, noticesFor(set)),
    );
    this.sessions = new PgSessionStorage(this.pool);
  }

  /** Connects, migrates the schema (read handles only check it), and starts scheduled pruning for a bot. */
  static async open(url: string, options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(url, options);
    try {
      if (options.use === 'read') await assertCurrent(store.pool, store.location);
      else await migrate(store.pool, store.location, store.logger);
    } catch (error) {
      await store.pool.end().catch(() => {});
      throw databaseError(error, store.location, 'open');
    }
    const every = options.pruneEveryMs ?? (options.use === 'bot' ? BOT_PRUNE_EVERY_MS : 0);
    if (every > 0)
      store.#pruneSchedule = new PruneSchedule(
        every,
        () => store.prune(),
        // With several instances, the one that posts prunes; a standby leaves it to it.
        () => !store.#closed && (!store.#leadership || store.#leadership.held),
        store.logger,
      );
    return store;
  }

  /** Transactions committed by this handle so far. */
  get commits(): number {
    return this.#writer.commits;
  }

  // ---- writing ------------------------------------------------------------------------------------

  #refuse(): SolidarityError | undefined {
    if (this.#closed) {
      return new SolidarityError(
        'UNEXPECTED',
        `The store ${this.location} is closed; a change came after close().`,
      );
    }
    if (this.access === 'read-only') {
      return new SolidarityError(
        'USAGE',
        `The store ${this.location} was opened read-only; the change was refused.`,
        {
          hint: 'This is a bug in the command: it must open the store for changes.',
        },
      );
    }
    return undefined;
  }

  /** Validates `change`, then writes `set` (group commit). */
  #write(change: StoreChange, set: Partial<WriteSet>): Promise<void> {
    const refused = this.#refuse() ?? invalid(change);
    if (refused) return Promise.reject(refused);
    return this.#writer.write(writeSet(set));
  }

  append(event: ActivityEvent): Promise<void> {
    const bad = badTime(event);
    if (bad) return Promise.reject(bad);
    return this.#write({ op: 'append', event }, { events: [jsonCopy(event)] });
  }

  commit(tx: StoreTx): Promise<void> {
    for (const event of tx.events ?? []) {
      const bad = badTime(event);
      if (bad) return Promise.reject(bad);
    }
    const set = writeSet({
      events: (tx.events ?? []).map(jsonCopy),
      journal: (tx.journal ?? []).map(jsonCopy),
      flags: (tx.flags ?? []).map(jsonCopy),
      cursors: (tx.cursors ?? []).map(({ key, value }) => ({ key, value })),
      state: (tx.state ?? []).map(({ key, value }) => ({ key, value: jsonCopy(value) })),
    });
    const change: StoreChange = {
      op: 'tx',
      events: set.events,
      changes: [
        ...set.journal.map((entry) => ({ op: 'putJournal' as const, entry })),
        ...set.flags.map((flag) => ({ op: 'addFlag' as const, flag })),
        ...set.cursors.map(({ key, value }) => ({ op: 'setCursor' as const, key, value })),
        ...set.state.map(({ key, value }) => ({ op: 'setState' as const, key, value })),
      ],
    };
    return this.#write(change, set);
  }

  setCursor(key: string, value: string): Promise<void> {
    return this.#write({ op: 'setCursor', key, value }, { cursors: [{ key, value }] });
  }

  putJournal(entry: JournalEntry): Promise<void> {
    const copy = jsonCopy(entry);
    return this.#write({ op: 'putJournal', entry: copy }, { journal: [copy] });
  }

  addFlag(flag: Flag): Promise<void> {
    const copy = jsonCopy(flag);
    return this.#write({ op: 'addFlag', flag: copy }, { flags: [copy] });
  }

  putModerator(moderator: Moderator): Promise<void> {
    const copy = jsonCopy(moderator);
    return this.#write({ op: 'putModerator', moderator: copy }, { moderators: [copy] });
  }

  setState<T>(key: string, value: T): Promise<void> {
    const copy = jsonCopy(value);
    return this.#write({ op: 'setState', key, value: copy }, { state: [{ key, value: copy }] });
  }

  /**
   * Appends a decision and its review.event line in one transaction, with the flag's row locked,
   * so two moderators deciding at once both land and the state follows every event.
   */
  async addReviewEvent(event: ReviewEvent): Promise<Flag> {
    const refused = this.#refuse() ?? invalid({ op: 'addReviewEvent', event });
    if (refused) throw refused;
    // Changes made before this one (the flag itself, say) are in the database first.
    await this.#writer.idle();
    const copy = jsonCopy(event);
    const flagId = pgText(copy.flagId);
    try {
      return await inTransaction(this.pool, async (client) => {
        const locked = await client.query<{ created_at: string }>(
          'SELECT created_at FROM flags WHERE id = $1 FOR UPDATE',
          [flagId],
        );
        const createdAt = locked.rows[0]?.created_at;
        if (createdAt === undefined) {
          throw new SolidarityError(
            'INPUT_INVALID',
            `No flag with id "${copy.flagId}" is in the review queue.`,
            {
              hint: 'List the queue with "solidarity review list" to see flag ids.',
            },
          );
        }
        const added = await client.query(INSERT_REVIEW_EVENTS, [
          JSON.stringify([reviewEventRow(copy.flagId, copy)]),
        ]);
        if ((added.rowCount ?? 0) > 0) {
          const events = await client.query<{ event: ReviewEvent }>(
            'SELECT event FROM review_events WHERE flag_id = $1 ORDER BY seq',
            [flagId],
          );
          const all = events.rows.map((r) => r.event);
          const state = deriveState(all);
          const closed = closedAt({ state, events: all, createdAt } as Flag);
          await client.query('UPDATE flags SET state = $2, closed_at = $3 WHERE id = $1', [
            flagId,
            state,
            closed === undefined ? null : isoOrNull(closed),
          ]);
          const line: ActivityEvent = { type: 'review.event', at: copy.at, event: copy };
          await client.query(INSERT_EVENTS, [JSON.stringify([eventRow(line)])]);
          await sendNotices(client, this.#instance, [{ kind: 'event', event: line }]);
        }
        const row = await client.query(`SELECT ${FLAG_COLUMNS} FROM flags f WHERE f.id = $1`, [flagId]);
        return flagFromRow(row.rows[0], this.location);
      });
    } catch (error) {
      throw databaseError(error, this.location, 'write to');
    }
  }

  // ---- reading ------------------------------------------------------------------------------------

  /** Runs a read after this handle's earlier changes have committed (reads see your own writes). */
  async #read<T>(fn: () => Promise<T>): Promise<T> {
    await this.#writer.idle();
    try {
      return await fn();
    } catch (error) {
      throw databaseError(error, this.location, 'read from');
    }
  }

  getCursor(key: string): Promise<string | undefined> {
    return this.#read(async () => {
      const rows = await this.pool.query<{ value: string }>('SELECT value FROM cursors WHERE key = $1', [
        pgText(key),
      ]);
      return rows.rows[0]?.value;
    });
  }

  listCursors(): Promise<Array<StoreEntry<string>>> {
    return this.#read(async () => {
      const rows = await this.pool.query<{ key: string; value: string }>(
        'SELECT key, value FROM cursors ORDER BY key',
      );
      return rows.rows.map((r) => ({ key: r.key, value: r.value }));
    });
  }

  getJournal(key: string): Promise<JournalEntry | undefined> {
    return this.#read(async () => {
      const rows = await this.pool.query<{ entry: unknown }>('SELECT entry FROM journal WHERE key = $1', [
        pgText(key),
      ]);
      const row = rows.rows[0];
      return row
        ? (checked(journalEntrySchema, row.entry, () => [this.location, 'journal', key]) as JournalEntry)
        : undefined;
    });
  }

  listJournal(filter: { campaign?: string; state?: JournalEntry['state'] } = {}): Promise<JournalEntry[]> {
    return this.#read(async () => {
      const rows = await this.pool.query<{ key: string; entry: unknown }>(
        `SELECT key, entry FROM journal
         WHERE ($1::text IS NULL OR campaign = $1) AND ($2::text IS NULL OR state = $2) ORDER BY seq`,
        [filter.campaign === undefined ? null : pgText(filter.campaign), filter.state ?? null],
      );
      return rows.rows.map(
        (r) => checked(journalEntrySchema, r.entry, () => [this.location, 'journal', r.key]) as JournalEntry,
      );
    });
  }

  getFlag(id: string): Promise<Flag | undefined> {
    return this.#read(() => getFlag(this.pool, id, this.location));
  }

  queuePage(query: QueueQuery): Promise<QueuePage> {
    return this.#read(() => queuePage(this.pool, query, this.location));
  }

  async *flags(): AsyncIterable<Flag> {
    await this.#writer.idle();
    try {
      yield* allFlags(this.pool, this.location);
    } catch (error) {
      throw databaseError(error, this.location, 'read from');
    }
  }

  getModerator(name: string): Promise<Moderator | undefined> {
    return this.#read(async () => {
      const rows = await this.pool.query<{ moderator: unknown }>(
        'SELECT moderator FROM moderators WHERE name = $1',
        [pgText(name)],
      );
      const row = rows.rows[0];
      return row
        ? (checked(moderatorSchema, row.moderator, () => [this.location, 'moderators', name]) as Moderator)
        : undefined;
    });
  }

  listModerators(): Promise<Moderator[]> {
    return this.#read(async () => {
      const rows = await this.pool.query<{ name: string; moderator: unknown }>(
        'SELECT name, moderator FROM moderators ORDER BY seq',
      );
      return rows.rows.map(
        (r) =>
          checked(moderatorSchema, r.moderator, () => [this.location, 'moderators', r.name]) as Moderator,
      );
    });
  }

  getState<T>(key: string): Promise<T | undefined> {
    return this.#read(async () => {
      const rows = await this.pool.query<{ value: T }>('SELECT value FROM state WHERE key = $1', [
        pgText(key),
      ]);
      return rows.rows[0]?.value;
    });
  }

  listState(): Promise<Array<StoreEntry<unknown>>> {
    return this.#read(async () => {
      const rows = await this.pool.query<{ key: string; value: unknown }>(
        'SELECT key, value FROM state ORDER BY key',
      );
      return rows.rows.map((r) => ({ key: r.key, value: r.value }));
    });
  }

  async *events(
    options: { since?: string; until?: string; types?: ActivityType[] } = {},
  ): AsyncIterable<ActivityEvent> {
    await this.#writer.idle();
    try {
      yield* readEvents(this.pool, options, this.location);
    } catch (error) {
      throw databaseError(error, this.location, 'read from');
    }
  }

  /** Posts, mentions and alerts per hour, from the hourly counts (kept when retention drops text). */
  stats(range: StatsRange): Promise<Stats> {
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    if (Number.isNaN(from) || Number.isNaN(to)) {
      return Promise.reject(
        new SolidarityError(
          'INPUT_INVALID',
          `Stats range "${range.from}" to "${range.to}" is not two ISO times.`,
        ),
      );
    }
    return this.#read(async () => {
      // An hour is in the range when it starts at or after from's hour and before `to`.
      const firstHour = hourKey(new Date(from).toISOString());
      const lastHour = hourKey(new Date(to - 1).toISOString());
      const rows = await this.pool.query<{
        hour: string;
        posts: number;
        seen: number;
        flagged: number;
        alerts: number;
      }>(
        `SELECT hour, sum(posts)::int AS posts, sum(seen)::int AS seen, sum(flagged)::int AS flagged,
           sum(alerts)::int AS alerts
         FROM hourly_counts
         WHERE hour >= $1 AND hour <= $2 AND ($3::text IS NULL OR campaign = $3)
         GROUP BY hour ORDER BY hour`,
        [firstHour, lastHour, range.campaign === undefined ? null : pgText(range.campaign)],
      );
      const total = (k: 'posts' | 'seen' | 'flagged' | 'alerts') => rows.rows.reduce((n, r) => n + r[k], 0);
      return {
        posts: total('posts'),
        mentionsSeen: total('seen'),
        mentionsFlagged: total('flagged'),
        alerts: total('alerts'),
        hourly: rows.rows.map((r) => ({
          hour: `${r.hour}:00:00.000Z`,
          posts: r.posts,
          seen: r.seen,
          flagged: r.flagged,
        })),
      };
    });
  }

  /** Every hourly count, per campaign, for store copy (see copy.ts). */
  hourlyCounts(): Promise<CountsTable> {
    return this.#read(async () => {
      const rows = await this.pool.query<{
        hour: string;
        campaign: string;
        posts: number;
        seen: number;
        flagged: number;
        alerts: number;
      }>(
        'SELECT hour, campaign, posts::int AS posts, seen::int AS seen, flagged::int AS flagged, alerts::int AS alerts FROM hourly_counts',
      );
      const table: CountsTable = {};
      for (const r of rows.rows) {
        mergeCounts(table, {
          [r.hour]: { [r.campaign]: { posts: r.posts, seen: r.seen, flagged: r.flagged, alerts: r.alerts } },
        });
      }
      return table;
    });
  }

  /**
   * Adds hourly counts with no events behind them (store copy brings the counts of mentions the
   * source's retention had already dropped), in one transaction.
   */
  async addHourlyCounts(table: CountsTable): Promise<void> {
    const refused = this.#refuse();
    if (refused) throw refused;
    const rows = Object.entries(table).flatMap(([hour, campaigns]) =>
      Object.entries(campaigns).map(([campaign, c]) => ({ hour, campaign: pgText(campaign), ...c })),
    );
    if (rows.length === 0) return;
    await this.#writer.idle();
    try {
      await inTransaction(this.pool, (client) =>
        client.query(
          `INSERT INTO hourly_counts AS h (hour, campaign, posts, seen, flagged, alerts)
           SELECT hour, campaign, posts, seen, flagged, alerts FROM json_to_recordset($1::json)
             AS x(hour text, campaign text, posts bigint, seen bigint, flagged bigint, alerts bigint)
           ORDER BY hour, campaign
           ON CONFLICT (hour, campaign) DO UPDATE SET posts = h.posts + excluded.posts,
             seen = h.seen + excluded.seen, flagged = h.flagged + excluded.flagged, alerts = h.alerts + excluded.alerts`,
          [JSON.stringify(rows)],
        ),
      );
    } catch (error) {
      throw databaseError(error, this.location, 'write to');
    }
  }

  // ---- retention ----------------------------------------------------------------------------------

  async prune(policy: RetentionPolicy = this.retention): Promise<PruneReport> {
    const refused = this.#refuse();
    if (refused) throw refused;
    await this.#writer.idle();
    let report: PruneReport;
    try {
      report = await pruneDatabase(this.pool, policy, this.clock());
    } catch (error) {
      throw databaseError(error, this.location, 'prune');
    }
    await this.setState(LAST_PRUNE, report);
    this.logger.info(
      {
        flagsDropped: report.flagsDropped,
        linesDropped: report.linesDropped,
        mentionsDropped: report.mentionsDropped,
      },
      'retention applied',
    );
    return report;
  }

  // ---- several instances --------------------------------------------------------------------------

  /** Changes other instances commit (pauses, stops, decisions), over LISTEN/NOTIFY. */
  subscribe(listener: (notice: StoreNotice) => void): () => void {
    this.#listener ??= new ChangeListener({
      connectionString: this.#url,
      logger: this.logger,
      from: this.#instance,
    });
    return this.#listener.subscribe(listener);
  }

  /** Resolves once this handle hears changes (for tests and start-up ordering). */
  async listening(): Promise<void> {
    await this.#listener?.listening();
  }

  /** The posting lease: a session-level advisory lock on a connection of its own. */
  leadership(): Leadership {
    this.#leadership ??= new PgLeadership({ connectionString: this.#url, logger: this.logger });
    return this.#leadership;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /** Reads always go to the database: nothing to bring up to date. */
  async refresh(): Promise<void> {}

  flush(): Promise<void> {
    return this.#writer.idle();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#pruneSchedule?.stop();
    await this.#writer.idle();
    this.#closed = true;
    await this.#leadership?.release();
    await this.#listener?.close();
    await this.pool.end();
  }
}

function isoOrNull(at: string): string | null {
  const t = Date.parse(at);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The factory src/store/open.ts calls for a postgres:// STORE_URL. */
export function openPostgresStore(url: string, options: StoreOpenOptions): Promise<Store> {
  return PostgresStore.open(url, options);
}

/** `solidarity store migrate` for a postgres:// STORE_URL: applies pending migrations, says which. */
export async function migratePostgres(
  url: string,
  logger?: Logger,
): Promise<MigrationStatus & { location: string }> {
  const location = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 1, application_name: 'solidarity-bot' });
  pool.on('error', () => {});
  try {
    return { ...(await migrate(pool, location, logger)), location };
  } catch (error) {
    throw databaseError(error, location, 'migrate');
  } finally {
    await pool.end();
  }
}
