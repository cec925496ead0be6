import type { ScoreOptions, Verdict } from '../scoring/types.ts';

/** A post that mentions a monitored hashtag, normalised across platforms. */
export interface Mention {
  platform: 'bluesky' | 'x' | 'mastodon' | 'local';
  /** Platform id: at:// URI on Bluesky, tweet id on X. Unique per platform. */
  id: string;
  url: string;
  authorId: string;
  authorHandle: string;
  text: string;
  lang?: string;
  /** ISO 8601, as the platform reports it. */
  createdAt: string;
  /** ISO 8601, when the bot captured it. */
  capturedAt: string;
  /** Lower-case, without '#'. */
  hashtags: string[];
  replyTo?: string;
  quoteOf?: string;
  /** Id of the post this one reposts (X "RT @…" posts that slip through, Bluesky reposts). */
  repostOf?: string;
}

/**
 * Called once the mention that carries it, and every mention the source yielded before it, is
 * durably stored: the source then persists its cursor (Jetstream µs, X since_id, replay line).
 */
export type Checkpoint = () => Promise<void>;

/** One mention as a source hands it over, with the cursor position it completes. */
export interface SourceItem {
  mention: Mention;
  checkpoint?: Checkpoint;
}

/** Counters a source keeps about what it received but did not yield as mentions. */
export interface SourceStats {
  /** Events that could not be parsed or failed validation (skipped, logged). */
  malformed: number;
  /** Reconnects (Jetstream) or retried requests (X). */
  reconnects: number;
  /** Mentions recovered by backfill after downtime. */
  backfilled: number;
}

/**
 * Where mentions come from. `mentions()` yields in order and waits while the consumer is busy:
 * a source never buffers without bound and never drops what it has received.
 */
export interface MentionSource {
  /** 'bluesky', 'x:<campaign>', 'local', …: used in logs and status. */
  readonly name: string;
  mentions(signal: AbortSignal): AsyncIterable<SourceItem>;
  stats(): SourceStats;
  /** Extra status for `solidarity status` (budget, cursor), JSON-safe. */
  status?(): Record<string, unknown>;
}

/** The scorer as the pipeline sees it: `score()` from src/scoring, or a test double. */
export type Scorer = (text: string, options: ScoreOptions) => Verdict | Promise<Verdict>;

/** What the pipeline needs to know about one campaign. */
export interface MonitoredCampaign {
  id: string;
  /** Lower-case, without '#'. */
  hashtags: string[];
  /** The campaign's own message texts, as rendered for posting (never flagged). */
  ownMessages: string[];
  /** The campaign's own account ids and handles per platform (never flagged). */
  ownAccounts: string[];
  scoreOptions: ScoreOptions;
}

/** Running totals; seen = scored + in flight + dropped, flagged = queued. */
export interface MonitorCounts {
  /** One per (mention, campaign) pair accepted after de-duplication. */
  seen: number;
  scored: number;
  stored: number;
  flagged: number;
  queued: number;
  /** The campaign's own posts and reposts of them (scored as own, never flagged). */
  own: number;
  /** Given up on after the store failed; logged with the mention id each time. */
  dropped: number;
  /** Same platform id seen again (Jetstream rewind, X page overlap, replay restart). */
  duplicates: number;
  /** Mentions a source delivered that matched no campaign hashtag. */
  unmatched: number;
  alerts: number;
}
