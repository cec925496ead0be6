/**
 * Crash recovery of transactions. A transaction's write-ahead record is made durable before its
 * events are appended to the activity log, so a SIGKILL in between leaves a record whose events
 * are missing from the log. At the next start the writer re-appends exactly those events: each
 * line of a transaction carries "tx":"<seq>.<index>", and only segment bytes written after the
 * last snapshot (whose offsets the snapshot keeps) can hold lines of records not yet folded in.
 */
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { dayOf, eventLine, repairTornTail, type SegmentWriter, segmentPath } from './activity-log.ts';
import { readLines } from './files.ts';
import type { ActivityEvent } from './types.ts';

/** The events of one transaction record found in the write-ahead log after the snapshot. */
export interface PendingTx {
  seq: number;
  events: readonly ActivityEvent[];
}

/** The line id of the `index`-th event of transaction `seq`. */
export function txLineId(seq: number, index: number): string {
  return `${seq}.${index}`;
}

/**
 * Appends the events of `pending` that are not in the activity log. Returns how many lines it
 * wrote (0 after a clean stop).
 */
export async function recoverTxEvents(options: {
  dir: string;
  pending: readonly PendingTx[];
  /** Segment sizes at the snapshot (absent: read each segment from its start). */
  offsets: Readonly<Record<string, number>> | undefined;
  segments: SegmentWriter;
  fsync: boolean;
  logger: Logger;
}): Promise<number> {
  const { dir, pending, logger } = options;
  const wanted = new Map<string, Array<{ id: string; event: ActivityEvent }>>();
  for (const tx of pending) {
    tx.events.forEach((event, index) => {
      const day = dayOf(event.at);
      let list = wanted.get(day);
      if (!list) {
        list = [];
        wanted.set(day, list);
      }
      list.push({ id: txLineId(tx.seq, index), event });
    });
  }
  const missing = new Map<string, string[]>();
  let count = 0;
  for (const [day, list] of wanted) {
    const file = segmentPath(dir, day);
    await repairTornTail(file, logger);
    const present = new Set<string>();
    const size = await stat(file).then(
      (s) => s.size,
      () => -1,
    );
    if (size >= 0) {
      const offset = options.offsets?.[day] ?? 0;
      const start = offset <= size ? offset : 0;
      for await (const { text } of readLines(file, { start })) {
        // Only the id matters here; a line that is not JSON is reported by verify and readers.
        const at = text.indexOf('"tx":"');
        if (at < 0 || at > 16) continue;
        const end = text.indexOf('"', at + 6);
        if (end > 0) present.add(text.slice(at + 6, end));
      }
    }
    const lines = list.filter((w) => !present.has(w.id)).map((w) => eventLine(w.event, w.id));
    if (lines.length > 0) {
      missing.set(day, lines);
      count += lines.length;
    }
  }
  if (count > 0) {
    await options.segments.write(missing, options.fsync);
    logger.warn(
      { lines: count, days: [...missing.keys()] },
      'activity log lines of committed transactions re-appended after a crash',
    );
  }
  return count;
}
