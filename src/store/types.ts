/**
 * The store contract: the only way the rest of the code reads or writes stored data, whatever
 * holds it (the file store in a data folder, or PostgreSQL). Every read and write is
 * asynchronous; nothing here names files, locks or connections. A caller opens a store with
 * `openStore(url, options)` (src/store/open.ts) and never names a concrete backend.
 */
import type { Logger } from 'pino';
import type { Mention } from '../core/mention.ts';
import type { Flag, ReviewEvent, ReviewState } from '../core/review.ts';
import type { Verdict } from '../core/verdict.ts';

/** Everything the bot does, as one append-only log. `at` is an ISO 8601 UTC instant. */
export type ActivityEvent =
  | { type: 'post.intent'; at: string; campaign: string; platform: string; slotKey: string; text: string }
  | {
      type: 'post.confirmed';
      at: string;
      campaign: string;
      platform: string;
      slotKey: string;
      remoteId: string;
      url: string;
    }
  | { type: 'post.skipped'; at: string; campaign: string; platform: string; slotKey: string; reason: string }
  | {
      type: 'post.failed';
      at: string;
      campaign: string;
      platform: string;
      slotKey: string;
      code: string;
      message: string;
      retryAt?: string;
    }
  | {
      type: 'mention.seen';
      at: string;
      campaign: string;
      mention: Mention;
      verdict: Pick<Verdict, 'flagged' | 'score' | 'severity' | 'sentiment'> & { rules: string[] };
    }
  | { type: 'review.event'; at: string; event: ReviewEvent }
  | {
      type: 'alert.hijack';
      at: string;
      campaign: string;
      hashtag: string;
      windowShare: number;
      baselineShare: number;
    }
  | { type: 'control'; at: string; action: 'pause' | 'resume' | 'stop-all' | 'resume-all'; campaign?: string }
  | { type: 'error'; at: string; component: string; code: string; message: string };

export type ActivityType = ActivityEvent['type'];

/** One scheduled post on one platform, as the exactly-once journal keeps it. */
export interface JournalEntry {
  /** Deterministic: campaign id + slot instant + platform. */
  key: string;
  campaign: string;
  platform: string;
  slotAt: string;
  text: string;
  state: 'intent' | 'confirmed' | 'skipped' | 'failed' | 'needs-attention';
  remoteId?: string;
  url?: string;
  attempts: number;
  updatedAt: string;
  note?: string;
}

export interface QueueQuery {
  campaign?: string;
  platform?: string;
  severity?: string;
  state?: ReviewState | ReviewState[];
  hashtag?: string;
  rule?: string;
  sort?: 'newest' | 'score';
  limit: number;
  /** Opaque cursor from the previous page. */
  after?: string;
}

export interface QueuePage {
  items: Flag[];
  total: number;
  next?: string;
}

export interface Moderator {
  name: string;
  role: 'admin' | 'moderator' | 'viewer';
  /** scrypt hash with its salt and parameters, never the password. */
  passwordHash: string;
  createdAt: string;
  disabled?: boolean;
  /** Set for a generated one-time password: the dashboard asks for a new one at first login. */
  mustChangePassword?: boolean;
  passwordChangedAt?: string;
}

export interface StatsRange {
  from: string;
  to: string;
  campaign?: string;
}

export interface Stats {
  posts: number;
  mentionsSeen: number;
  mentionsFlagged: number;
  alerts: number;
  /** Per hour (ISO hour start), for the overview charts. */
  hourly: Array<{ hour: string; posts: number; seen: number; flagged: number }>;
}

/**
 * Changes that must survive a crash together: one write-ahead record holds them all, so after a
 * SIGKILL either every part is there or none is. The events reach the activity log with them
 * (re-appended at the next start when the crash came in between).
 */
export interface StoreTx {
  events?: ActivityEvent[];
  journal?: JournalEntry[];
  flags?: Flag[];
  cursors?: Array<{ key: string; value: string }>;
  state?: Array<{ key: string; value: unknown }>;
}

export interface RetentionPolicy {
  /** Days the text of a mention that was not flagged is kept. */
  unflaggedDays: number;
  /** Days a flagged mention is kept after its flag is resolved or dismissed. */
  flaggedDays: number;
}

/** What one prune did. The segment and byte figures are the file store's; other backends report 0. */
export interface PruneReport {
  at: string;
  policy: RetentionPolicy;
  flagsDropped: number;
  segmentsRewritten: number;
  linesDropped: number;
  mentionsDropped: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** Which backend holds the data: for messages only ("data folder", "database"). */
export type StoreBackend = 'file' | 'postgres';

/**
 * How this handle's changes reach the data and the running bot:
 * - `owner`: this process holds the data alone (no bot runs); the bot sees changes at its next start.
 * - `forwarded`: a running bot holds the data; changes go through it and are applied when the
 *   promise resolves.
 * - `shared`: every instance reads and writes the same data directly (a database); running
 *   instances see a change once its promise resolves.
 * - `read-only`: a read view; changes are refused.
 */
export type StoreAccess = 'owner' | 'forwarded' | 'shared' | 'read-only';

/**
 * What a handle is opened for:
 * - `bot`: the long-running bot (schedules, posts, monitors, prunes daily).
 * - `serve`: long-running beside a bot (the dashboard on its own): owns the data when no bot runs,
 *   otherwise works through or beside it.
 * - `read`: reads only, never blocks or slows the bot (status, export, verify).
 * - `change`: a short command that changes data (pause, review decisions, moderator accounts).
 */
export type StoreUse = 'bot' | 'serve' | 'read' | 'change';

/** Options every backend understands; a backend ignores what does not apply to it. */
export interface StoreOpenOptions {
  use: StoreUse;
  logger?: Logger;
  clock?: () => Date;
  /** Retention policy for prune() (default: the env defaults). */
  retention?: RetentionPolicy;
  /** How often a `bot` handle prunes (default daily, first run a minute after start; 0 never). */
  pruneEveryMs?: number;
  /** Wait for the disk before acknowledging a change (default true; tests and benches turn it off). */
  fsync?: boolean;
}

/** A (key, value) pair of the small key/value tables (cursors, state). */
export interface StoreEntry<T> {
  key: string;
  value: T;
}

export interface Store {
  /** Which backend holds the data (for messages; behaviour never depends on it). */
  readonly backend: StoreBackend;
  /** Where the data is, fit to print: a folder, or a database URL without its password. */
  readonly location: string;
  /** How this handle's changes reach the data; see StoreAccess. */
  readonly access: StoreAccess;

  // ---- activity log ---------------------------------------------------------------------------

  /** Durable once the returned promise resolves. */
  append(event: ActivityEvent): Promise<void>;
  /** Writes a transaction (see StoreTx); durable, all of it or none, once the promise resolves. */
  commit(tx: StoreTx): Promise<void>;
  /** Streams events in time order, validated on read; `until` is exclusive. */
  events(options?: { since?: string; until?: string; types?: ActivityType[] }): AsyncIterable<ActivityEvent>;
  /** Posts, mentions and alerts per hour (counts survive retention). */
  stats(range: StatsRange): Promise<Stats>;

  // ---- cursors (where each mention source resumes) -----------------------------------------

  getCursor(key: string): Promise<string | undefined>;
  setCursor(key: string, value: string): Promise<void>;
  /** Every cursor (store copy, verification). */
  listCursors(): Promise<Array<StoreEntry<string>>>;

  // ---- exactly-once post journal -------------------------------------------------------------

  getJournal(key: string): Promise<JournalEntry | undefined>;
  putJournal(entry: JournalEntry): Promise<void>;
  listJournal(filter?: { campaign?: string; state?: JournalEntry['state'] }): Promise<JournalEntry[]>;

  // ---- review queue --------------------------------------------------------------------------

  /**
   * Adds a flagged mention to the review queue. Idempotent by flag id. The flag is kept as given,
   * events included (so a copy between backends keeps decisions).
   */
  addFlag(flag: Flag): Promise<void>;
  /** A copy of the stored flag, or undefined. Change it through addReviewEvent. */
  getFlag(id: string): Promise<Flag | undefined>;
  queuePage(query: QueueQuery): Promise<QueuePage>;
  /** Appends a decision (with its review.event activity line); the flag's state is derived from its events. */
  addReviewEvent(event: ReviewEvent): Promise<Flag>;
  /** Every flag, every state, in no particular order (retention, verification, store copy). */
  flags(): AsyncIterable<Flag>;

  // ---- moderator accounts -------------------------------------------------------------------

  getModerator(name: string): Promise<Moderator | undefined>;
  putModerator(moderator: Moderator): Promise<void>;
  listModerators(): Promise<Moderator[]>;

  // ---- small key/value state: pause flags, rate-limit state, budgets ------------------------

  getState<T>(key: string): Promise<T | undefined>;
  /** Stores a JSON value under `key`; `undefined` removes the key. */
  setState<T>(key: string, value: T): Promise<void>;
  /** Every state key and value (store copy, verification). */
  listState(): Promise<Array<StoreEntry<unknown>>>;

  // ---- retention -------------------------------------------------------------------------------

  /**
   * Applies the retention policy now (default: the policy the store was opened with): closed flags
   * past flaggedDays leave the queue, mention text past its days leaves the activity log, hourly
   * counts stay. The same rules on every backend (see retention.ts).
   */
  prune(policy?: RetentionPolicy): Promise<PruneReport>;

  // ---- lifecycle -------------------------------------------------------------------------------

  /** Brings a read view up to date with changes made elsewhere; a no-op where reads are always current. */
  refresh(): Promise<void>;
  /** Resolves when everything written so far is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;

  // Room for later, optional parts (a backend that lacks one leaves it undefined):
  //   sessions / loginLimits: dashboard sessions and login limits kept with the data;
  //   subscribe(listener): change notification (a pause from another instance).
}
