/**
 * Copies everything one store holds into another, empty one, through the Store interface only
 * (so any backend to any backend: file → PostgreSQL and back), then counts both sides.
 *
 * Activity events keep their order. A mention.seen event repeated for the same campaign and
 * mention (the file store can hold one after a crash and a replay) is copied once: the
 * PostgreSQL store refuses duplicates, so the expected counts leave it out, and the report says
 * how many were skipped. Hourly counts with no event behind them (of lines retention already
 * dropped) go across as counts when the target can take them (PostgreSQL); into a file store
 * they cannot, and the report says how many stay behind.
 */
import { SolidarityError } from '../errors.ts';
import { countEvent } from './counts.ts';
import type { CountsTable } from './schema.ts';
import type { Store } from './types.ts';

/**
 * What a backend offers beyond the Store interface so a copy keeps the hourly counts of lines
 * retention dropped: reading every count (both backends) and adding counts (PostgreSQL).
 */
interface CountsSource {
  hourlyCounts(): Promise<CountsTable>;
}
interface CountsTarget {
  addHourlyCounts(table: CountsTable): Promise<void>;
}

function countsSource(store: Store): CountsSource | undefined {
  return typeof (store as Partial<CountsSource>).hourlyCounts === 'function'
    ? (store as unknown as CountsSource)
    : undefined;
}

function countsTarget(store: Store): CountsTarget | undefined {
  return typeof (store as Partial<CountsTarget>).addHourlyCounts === 'function'
    ? (store as unknown as CountsTarget)
    : undefined;
}

type Totals = { posts: number; seen: number; flagged: number; alerts: number };

/** `all` minus `part`, per hour and campaign (what has no event behind it), with its totals. */
function residual(all: CountsTable, part: CountsTable): { table: CountsTable; totals: Totals } {
  const table: CountsTable = {};
  const totals: Totals = { posts: 0, seen: 0, flagged: 0, alerts: 0 };
  for (const [hour, campaigns] of Object.entries(all)) {
    for (const [campaign, c] of Object.entries(campaigns)) {
      const p = part[hour]?.[campaign];
      const left = {
        posts: Math.max(0, c.posts - (p?.posts ?? 0)),
        seen: Math.max(0, c.seen - (p?.seen ?? 0)),
        flagged: Math.max(0, c.flagged - (p?.flagged ?? 0)),
        alerts: Math.max(0, c.alerts - (p?.alerts ?? 0)),
      };
      if (left.posts + left.seen + left.flagged + left.alerts === 0) continue;
      table[hour] ??= {};
      table[hour][campaign] = left;
      totals.posts += left.posts;
      totals.seen += left.seen;
      totals.flagged += left.flagged;
      totals.alerts += left.alerts;
    }
  }
  return { table, totals };
}

export interface StoreCounts {
  events: number;
  /** Events per type, e.g. { "mention.seen": 100000, "post.confirmed": 12 }. */
  eventTypes: Record<string, number>;
  flags: number;
  /** Flags per review state. */
  flagStates: Record<string, number>;
  reviewEvents: number;
  journal: number;
  cursors: number;
  state: number;
  moderators: number;
}

export interface CopyReport {
  /** What the target should hold: the source, less repeated mentions. */
  expected: StoreCounts;
  /** What the target holds afterwards, counted again. */
  copied: StoreCounts;
  /** Repeated mention.seen events (same campaign and mention) not copied. */
  duplicatesSkipped: number;
  /** One line per count that differs; empty when the copy is complete. */
  mismatches: string[];
  /**
   * Hourly counts with no event behind them (of lines retention had already dropped, and of
   * repeated mentions) that the target took over, so its charts match the source's.
   */
  countsCarried: Totals;
  /**
   * Hourly counts the source has and the target lacks, when the target cannot take counts
   * alone (the file store): not a mismatch, but the charts of those hours show less.
   */
  countsNotCarried: Totals;
}

/** Every hour there is. */
const ALL_TIME = { from: '1970-01-01T00:00:00.000Z', to: '9999-12-31T00:00:00.000Z' };

function emptyCounts(): StoreCounts {
  return {
    events: 0,
    eventTypes: {},
    flags: 0,
    flagStates: {},
    reviewEvents: 0,
    journal: 0,
    cursors: 0,
    state: 0,
    moderators: 0,
  };
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** Keeps up to `limit` writes in flight (each store groups them), in the order they were made. */
class InFlight {
  readonly #pending = new Set<Promise<void>>();
  readonly #limit: number;
  #failure: unknown;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async add(write: Promise<void>): Promise<void> {
    const tracked = write.catch((error) => {
      this.#failure ??= error;
    });
    this.#pending.add(tracked);
    void tracked.then(() => this.#pending.delete(tracked));
    if (this.#pending.size >= this.#limit) await Promise.race(this.#pending);
    if (this.#failure) throw this.#failure;
  }

  async drain(): Promise<void> {
    await Promise.all(this.#pending);
    if (this.#failure) throw this.#failure;
  }
}

/** Counts what a store holds (streams the activity log and the flags once). */
export async function countStore(store: Store): Promise<StoreCounts> {
  const counts = emptyCounts();
  for await (const event of store.events()) {
    counts.events++;
    bump(counts.eventTypes, event.type);
  }
  for await (const flag of store.flags()) {
    counts.flags++;
    bump(counts.flagStates, flag.state);
    counts.reviewEvents += flag.events.length;
  }
  counts.journal = (await store.listJournal()).length;
  counts.cursors = (await store.listCursors()).length;
  counts.state = (await store.listState()).length;
  counts.moderators = (await store.listModerators()).length;
  return counts;
}

/** Whether a store holds nothing at all. */
export async function isEmpty(store: Store): Promise<boolean> {
  for await (const _ of store.events()) return false;
  for await (const _ of store.flags()) return false;
  return (
    (await store.listJournal()).length === 0 &&
    (await store.listCursors()).length === 0 &&
    (await store.listState()).length === 0 &&
    (await store.listModerators()).length === 0
  );
}

/** The differences between two sets of counts, one line each. */
export function compareCounts(expected: StoreCounts, copied: StoreCounts): string[] {
  const lines: string[] = [];
  const check = (what: string, a: number, b: number) => {
    if (a !== b) lines.push(`${what}: source ${a}, target ${b}`);
  };
  check('events', expected.events, copied.events);
  for (const type of new Set([...Object.keys(expected.eventTypes), ...Object.keys(copied.eventTypes)])) {
    check(`events ${type}`, expected.eventTypes[type] ?? 0, copied.eventTypes[type] ?? 0);
  }
  check('flags', expected.flags, copied.flags);
  for (const state of new Set([...Object.keys(expected.flagStates), ...Object.keys(copied.flagStates)])) {
    check(`flags ${state}`, expected.flagStates[state] ?? 0, copied.flagStates[state] ?? 0);
  }
  check('review events', expected.reviewEvents, copied.reviewEvents);
  check('journal entries', expected.journal, copied.journal);
  check('cursors', expected.cursors, copied.cursors);
  check('state keys', expected.state, copied.state);
  check('moderators', expected.moderators, copied.moderators);
  return lines;
}

/** Copies `from` into `to` (which must be empty), then counts `to` again and compares. */
export async function copyStore(
  from: Store,
  to: Store,
  options: { progress?: (line: string) => void } = {},
): Promise<CopyReport> {
  if (!(await isEmpty(to))) {
    throw new SolidarityError(
      'USAGE',
      `The target ${to.location} is not empty; store copy only fills an empty store.`,
      {
        hint: 'Copy into a new database or an empty folder (or remove what the target holds first).',
      },
    );
  }
  const expected = emptyCounts();
  const writes = new InFlight(1000);

  for (const moderator of await from.listModerators()) {
    await writes.add(to.putModerator(moderator));
    expected.moderators++;
  }
  for (const { key, value } of await from.listState()) {
    await writes.add(to.setState(key, value));
    expected.state++;
  }
  for (const { key, value } of await from.listCursors()) {
    await writes.add(to.setCursor(key, value));
    expected.cursors++;
  }
  for (const entry of await from.listJournal()) {
    await writes.add(to.putJournal(entry));
    expected.journal++;
  }
  for await (const flag of from.flags()) {
    await writes.add(to.addFlag(flag));
    expected.flags++;
    bump(expected.flagStates, flag.state);
    expected.reviewEvents += flag.events.length;
  }
  await writes.drain();
  options.progress?.(
    `Copied ${expected.moderators} moderators, ${expected.state} state keys, ${expected.cursors} cursors, ${expected.journal} journal entries, ${expected.flags} flags.`,
  );

  const seen = new Set<string>();
  let duplicatesSkipped = 0;
  const copiedCounts: CountsTable = {};
  for await (const event of from.events()) {
    if (event.type === 'mention.seen') {
      const key = `${event.campaign}\u0000${event.mention.platform}\u0000${event.mention.id}`;
      if (seen.has(key)) {
        duplicatesSkipped++;
        continue;
      }
      seen.add(key);
    }
    await writes.add(to.append(event));
    countEvent(copiedCounts, event);
    expected.events++;
    bump(expected.eventTypes, event.type);
    if (expected.events % 100_000 === 0) options.progress?.(`Copied ${expected.events} events.`);
  }
  await writes.drain();
  await to.flush();
  options.progress?.(`Copied ${expected.events} events.`);

  // Counts with no event behind them go across as counts, where the target can take them.
  let countsCarried: Totals = { posts: 0, seen: 0, flagged: 0, alerts: 0 };
  const source = countsSource(from);
  const target = countsTarget(to);
  if (source && target) {
    const rest = residual(await source.hourlyCounts(), copiedCounts);
    await target.addHourlyCounts(rest.table);
    countsCarried = rest.totals;
  }

  const copied = await countStore(to);
  const [before, after] = [await from.stats(ALL_TIME), await to.stats(ALL_TIME)];
  const countsNotCarried = {
    posts: before.posts - after.posts,
    seen: before.mentionsSeen - after.mentionsSeen,
    flagged: before.mentionsFlagged - after.mentionsFlagged,
    alerts: before.alerts - after.alerts,
  };
  const mismatches = compareCounts(expected, copied);
  if (source && target) {
    // The target took every count: its charts must match the source's exactly.
    for (const [what, n] of Object.entries(countsNotCarried)) {
      if (n !== 0)
        mismatches.push(`hourly counts ${what}: source ${n > 0 ? 'has' : 'lacks'} ${Math.abs(n)} more`);
    }
  }
  return { expected, copied, duplicatesSkipped, mismatches, countsCarried, countsNotCarried };
}
