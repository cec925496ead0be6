import type { Verdict } from '../core/verdict.ts';
import type { ScoreOptions } from '../scoring/types.ts';

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
