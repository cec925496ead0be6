/** Flags and the review decisions on them: shared by the monitor, the store, moderation and the dashboard. */
import type { Mention } from './mention.ts';
import type { Verdict } from './verdict.ts';

export type ReviewState = 'open' | 'acknowledged' | 'escalated' | 'resolved' | 'dismissed';

/**
 * `reopen` undoes a resolve or dismiss made in error (the earlier events stay in the record).
 * `undo` takes back the decision named by `undoes` within seconds of making it; it is recorded as
 * its own event, and nothing is deleted.
 */
export type ReviewAction = 'acknowledge' | 'escalate' | 'resolve' | 'dismiss' | 'comment' | 'reopen' | 'undo';

export type ResolveOutcome = 'reported-to-police' | 'reported-to-platform' | 'no-action';

/** One decision on a flag; append-only. The flag's state is derived from these. */
export interface ReviewEvent {
  id: string;
  flagId: string;
  action: ReviewAction;
  /** Moderator name, or "cli:<user>" for the CLI. */
  by: string;
  at: string;
  note?: string;
  outcome?: ResolveOutcome;
  /** For `undo`: the id of the event taken back. */
  undoes?: string;
}

/** A flagged mention in the review queue. */
export interface Flag {
  /** Stable: `platform:mentionId#campaign` (one mention can carry the tags of two campaigns). */
  id: string;
  campaign: string;
  mention: Mention;
  verdict: Verdict;
  state: ReviewState;
  createdAt: string;
  events: ReviewEvent[];
}
