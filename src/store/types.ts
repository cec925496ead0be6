/**
 * The store contract: the only way the rest of the code reads or writes data/.
 * The file-backed implementation lives beside this file; another backend (PostgreSQL, say)
 * would implement the same interface.
 */

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

export interface Store {
  /** Durable once the returned promise resolves (group commit). */
  append(event: ActivityEvent): Promise<void>;
  /** Writes a transaction (see StoreTx); durable, all of it, once the promise resolves. */
  commit(tx: StoreTx): Promise<void>;
  /** Streams events in time order, validated on read. */
  events(options?: { since?: string; until?: string; types?: ActivityType[] }): AsyncIterable<ActivityEvent>;

  getCursor(key: string): string | undefined;
  setCursor(key: string, value: string): Promise<void>;

  getJournal(key: string): JournalEntry | undefined;
  putJournal(entry: JournalEntry): Promise<void>;
  listJournal(filter?: { campaign?: string; state?: JournalEntry['state'] }): JournalEntry[];

  /** Adds a flagged mention to the review queue (state open). Idempotent by flag id. */
  addFlag(flag: Flag): Promise<void>;
  getFlag(id: string): Flag | undefined;
  queuePage(query: QueueQuery): QueuePage;
  /** Appends a decision; the flag's state is derived from its events. */
  addReviewEvent(event: ReviewEvent): Promise<Flag>;

  getModerator(name: string): Moderator | undefined;
  putModerator(moderator: Moderator): Promise<void>;
  listModerators(): Moderator[];

  /** Small key/value state: pause flags, sessions, rate-limit state, budgets. */
  getState<T>(key: string): T | undefined;
  setState<T>(key: string, value: T): Promise<void>;

  stats(range: StatsRange): Promise<Stats>;

  flush(): Promise<void>;
  close(): Promise<void>;
}
