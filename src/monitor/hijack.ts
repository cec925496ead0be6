/**
 * Hijack detection: per campaign and hashtag, the share of flagged mentions in a rolling window is
 * compared with the share over the hours before it. Pure: time comes in with each observation.
 *
 * The baseline is smoothed towards a prior (a Beta prior worth `priorWeight` mentions), so a new
 * campaign with little history does not alert on its first two hateful posts, and a busy one
 * measures against its own history.
 */

export interface HijackOptions {
  /** Rolling window compared against the baseline. */
  windowMs: number;
  /** History before the window that forms the baseline. */
  baselineMs: number;
  /** Bucket size; history is kept per bucket. */
  bucketMs: number;
  /** At least this many mentions in the window before an alert can fire. */
  minMentions: number;
  /** At least this many flagged mentions in the window. */
  minFlagged: number;
  /** Window share must be at least `ratio` × baseline … */
  ratio: number;
  /** … and at least `minLift` above it (absolute share). */
  minLift: number;
  /** Baseline share assumed before any history. */
  priorShare: number;
  /** How many mentions the prior is worth. */
  priorWeight: number;
  /** No second alert for the same hashtag within this time. */
  cooldownMs: number;
}

export const DEFAULT_HIJACK_OPTIONS: HijackOptions = {
  windowMs: 10 * 60_000,
  baselineMs: 24 * 60 * 60_000,
  bucketMs: 60_000,
  minMentions: 20,
  minFlagged: 12,
  ratio: 4,
  minLift: 0.2,
  priorShare: 0.05,
  priorWeight: 200,
  cooldownMs: 30 * 60_000,
};

export interface HijackAlert {
  campaign: string;
  hashtag: string;
  /** Epoch ms of the observation that crossed the line. */
  at: number;
  windowShare: number;
  baselineShare: number;
  windowMentions: number;
  windowFlagged: number;
}

interface Bucket {
  start: number;
  total: number;
  flagged: number;
}

interface Series {
  buckets: Bucket[];
  lastAlertAt: number;
}

export class HijackDetector {
  private readonly options: HijackOptions;
  private readonly series = new Map<string, Series>();

  constructor(options: Partial<HijackOptions> = {}) {
    this.options = { ...DEFAULT_HIJACK_OPTIONS, ...options };
  }

  /** Records one scored mention; returns the alerts it triggers (at most one per hashtag). */
  observe(campaign: string, hashtags: readonly string[], flagged: boolean, at: number): HijackAlert[] {
    const alerts: HijackAlert[] = [];
    for (const hashtag of hashtags) {
      const alert = this.observeOne(campaign, hashtag, flagged, at);
      if (alert) alerts.push(alert);
    }
    return alerts;
  }

  /** Records history (from before a restart) without raising alerts. */
  seed(campaign: string, hashtags: readonly string[], flagged: boolean, at: number): void {
    for (const hashtag of hashtags) this.record(this.seriesFor(campaign, hashtag), flagged, at);
  }

  /** An alert raised before a restart: the cooldown runs from it. */
  noteAlert(campaign: string, hashtag: string, at: number): void {
    const s = this.seriesFor(campaign, hashtag);
    if (at > s.lastAlertAt) s.lastAlertAt = at;
  }

  /** How far back history matters (window + baseline). */
  get historyMs(): number {
    return this.options.windowMs + this.options.baselineMs;
  }

  /** Window and baseline shares for one hashtag now, for status displays. */
  shares(campaign: string, hashtag: string, now: number): { windowShare: number; baselineShare: number } {
    const s = this.series.get(`${campaign}\u0000${hashtag}`);
    if (!s) return { windowShare: 0, baselineShare: this.options.priorShare };
    const { window, baseline } = this.split(s, now);
    return { windowShare: window.total === 0 ? 0 : window.flagged / window.total, baselineShare: baseline };
  }

  private seriesFor(campaign: string, hashtag: string): Series {
    const key = `${campaign}\u0000${hashtag}`;
    let s = this.series.get(key);
    if (!s) {
      s = { buckets: [], lastAlertAt: Number.NEGATIVE_INFINITY };
      this.series.set(key, s);
    }
    return s;
  }

  private record(s: Series, flagged: boolean, at: number): void {
    const o = this.options;
    const start = Math.floor(at / o.bucketMs) * o.bucketMs;
    // Mentions arrive roughly in time order; a late one joins its own bucket if still kept.
    let bucket = s.buckets.findLast((b) => b.start === start);
    if (!bucket) {
      bucket = { start, total: 0, flagged: 0 };
      s.buckets.push(bucket);
      s.buckets.sort((a, b) => a.start - b.start);
    }
    bucket.total += 1;
    if (flagged) bucket.flagged += 1;
    const oldest = at - o.windowMs - o.baselineMs;
    while (s.buckets.length > 0 && s.buckets[0]!.start + o.bucketMs <= oldest) s.buckets.shift();
  }

  private observeOne(
    campaign: string,
    hashtag: string,
    flagged: boolean,
    at: number,
  ): HijackAlert | undefined {
    const o = this.options;
    const s = this.seriesFor(campaign, hashtag);
    this.record(s, flagged, at);
    if (!flagged || at - s.lastAlertAt < o.cooldownMs) return undefined;
    const { window, baseline } = this.split(s, at);
    if (window.total < o.minMentions || window.flagged < o.minFlagged) return undefined;
    const share = window.flagged / window.total;
    if (share < baseline * o.ratio || share - baseline < o.minLift) return undefined;
    s.lastAlertAt = at;
    return {
      campaign,
      hashtag,
      at,
      windowShare: share,
      baselineShare: baseline,
      windowMentions: window.total,
      windowFlagged: window.flagged,
    };
  }

  private split(s: Series, now: number): { window: { total: number; flagged: number }; baseline: number } {
    const o = this.options;
    const windowStart = now - o.windowMs;
    const window = { total: 0, flagged: 0 };
    const before = { total: 0, flagged: 0 };
    for (const b of s.buckets) {
      const target = b.start + o.bucketMs > windowStart ? window : before;
      target.total += b.total;
      target.flagged += b.flagged;
    }
    const baseline = (before.flagged + o.priorShare * o.priorWeight) / (before.total + o.priorWeight);
    return { window, baseline };
  }
}
