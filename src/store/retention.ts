/**
 * Data minimisation, configured in one place. Text of mentions that were not flagged is kept
 * `unflaggedDays`; flagged ones until their flag is resolved (or dismissed) plus `flaggedDays`;
 * hourly counts forever. Defaults come from the env schema (SOLIDARITY_RETENTION_*_DAYS).
 */
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ENV_SCHEMA, type Env } from '../config/env.ts';
import type { Flag } from '../core/review.ts';
import { EVENTS_DIR, listSegments, parseLogLine, segmentPath } from './activity-log.ts';
import { countEvent, mergeCounts } from './counts.ts';
import { readLines, syncDir } from './files.ts';
import { closedAt } from './queue.ts';
import { type CountsTable, SCHEMA_VERSION } from './schema.ts';
import type { ActivityEvent, PruneReport, RetentionPolicy } from './types.ts';

export type { PruneReport, RetentionPolicy };

/** The defaults, read from the one place they are written: the env schema. */
export const DEFAULT_RETENTION: RetentionPolicy = {
  unflaggedDays: ENV_SCHEMA.shape.SOLIDARITY_RETENTION_UNFLAGGED_DAYS.parse(undefined),
  flaggedDays: ENV_SCHEMA.shape.SOLIDARITY_RETENTION_FLAGGED_DAYS.parse(undefined),
};

export function retentionFromEnv(
  env: Pick<Env, 'SOLIDARITY_RETENTION_UNFLAGGED_DAYS' | 'SOLIDARITY_RETENTION_FLAGGED_DAYS'>,
): RetentionPolicy {
  return {
    unflaggedDays: env.SOLIDARITY_RETENTION_UNFLAGGED_DAYS,
    flaggedDays: env.SOLIDARITY_RETENTION_FLAGGED_DAYS,
  };
}

const DAY_MS = 86_400_000;

/** Whether a flag has passed its retention: closed, and closed longer ago than flaggedDays. */
export function flagExpired(flag: Flag, policy: RetentionPolicy, now: Date): boolean {
  const closed = closedAt(flag);
  return closed !== undefined && Date.parse(closed) + policy.flaggedDays * DAY_MS <= now.getTime();
}

/** The instants before which text goes, for one prune. */
export interface RetentionCut {
  policy: RetentionPolicy;
  now: Date;
  /** Mentions not flagged, seen before this (ms), lose their text. */
  unflaggedBefore: number;
  /** Flagged mentions with no flag left, and review events of dropped flags, before this (ms). */
  flaggedBefore: number;
}

export function retentionCut(policy: RetentionPolicy, now: Date): RetentionCut {
  return {
    policy,
    now,
    unflaggedBefore: now.getTime() - policy.unflaggedDays * DAY_MS,
    flaggedBefore: now.getTime() - policy.flaggedDays * DAY_MS,
  };
}

/** The flags still in the queue once expired ones have left it, as the rule below asks about them. */
export interface RemainingFlags {
  /** The flag raised on this mention, if it is still in the queue. */
  forMention(platform: string, id: string): Flag | undefined;
  has(flagId: string): boolean;
}

/**
 * Whether prune drops this activity event: the one rule every backend applies. A mention that was
 * not flagged goes after unflaggedDays; a flagged one goes with its flag (closed longer than
 * flaggedDays ago), or after flaggedDays when it has no flag; a review event goes when its flag
 * has gone and it is older than flaggedDays. Everything else (posts, alerts, controls) is kept.
 * Counts of dropped mentions are kept by the backend (hourly).
 */
export function eventExpired(event: ActivityEvent, cut: RetentionCut, flags: RemainingFlags): boolean {
  const t = Date.parse(event.at);
  if (event.type === 'mention.seen') {
    if (!event.verdict.flagged) return t < cut.unflaggedBefore;
    const flag = flags.forMention(event.mention.platform, event.mention.id);
    return flag ? flagExpired(flag, cut.policy, cut.now) : t < cut.flaggedBefore;
  }
  if (event.type === 'review.event') return !flags.has(event.event.flagId) && t < cut.flaggedBefore;
  return false;
}

/** What prune needs from the store that owns the files. */
export interface PruneHost {
  dir: string;
  allFlags(): Iterable<Flag>;
  dropFlags(ids: string[]): Promise<void>;
  /** Runs `fn` while no commit writes, with the day's segment closed, then forgets its cached counts. */
  withSegment<T>(day: string, fn: () => Promise<T>): Promise<T>;
  checkpointNow(): Promise<void>;
}

/** Applies the retention policy to the store's files; safe to run while the bot appends. */
export async function prune(host: PruneHost, policy: RetentionPolicy, now: Date): Promise<PruneReport> {
  const report: PruneReport = {
    at: now.toISOString(),
    policy,
    flagsDropped: 0,
    segmentsRewritten: 0,
    linesDropped: 0,
    mentionsDropped: 0,
    bytesBefore: 0,
    bytesAfter: 0,
  };
  // 1. Flags closed longer ago than flaggedDays leave the review queue.
  const expired: string[] = [];
  for (const flag of host.allFlags()) if (flagExpired(flag, policy, now)) expired.push(flag.id);
  await host.dropFlags(expired);
  report.flagsDropped = expired.length;

  const flagsById = new Map<string, Flag>();
  const flagsByMention = new Map<string, Flag>();
  for (const flag of host.allFlags()) {
    flagsById.set(flag.id, flag);
    flagsByMention.set(`${flag.mention.platform}\u0000${flag.mention.id}`, flag);
  }
  const cut = retentionCut(policy, now);
  const remaining: RemainingFlags = {
    forMention: (platform, id) => flagsByMention.get(`${platform}\u0000${id}`),
    has: (id) => flagsById.has(id),
  };
  const latestCut = Math.max(cut.unflaggedBefore, cut.flaggedBefore);

  // 2. Day segments: drop the lines past retention, keep their counts in one "_counts" line.
  for (const day of await listSegments(host.dir)) {
    // Every line prune drops is older than the later cut-off: younger days are left alone.
    if (Date.parse(`${day}T00:00:00.000Z`) >= latestCut) continue;
    const file = segmentPath(host.dir, day);
    const temp = join(host.dir, EVENTS_DIR, `.${day}.jsonl.prune.tmp`);
    const out = await open(temp, 'w');
    let dropped = 0;
    let scanned = 0;
    const counts: CountsTable = {};
    let hadCounts = false;
    let buffer: string[] = [];
    let buffered = 0;
    const flushBuffer = async () => {
      if (buffer.length === 0) return;
      await out.write(buffer.join(''));
      buffer = [];
      buffered = 0;
    };
    try {
      for await (const { text, line, offset } of readLines(file)) {
        scanned = offset + Buffer.byteLength(text) + 1;
        const parsed = parseLogLine(text, file, line);
        if (parsed.kind === 'counts') {
          hadCounts = true;
          mergeCounts(counts, parsed.hours);
          continue;
        }
        const event = parsed.event;
        const drop = eventExpired(event, cut, remaining);
        if (drop && event.type === 'mention.seen') {
          countEvent(counts, event);
          report.mentionsDropped++;
        }
        if (drop) {
          dropped++;
          continue;
        }
        buffer.push(`${text}\n`);
        buffered += text.length;
        if (buffered > 1 << 20) await flushBuffer();
      }
      if (dropped === 0) {
        await out.close();
        await unlink(temp);
        continue;
      }
      if (hadCounts || Object.keys(counts).length > 0) {
        buffer.push(`${JSON.stringify({ v: SCHEMA_VERSION, type: '_counts', hours: counts })}\n`);
      }
      await flushBuffer();
      const before = (await stat(file)).size;
      await host.withSegment(day, async () => {
        // Lines appended to this day while we read are kept as they are.
        const size = (await stat(file)).size;
        if (size > scanned) {
          const source = await open(file, 'r');
          try {
            const tail = Buffer.alloc(size - scanned);
            await source.read(tail, 0, tail.length, scanned);
            await out.write(tail);
          } finally {
            await source.close();
          }
        }
        await out.sync();
        await out.close();
        await rename(temp, file);
        await syncDir(join(host.dir, EVENTS_DIR));
      });
      report.segmentsRewritten++;
      report.linesDropped += dropped;
      report.bytesBefore += before;
      report.bytesAfter += (await stat(file)).size;
    } catch (error) {
      await out.close().catch(() => {});
      await unlink(temp).catch(() => {});
      throw error;
    }
  }

  // 3. Fragments of torn lines are kept for inspection only as long as any text is.
  const keepUntil = now.getTime() - Math.max(policy.unflaggedDays, policy.flaggedDays) * DAY_MS;
  for (const name of await readdir(join(host.dir, EVENTS_DIR)).catch(() => [] as string[])) {
    if (!name.includes('.torn-')) continue;
    const path = join(host.dir, EVENTS_DIR, name);
    if ((await stat(path)).mtimeMs < keepUntil) await unlink(path);
  }
  // 4. Dropped flags' text must leave the write-ahead log too.
  if (expired.length > 0) await host.checkpointNow();
  return report;
}

/** How often a bot's store prunes by itself (other handles leave it to the bot). */
export const BOT_PRUNE_EVERY_MS = 86_400_000;

/**
 * A store's prune on a schedule: the first run within a minute, then every `every` ms, never two
 * at once, and only while `when()` holds (the store is open, this instance posts …).
 */
export class PruneSchedule {
  #timers: NodeJS.Timeout[];
  #running: Promise<void> | undefined;

  constructor(every: number, prune: () => Promise<unknown>, when: () => boolean, logger: Logger) {
    const run = () => {
      if (this.#running || !when()) return;
      this.#running = prune()
        .then(() => {})
        .catch((error) => logger.error({ err: error }, 'scheduled prune failed'))
        .finally(() => {
          this.#running = undefined;
        });
    };
    this.#timers = [setTimeout(run, Math.min(every, 60_000)).unref(), setInterval(run, every).unref()];
  }

  /** No further runs from now on; resolves once a run under way has ended. */
  stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    return this.#running ?? Promise.resolve();
  }
}
