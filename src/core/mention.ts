/**
 * A mention and where mentions come from: shared by the monitor (which runs sources), the
 * platforms (which implement them), the store (which keeps mentions) and moderation.
 */
import type { Platform } from './platform.ts';

/** A post that mentions a monitored hashtag, normalised across platforms. */
export interface Mention {
  platform: Platform;
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
  /** The platform id, or `<platform>:<campaign>` for a source per campaign: used in logs and status. */
  readonly name: string;
  mentions(signal: AbortSignal): AsyncIterable<SourceItem>;
  stats(): SourceStats;
  /** Extra status for `solidarity status` (budget, cursor), JSON-safe. */
  status?(): Record<string, unknown>;
}
