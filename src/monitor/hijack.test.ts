import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random.ts';
import { HijackDetector } from './hijack.ts';

const DAY = 24 * 3_600_000;
const T0 = Date.parse('2026-11-25T00:00:00Z');

/** An ordinary day: volume follows the clock (quiet at night, busy in the evening), ~3% flagged. */
function ordinaryDay(detector: HijackDetector, rand: () => number, start: number, flaggedShare = 0.03) {
  const alerts = [];
  let t = start;
  while (t < start + DAY) {
    const hour = new Date(t).getUTCHours();
    const perMinute = hour < 6 ? 0.5 : hour < 17 ? 3 : 8;
    t += Math.max(1000, (-Math.log(1 - rand()) / perMinute) * 60_000);
    // Trolls come in small clumps now and then: two or three in a row.
    const clump = rand() < flaggedShare / 2.5 ? 1 + Math.floor(rand() * 3) : 0;
    alerts.push(...detector.observe('c', ['westandtogether'], clump > 0 || rand() < flaggedShare / 2, t));
    for (let i = 1; i < clump; i++)
      alerts.push(...detector.observe('c', ['westandtogether'], true, t + i * 2000));
  }
  return { alerts, end: t };
}

describe('hijack detector', () => {
  it('stays quiet through ordinary days, including a viral evening with the usual mix', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const detector = new HijackDetector();
      const rand = mulberry32(seed);
      const day1 = ordinaryDay(detector, rand, T0);
      const day2 = ordinaryDay(detector, rand, day1.end);
      expect(day1.alerts, `seed ${seed}`).toEqual([]);
      expect(day2.alerts, `seed ${seed}`).toEqual([]);
      // A surge of volume with the same share of abuse is popularity, not a hijack.
      const alerts = [];
      for (let i = 0; i < 3000; i++) {
        alerts.push(...detector.observe('c', ['westandtogether'], rand() < 0.04, day2.end + i * 200));
      }
      expect(alerts, `seed ${seed}`).toEqual([]);
    }
  });

  it('fires once on a synthetic surge of flagged mentions, with the window and baseline shares', () => {
    const detector = new HijackDetector();
    const rand = mulberry32(42);
    const { alerts: quiet, end } = ordinaryDay(detector, rand, T0);
    expect(quiet).toEqual([]);
    const alerts = [];
    // Ten minutes in which half of the mentions are flagged.
    for (let i = 0; i < 80; i++) {
      alerts.push(...detector.observe('c', ['westandtogether', 'lovenothate'], i % 2 === 0, end + i * 7_500));
    }
    const onTag = alerts.filter((a) => a.hashtag === 'westandtogether');
    expect(onTag).toHaveLength(1);
    expect(onTag[0]!.windowShare).toBeGreaterThan(0.2);
    expect(onTag[0]!.windowShare).toBeGreaterThanOrEqual(onTag[0]!.baselineShare * 4);
    expect(onTag[0]!.baselineShare).toBeLessThan(0.06);
    expect(onTag[0]!.at).toBeGreaterThan(end);
    // A tag with no history is measured against the prior and alerts too.
    expect(alerts.filter((a) => a.hashtag === 'lovenothate')).toHaveLength(1);
  });

  it('does not alert on a handful of flagged posts on a brand-new campaign', () => {
    const detector = new HijackDetector();
    const alerts = [];
    for (let i = 0; i < 12; i++) alerts.push(...detector.observe('c', ['t'], i < 3, T0 + i * 10_000));
    expect(alerts).toEqual([]);
  });

  it('keeps campaigns and hashtags apart', () => {
    const detector = new HijackDetector();
    const alerts = [];
    for (let i = 0; i < 60; i++) {
      alerts.push(...detector.observe('a', ['t'], true, T0 + i * 5000));
      alerts.push(...detector.observe('b', ['t'], false, T0 + i * 5000));
    }
    expect(alerts.map((a) => a.campaign)).toEqual(['a']);
  });
});
