/**
 * Wall-clock time in a named time zone, without a date library: Intl gives the offsets, and
 * the two daylight-saving edge cases are decided here, once, for preview and posting alike:
 * - a wall-clock time that does not exist (the skipped hour in spring) moves forward by the
 *   length of the gap (01:30 on the last Sunday of March in London becomes 02:30 BST);
 * - a wall-clock time that happens twice (the repeated hour in autumn) means its first occurrence.
 */

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at an instant in a zone. */
export function toWallTime(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function wallAsUtcMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
}

/** Offset of the zone from UTC at an instant, in minutes (London in summer: 60). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const wall = toWallTime(instant, timeZone);
  const ms = instant.getTime() - (instant.getTime() % 1000);
  return Math.round((wallAsUtcMs(wall) - ms) / 60_000);
}

/** The instant a wall-clock time names in a zone (see the module comment for DST gaps/overlaps). */
const QUARTER_HOUR = 15 * 60_000;
const offsetCache = new Map<string, number>();

/** Offsets change on quarter hours in every zone in use, so they are cached per quarter hour. */
function cachedOffset(ms: number, timeZone: string): number {
  const bucket = Math.floor(ms / QUARTER_HOUR);
  const key = `${timeZone}|${bucket}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    if (offsetCache.size > 100_000) offsetCache.clear();
    offset = offsetMinutes(new Date(bucket * QUARTER_HOUR), timeZone);
    offsetCache.set(key, offset);
  }
  return offset;
}

export function fromWallTime(wall: WallTime, timeZone: string): Date {
  const asUtc = wallAsUtcMs(wall);
  const day = 24 * 3600_000;
  const before = cachedOffset(asUtc - day, timeZone);
  const after = cachedOffset(asUtc + day, timeZone);
  // No change within a day either side: the offset is the same throughout.
  if (before === after) return new Date(asUtc - before * 60_000);
  const candidates = [...new Set([before, after])]
    .map((offset) => new Date(asUtc - offset * 60_000))
    .filter((instant) => wallAsUtcMs(toWallTime(instant, timeZone)) === asUtc)
    .sort((a, b) => a.getTime() - b.getTime());
  if (candidates.length > 0) return candidates[0]!;
  // In the gap: keep the offset from before the change, which moves the time forward by the gap.
  return new Date(asUtc - before * 60_000);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** ISO 8601 with the zone's offset, e.g. 2026-03-29T02:30:00+01:00. */
export function formatWithOffset(instant: Date, timeZone: string): string {
  const wall = toWallTime(instant, timeZone);
  const offset = offsetMinutes(instant, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:` +
    `${pad(wall.second ?? 0)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses a campaign date-time: either with an offset or Z (an exact instant), or without one
 * (wall-clock time in the campaign's zone; a date alone means midnight). Undefined when invalid.
 */
export function parseCampaignDateTime(text: string, timeZone: string): Date | undefined {
  const trimmed = text.trim();
  if (WITH_OFFSET.test(trimmed)) {
    const date = new Date(trimmed.replace(' ', 'T'));
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  const m = LOCAL_DATE_TIME.exec(trimmed);
  if (!m) return undefined;
  const wall: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
  const check = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  if (
    check.getUTCMonth() !== wall.month - 1 ||
    check.getUTCDate() !== wall.day ||
    wall.hour > 23 ||
    wall.minute > 59 ||
    (wall.second ?? 0) > 59
  ) {
    return undefined;
  }
  return fromWallTime(wall, timeZone);
}

/** "HH:MM" → minutes after midnight, or undefined. */
export function parseClock(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}
