import { describe, expect, it } from 'vitest';
import {
  formatWithOffset,
  fromWallTime,
  offsetMinutes,
  parseCampaignDateTime,
  parseClock,
  toWallTime,
} from './time.ts';

const LONDON = 'Europe/London';

describe('wall-clock time in a zone', () => {
  it('places an ordinary winter and summer time', () => {
    expect(fromWallTime({ year: 2026, month: 1, day: 10, hour: 9, minute: 0 }, LONDON).toISOString()).toBe(
      '2026-01-10T09:00:00.000Z',
    );
    expect(fromWallTime({ year: 2026, month: 7, day: 10, hour: 9, minute: 0 }, LONDON).toISOString()).toBe(
      '2026-07-10T08:00:00.000Z',
    );
  });

  it('moves a time in the skipped spring hour forward by the gap', () => {
    // 29 March 2026: clocks go from 01:00 GMT to 02:00 BST; 01:30 does not exist.
    const instant = fromWallTime({ year: 2026, month: 3, day: 29, hour: 1, minute: 30 }, LONDON);
    expect(instant.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(formatWithOffset(instant, LONDON)).toBe('2026-03-29T02:30:00+01:00');
  });

  it('takes the first occurrence of a repeated autumn time', () => {
    // 25 October 2026: 01:30 happens at 00:30Z (BST) and again at 01:30Z (GMT).
    const instant = fromWallTime({ year: 2026, month: 10, day: 25, hour: 1, minute: 30 }, LONDON);
    expect(instant.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(formatWithOffset(instant, LONDON)).toBe('2026-10-25T01:30:00+01:00');
  });

  it('works for zones west of UTC and with half-hour offsets', () => {
    expect(formatWithOffset(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe(
      '2026-07-01T08:00:00-04:00',
    );
    expect(formatWithOffset(new Date('2026-07-01T12:00:00Z'), 'Asia/Kolkata')).toBe(
      '2026-07-01T17:30:00+05:30',
    );
    expect(offsetMinutes(new Date('2026-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe(345);
  });

  it('round-trips every hour of a DST day', () => {
    for (let h = 0; h < 26; h++) {
      const instant = new Date(Date.UTC(2026, 9, 24, 22 + h));
      const wall = toWallTime(instant, LONDON);
      const back = fromWallTime(wall, LONDON);
      // Repeated hour maps to its first occurrence; every other hour round-trips exactly.
      if (back.getTime() !== instant.getTime()) expect(instant.getTime() - back.getTime()).toBe(3600_000);
    }
  });
});

describe('campaign date-times', () => {
  it('reads wall-clock times in the campaign zone', () => {
    expect(parseCampaignDateTime('2026-03-22T09:00', LONDON)?.toISOString()).toBe('2026-03-22T09:00:00.000Z');
    expect(parseCampaignDateTime('2026-06-22 09:00', LONDON)?.toISOString()).toBe('2026-06-22T08:00:00.000Z');
    expect(parseCampaignDateTime('2026-06-22', LONDON)?.toISOString()).toBe('2026-06-21T23:00:00.000Z');
  });

  it('reads exact instants with an offset', () => {
    expect(parseCampaignDateTime('2026-06-22T09:00:00Z', LONDON)?.toISOString()).toBe(
      '2026-06-22T09:00:00.000Z',
    );
    expect(parseCampaignDateTime('2026-06-22T09:00+02:00', LONDON)?.toISOString()).toBe(
      '2026-06-22T07:00:00.000Z',
    );
  });

  it('refuses impossible dates and other text', () => {
    for (const bad of [
      '2026-02-30T09:00',
      '2026-13-01',
      '2026-01-01T24:00',
      'next tuesday',
      '',
      '22/03/2026',
    ]) {
      expect(parseCampaignDateTime(bad, LONDON), bad).toBeUndefined();
    }
  });

  it('reads HH:MM clocks', () => {
    expect(parseClock('07:05')).toBe(425);
    expect(parseClock('23:59')).toBe(1439);
    expect(parseClock('24:00')).toBeUndefined();
    expect(parseClock('7:05')).toBeUndefined();
  });
});
