/**
 * Zod schemas for everything the store reads back from disk: activity log lines, the state
 * snapshot, write-ahead log records and inbox changes. Records read back are never trusted.
 */
import { z } from 'zod';
import type { Mention } from '../core/mention.ts';
import type { Flag, ReviewEvent } from '../core/review.ts';
import type { Verdict } from '../core/verdict.ts';
import { PLATFORM_IDS } from '../platforms/registry.ts';
import type { ActivityEvent, JournalEntry, Moderator } from './types.ts';

/** Version of every line and file the store writes. Bump it and add a migration when a format changes. */
export const SCHEMA_VERSION = 2;

const iso = z.string().min(1);

export const mentionSchema = z.object({
  platform: z.enum(PLATFORM_IDS),
  id: z.string().min(1),
  url: z.string(),
  authorId: z.string(),
  authorHandle: z.string(),
  text: z.string(),
  lang: z.string().optional(),
  createdAt: iso,
  capturedAt: iso,
  hashtags: z.array(z.string()),
  replyTo: z.string().optional(),
  quoteOf: z.string().optional(),
}) satisfies z.ZodType<Mention>;

const severity = z.enum(['none', 'low', 'medium', 'high']);

export const verdictSchema = z.object({
  flagged: z.boolean(),
  score: z.number(),
  severity,
  sentiment: z.number(),
  reasons: z.array(
    z.object({
      rule: z.string(),
      explanation: z.string(),
      span: z.object({ start: z.number(), end: z.number(), text: z.string() }).optional(),
      weight: z.number().optional(),
    }),
  ),
}) satisfies z.ZodType<Verdict>;

export const reviewStateSchema = z.enum(['open', 'acknowledged', 'escalated', 'resolved', 'dismissed']);

export const reviewEventSchema = z.object({
  id: z.string().min(1),
  flagId: z.string().min(1),
  action: z.enum(['acknowledge', 'escalate', 'resolve', 'dismiss', 'comment', 'reopen', 'undo']),
  by: z.string().min(1),
  at: iso,
  note: z.string().optional(),
  outcome: z.enum(['reported-to-police', 'reported-to-platform', 'no-action']).optional(),
  undoes: z.string().optional(),
}) satisfies z.ZodType<ReviewEvent>;

export const flagSchema = z.object({
  id: z.string().min(1),
  campaign: z.string(),
  mention: mentionSchema,
  verdict: verdictSchema,
  state: reviewStateSchema,
  createdAt: iso,
  events: z.array(reviewEventSchema),
}) satisfies z.ZodType<Flag>;

const post = { at: iso, campaign: z.string(), platform: z.string(), slotKey: z.string() };

export const activityEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('post.intent'), ...post, text: z.string() }),
  z.object({ type: z.literal('post.confirmed'), ...post, remoteId: z.string(), url: z.string() }),
  z.object({ type: z.literal('post.skipped'), ...post, reason: z.string() }),
  z.object({
    type: z.literal('post.failed'),
    ...post,
    code: z.string(),
    message: z.string(),
    retryAt: z.string().optional(),
  }),
  z.object({
    type: z.literal('mention.seen'),
    at: iso,
    campaign: z.string(),
    mention: mentionSchema,
    verdict: z.object({
      flagged: z.boolean(),
      score: z.number(),
      severity,
      sentiment: z.number(),
      rules: z.array(z.string()),
    }),
  }),
  z.object({ type: z.literal('review.event'), at: iso, event: reviewEventSchema }),
  z.object({
    type: z.literal('alert.hijack'),
    at: iso,
    campaign: z.string(),
    hashtag: z.string(),
    windowShare: z.number(),
    baselineShare: z.number(),
  }),
  z.object({
    type: z.literal('control'),
    at: iso,
    action: z.enum(['pause', 'resume', 'stop-all', 'resume-all']),
    campaign: z.string().optional(),
  }),
  z.object({
    type: z.literal('error'),
    at: iso,
    component: z.string(),
    code: z.string(),
    message: z.string(),
  }),
]) satisfies z.ZodType<ActivityEvent>;

/** Hourly counts per campaign: what stays after retention drops old lines ("counts kept forever"). */
export const hourCountsSchema = z.object({
  posts: z.number().int().min(0),
  seen: z.number().int().min(0),
  flagged: z.number().int().min(0),
  alerts: z.number().int().min(0),
});
export type HourCounts = z.infer<typeof hourCountsSchema>;

/** hour (ISO, "2026-11-25T14") → campaign → counts. */
export const countsTableSchema = z.record(z.string(), z.record(z.string(), hourCountsSchema));
export type CountsTable = z.infer<typeof countsTableSchema>;

/** A counts line: written by prune at the head of a day segment, for the lines it dropped. */
export const countsLineSchema = z.object({
  v: z.number().int(),
  type: z.literal('_counts'),
  hours: countsTableSchema,
});

export const journalEntrySchema = z.object({
  key: z.string().min(1),
  campaign: z.string(),
  platform: z.string(),
  slotAt: z.string(),
  text: z.string(),
  state: z.enum(['intent', 'confirmed', 'skipped', 'failed', 'needs-attention']),
  remoteId: z.string().optional(),
  url: z.string().optional(),
  attempts: z.number().int().min(0),
  updatedAt: z.string(),
  note: z.string().optional(),
}) satisfies z.ZodType<JournalEntry>;

export const moderatorSchema = z.object({
  name: z.string().min(1),
  role: z.enum(['admin', 'moderator', 'viewer']),
  passwordHash: z.string().min(1),
  createdAt: z.string(),
  disabled: z.boolean().optional(),
  mustChangePassword: z.boolean().optional(),
  passwordChangedAt: z.string().optional(),
}) satisfies z.ZodType<Moderator>;

/** The hot-state changes a transaction may hold. */
export const txChangeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('setCursor'), key: z.string().min(1), value: z.string() }),
  z.object({ op: z.literal('putJournal'), entry: journalEntrySchema }),
  z.object({ op: z.literal('addFlag'), flag: flagSchema }),
  z.object({ op: z.literal('setState'), key: z.string().min(1), value: z.unknown() }),
]);
export type TxChange = z.infer<typeof txChangeSchema>;

/** One change to the hot state, as the write-ahead log and the inbox carry it. */
export const changeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('append'), event: activityEventSchema }),
  z.object({ op: z.literal('setCursor'), key: z.string().min(1), value: z.string() }),
  z.object({ op: z.literal('putJournal'), entry: journalEntrySchema }),
  z.object({ op: z.literal('addFlag'), flag: flagSchema }),
  z.object({ op: z.literal('addReviewEvent'), event: reviewEventSchema }),
  z.object({ op: z.literal('putModerator'), moderator: moderatorSchema }),
  z.object({ op: z.literal('setState'), key: z.string().min(1), value: z.unknown() }),
  z.object({ op: z.literal('dropFlags'), ids: z.array(z.string()) }),
  /** Inbox only: asks the writer to apply the retention policy now. */
  z.object({ op: z.literal('prune') }),
  /**
   * A transaction: hot-state changes and the activity events that go with them, written as one
   * write-ahead record. After a crash the record is there whole or not at all; its events are
   * re-appended to the activity log at the next start if the crash came before they reached it.
   */
  z.object({ op: z.literal('tx'), events: z.array(activityEventSchema), changes: z.array(txChangeSchema) }),
]);
export type StoreChange = z.infer<typeof changeSchema>;

/** A write-ahead log line: a change with its sequence number. */
export const walRecordSchema = z.intersection(
  z.object({ v: z.number().int(), seq: z.number().int().min(1) }),
  changeSchema,
);

export const keyValueSchema = z.object({ key: z.string(), value: z.unknown() });

/**
 * The snapshot header and sections. The file holds one JSON object; every record sits on its
 * own line so an error can name the line.
 */
export const snapshotSchema = z.object({
  version: z.number().int(),
  /** Generation of the write-ahead log that continues this snapshot (data/wal-<gen>.jsonl). */
  walGen: z.number().int().min(1),
  /** Last write-ahead sequence number folded into this snapshot. */
  seq: z.number().int().min(0),
  savedAt: z.string(),
  /**
   * Size of each day segment written by this writer when the snapshot was taken: the activity
   * log lines of write-ahead records after `seq` can only be past these offsets.
   */
  segments: z.record(z.string(), z.number().int().min(0)).optional(),
  cursors: z.array(z.object({ key: z.string(), value: z.string() })),
  state: z.array(keyValueSchema),
  moderators: z.array(moderatorSchema),
  journal: z.array(journalEntrySchema),
  flags: z.array(flagSchema),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/** An inbox file: changes submitted by a process that does not hold the lock. */
export const inboxFileSchema = z.object({
  v: z.number().int(),
  pid: z.number().int(),
  submittedAt: z.string(),
  changes: z.array(changeSchema).min(1),
});
export type InboxFile = z.infer<typeof inboxFileSchema>;
