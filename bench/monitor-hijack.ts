/**
 * Hijack detector on simulated traffic: false alerts on ordinary days and detection of surges,
 * against a naive baseline measured in the same run (alert when 15% of the last 10 minutes is
 * flagged). Prints a table, then one JSON line.
 */
import { HijackDetector } from '../src/monitor/hijack.ts';
import { mulberry32 } from '../src/random.ts';

interface Detector {
  observe(flagged: boolean, at: number): boolean;
}

function ours(): Detector {
  const d = new HijackDetector();
  return { observe: (flagged, at) => d.observe('c', ['t'], flagged, at).length > 0 };
}

/** Fixed share over the last 10 minutes, same minimum volume and cooldown. */
function naive(): Detector {
  const window: Array<{ at: number; flagged: boolean }> = [];
  let last = Number.NEGATIVE_INFINITY;
  return {
    observe(flagged, at) {
      window.push({ at, flagged });
      while (window.length > 0 && window[0]!.at <= at - 600_000) window.shift();
      const f = window.filter((w) => w.flagged).length;
      if (window.length >= 20 && f / window.length >= 0.15 && at - last >= 1_800_000) {
        last = at;
        return true;
      }
      return false;
    },
  };
}

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-25T00:00:00Z');

/** Volume follows the time of day; ~4% flagged, trolls sometimes in clumps of two or three. */
function ordinaryDays(
  d: Detector,
  rand: () => number,
  start: number,
  days: number,
): { alerts: number; end: number } {
  let t = start;
  let alerts = 0;
  while (t < start + days * DAY) {
    const hour = new Date(t).getUTCHours();
    const perMinute = hour < 6 ? 0.5 : hour < 17 ? 3 : 8;
    t += Math.max(1000, (-Math.log(1 - rand()) / perMinute) * 60_000);
    const clump = rand() < 0.012 ? 1 + Math.floor(rand() * 3) : 0;
    if (d.observe(clump > 0 || rand() < 0.015, t)) alerts += 1;
    for (let i = 1; i < clump; i++) if (d.observe(true, t + i * 2000)) alerts += 1;
  }
  return { alerts, end: t };
}

const SEEDS = 100;
const rows: Record<string, { falseAlerts: number; days: number; detected: number; delays: number[] }> = {};
for (const [name, make] of [
  ['ours', ours],
  ['naive_15pct', naive],
] as const) {
  const r = { falseAlerts: 0, days: 0, detected: 0, delays: [] as number[] };
  for (let seed = 1; seed <= SEEDS; seed++) {
    const quiet = ordinaryDays(make(), mulberry32(seed), T0, 2);
    r.falseAlerts += quiet.alerts;
    r.days += 2;
    // Surge: one day of ordinary traffic, then 10 minutes at evening volume with 40% flagged.
    const d = make();
    const rand = mulberry32(1000 + seed);
    const { end } = ordinaryDays(d, rand, T0, 1);
    let t = end;
    for (let i = 0; i < 80; i++) {
      t += 7_500;
      if (d.observe(rand() < 0.4, t)) {
        r.detected += 1;
        r.delays.push((t - end) / 60_000);
        break;
      }
    }
  }
  rows[name] = r;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};
console.log('detector      false alerts / 100 days   surges detected   median delay (min)');
for (const [name, r] of Object.entries(rows)) {
  console.log(
    `${name.padEnd(14)}${((r.falseAlerts / r.days) * 100).toFixed(1).padStart(10)}${`${r.detected}/${SEEDS}`.padStart(24)}${median(r.delays).toFixed(1).padStart(20)}`,
  );
}
const o = rows.ours!;
const n = rows.naive_15pct!;
console.log(
  JSON.stringify({
    simulated_days: o.days,
    false_alerts: o.falseAlerts,
    false_alerts_per_100_days: Number(((o.falseAlerts / o.days) * 100).toFixed(2)),
    surges_detected: o.detected,
    surges: SEEDS,
    median_detection_minutes: median(o.delays),
    naive_false_alerts: n.falseAlerts,
    naive_surges_detected: n.detected,
    false_alert_ratio_vs_naive:
      n.falseAlerts === 0 ? null : Number((o.falseAlerts / n.falseAlerts).toFixed(3)),
  }),
);
