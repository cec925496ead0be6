/**
 * The activity log: one append-only JSON Lines file per UTC day (data/events/YYYY-MM-DD.jsonl),
 * each line one versioned event, validated by zod when read back.
 */
import { copyFile, type FileHandle, open, readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { SolidarityError } from '../errors.ts';
import { corrupt, lineWithSchema, parseJsonLine, readLines, syncDir } from './files.ts';
import { activityEventSchema, type CountsTable, countsLineSchema, SCHEMA_VERSION } from './schema.ts';
import type { ActivityEvent, ActivityType } from './types.ts';

export const EVENTS_DIR = 'events';
const SEGMENT = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T[0-9:.]+Z$/;

/** The UTC day of an instant ("2026-11-25"); cheap for the usual "...Z" form. */
export function dayOf(at: string): string {
  return UTC_INSTANT.test(at) ? at.slice(0, 10) : new Date(at).toISOString().slice(0, 10);
}

export function segmentPath(dir: string, day: string): string {
  return join(dir, EVENTS_DIR, `${day}.jsonl`);
}

/** Day segments present, oldest first. */
export async function listSegments(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(dir, EVENTS_DIR));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((n) => SEGMENT.exec(n)?.[1])
    .filter((d): d is string => d !== undefined)
    .sort();
}

/**
 * One activity log line. `tx` ("<seq>.<index>") names the write-ahead record the event belongs
 * to, so a restart can tell which events of a transaction reached the log.
 */
export function eventLine(event: ActivityEvent, tx?: string): string {
  // {"v":2,<the event's own fields>}: no copy of the event object.
  const head = tx === undefined ? '' : `"tx":"${tx}",`;
  return `{"v":${SCHEMA_VERSION},${head}${JSON.stringify(event).slice(1)}\n`;
}

export type LogLine = { kind: 'event'; event: ActivityEvent } | { kind: 'counts'; hours: CountsTable };

/** Parses one line of a segment; throws STORE_CORRUPT / STORE_VERSION naming file and line. */
export function parseLogLine(text: string, file: string, line: number): LogLine {
  const raw = parseJsonLine(text, file, line);
  const v = (raw as { v?: unknown } | null)?.v;
  if (typeof v !== 'number') throw corrupt(file, line, 'no version field "v": not an activity log line.');
  if (v > SCHEMA_VERSION) {
    throw new SolidarityError(
      'STORE_VERSION',
      `${file}:${line}: written by a newer version of solidarity-bot (line version ${v}; this version reads up to ${SCHEMA_VERSION}).`,
      { hint: 'Upgrade solidarity-bot (git pull && npm ci).' },
    );
  }
  if ((raw as { type?: unknown }).type === '_counts') {
    const counts = countsLineSchema.safeParse(raw);
    if (!counts.success) throw corrupt(file, line, `wrong schema: ${counts.error.issues[0]!.message}`);
    return { kind: 'counts', hours: counts.data.hours };
  }
  return { kind: 'event', event: lineWithSchema(activityEventSchema, raw, file, line) as ActivityEvent };
}

export interface ReadEventsOptions {
  since?: string;
  until?: string;
  types?: ActivityType[];
  /** A torn last line (a write cut short by a crash, or one being written right now). */
  onTorn?: (file: string, line: number) => void;
}

/** Streams events from the day segments in day order (append order within a day), validated. */
export async function* readEvents(
  dir: string,
  options: ReadEventsOptions = {},
): AsyncGenerator<ActivityEvent> {
  const since = options.since === undefined ? undefined : Date.parse(options.since);
  const until = options.until === undefined ? undefined : Date.parse(options.until);
  const sinceDay = since === undefined ? undefined : new Date(since).toISOString().slice(0, 10);
  const untilDay = until === undefined ? undefined : new Date(until).toISOString().slice(0, 10);
  const types = options.types ? new Set<string>(options.types) : undefined;
  for (const day of await listSegments(dir)) {
    if (sinceDay !== undefined && day < sinceDay) continue;
    if (untilDay !== undefined && day > untilDay) continue;
    const file = segmentPath(dir, day);
    const lines = readLines(file, { onTorn: (t) => options.onTorn?.(file, t.line) });
    for await (const { text, line } of lines) {
      const parsed = parseLogLine(text, file, line);
      if (parsed.kind !== 'event') continue;
      const event = parsed.event;
      if (types && !types.has(event.type)) continue;
      if (since !== undefined || until !== undefined) {
        const t = Date.parse(event.at);
        if (since !== undefined && t < since) continue;
        if (until !== undefined && t >= until) continue;
      }
      yield event;
    }
  }
}

/**
 * Cuts a torn last line off a file before appending to it, so it never becomes a corrupt line in
 * the middle. The cut bytes were never acknowledged; they are kept beside the file all the same.
 */
export async function repairTornTail(file: string, logger: Logger): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (size === 0) return;
  const handle = await open(file, 'r');
  let keep = 0;
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 10) return;
    // Walk back to the last newline.
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    search: while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (chunk[i] === 10) {
          keep = start + i + 1;
          break search;
        }
      }
      end = start;
    }
  } finally {
    await handle.close();
  }
  const saved = `${file}.torn-${keep}`;
  await copyFile(file, saved);
  await truncate(file, keep);
  logger.warn(
    { file, offset: keep, bytes: size - keep, saved },
    'torn last line (a write cut short by a crash) cut off before appending; the bytes are kept beside the file',
  );
}

/** Appends whole lines to day segments, keeping a few files open. */
export class SegmentWriter {
  readonly #handles = new Map<string, FileHandle>();
  readonly dir: string;
  readonly logger: Logger;

  constructor(dir: string, logger: Logger) {
    this.dir = dir;
    this.logger = logger;
  }

  async #handle(day: string): Promise<FileHandle> {
    let handle = this.#handles.get(day);
    if (handle) return handle;
    const file = segmentPath(this.dir, day);
    await repairTornTail(file, this.logger);
    const existed = await stat(file).then(
      () => true,
      () => false,
    );
    handle = await open(file, 'a');
    if (!existed) await syncDir(join(this.dir, EVENTS_DIR));
    this.#handles.set(day, handle);
    // Keep at most three days open (today, yesterday, a late straggler).
    if (this.#handles.size > 3) {
      const [oldest] = [...this.#handles.keys()].sort();
      if (oldest !== undefined && oldest !== day) {
        await this.#handles.get(oldest)?.close();
        this.#handles.delete(oldest);
      }
    }
    return handle;
  }

  /** Writes each day's lines with one write call, then makes them durable. */
  async write(byDay: Map<string, string[]>, fsync: boolean): Promise<void> {
    const synced: Promise<void>[] = [];
    for (const [day, lines] of byDay) {
      const handle = await this.#handle(day);
      await handle.appendFile(lines.join(''));
      if (fsync) synced.push(handle.datasync());
    }
    await Promise.all(synced);
  }

  /** Closes a day's file (prune rewrites it). */
  async release(day: string): Promise<void> {
    await this.#handles.get(day)?.close();
    this.#handles.delete(day);
  }

  async close(): Promise<void> {
    for (const handle of this.#handles.values()) await handle.close();
    this.#handles.clear();
  }
}
