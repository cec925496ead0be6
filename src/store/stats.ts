/**
 * Hourly counts for the dashboard and `status`, from the activity log: each day segment is read
 * once and then only from where it was last read (the counts of what prune dropped come from its
 * "_counts" line).
 */
import { stat } from 'node:fs/promises';
import { SolidarityError } from '../errors.ts';
import { listSegments, parseLogLine, segmentPath } from './activity-log.ts';
import { countEvent, mergeCounts } from './counts.ts';
import { readLines } from './files.ts';
import type { CountsTable } from './schema.ts';
import type { Stats, StatsRange } from './types.ts';

interface DayCounts {
  offset: number;
  line: number;
  counts: CountsTable;
}

export class StatsReader {
  readonly #dayCounts = new Map<string, DayCounts>();

  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Forgets what was read of a day (prune rewrote its segment). */
  forget(day: string): void {
    this.#dayCounts.delete(day);
  }

  /** Every hourly count there is, per campaign (including those of lines retention dropped). */
  async allCounts(): Promise<CountsTable> {
    const all: CountsTable = {};
    for (const day of await listSegments(this.dir)) mergeCounts(all, await this.#countsOfDay(day));
    return all;
  }

  async stats(range: StatsRange): Promise<Stats> {
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    if (Number.isNaN(from) || Number.isNaN(to)) {
      throw new SolidarityError(
        'INPUT_INVALID',
        `Stats range "${range.from}" to "${range.to}" is not two ISO times.`,
      );
    }
    const firstHour = new Date(from).toISOString().slice(0, 13);
    const fromDay = new Date(from).toISOString().slice(0, 10);
    const toDay = new Date(to).toISOString().slice(0, 10);
    const hours = new Map<string, { posts: number; seen: number; flagged: number; alerts: number }>();
    for (const day of await listSegments(this.dir)) {
      if (day < fromDay || day > toDay) continue;
      const table = await this.#countsOfDay(day);
      for (const [hour, campaigns] of Object.entries(table)) {
        if (hour < firstHour || Date.parse(`${hour}:00:00Z`) >= to) continue;
        for (const [campaign, c] of Object.entries(campaigns)) {
          if (range.campaign !== undefined && campaign !== range.campaign) continue;
          const h = hours.get(hour) ?? { posts: 0, seen: 0, flagged: 0, alerts: 0 };
          h.posts += c.posts;
          h.seen += c.seen;
          h.flagged += c.flagged;
          h.alerts += c.alerts;
          hours.set(hour, h);
        }
      }
    }
    const hourly = [...hours.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([hour, c]) => ({ hour: `${hour}:00:00.000Z`, posts: c.posts, seen: c.seen, flagged: c.flagged }));
    const total = (k: 'posts' | 'seen' | 'flagged' | 'alerts') =>
      [...hours.values()].reduce((n, h) => n + h[k], 0);
    return {
      posts: total('posts'),
      mentionsSeen: total('seen'),
      mentionsFlagged: total('flagged'),
      alerts: total('alerts'),
      hourly,
    };
  }

  /** Hourly counts of one day segment, read incrementally: only lines added since the last call. */
  async #countsOfDay(day: string): Promise<CountsTable> {
    const file = segmentPath(this.dir, day);
    const size = (await stat(file)).size;
    let cached = this.#dayCounts.get(day);
    if (!cached || size < cached.offset) cached = { offset: 0, line: 1, counts: {} };
    if (size > cached.offset) {
      const state = cached;
      for await (const { text, line, offset } of readLines(file, {
        start: state.offset,
        firstLine: state.line,
      })) {
        const parsed = parseLogLine(text, file, line);
        if (parsed.kind === 'counts') mergeCounts(state.counts, parsed.hours);
        else countEvent(state.counts, parsed.event);
        state.offset = offset + Buffer.byteLength(text) + 1;
        state.line = line + 1;
      }
      this.#dayCounts.set(day, state);
    }
    return cached.counts;
  }
}
