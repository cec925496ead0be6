/**
 * Review rules, pure: which decisions are allowed in which state, and the state a flag is in
 * given its append-only events. No clock and no I/O: ids and times come in as arguments.
 */
import { SolidarityError } from '../errors.ts';
import type { Flag, ResolveOutcome, ReviewAction, ReviewEvent, ReviewState } from './types.ts';

export const REVIEW_STATES: readonly ReviewState[] = [
  'open',
  'acknowledged',
  'escalated',
  'resolved',
  'dismissed',
];
export const REVIEW_ACTIONS: readonly ReviewAction[] = [
  'acknowledge',
  'escalate',
  'resolve',
  'dismiss',
  'comment',
  'reopen',
];
export const RESOLVE_OUTCOMES: readonly ResolveOutcome[] = [
  'reported-to-police',
  'reported-to-platform',
  'no-action',
];

/** States a moderator still has to act on: the default view of the queue. */
export const UNRESOLVED_STATES: readonly ReviewState[] = ['open', 'acknowledged', 'escalated'];

export const OUTCOME_LABELS: Record<ResolveOutcome, string> = {
  'reported-to-police': 'Reported to police',
  'reported-to-platform': 'Reported to platform',
  'no-action': 'No action',
};

export const ACTION_LABELS: Record<ReviewAction, string> = {
  acknowledge: 'Acknowledge',
  escalate: 'Escalate',
  resolve: 'Resolve',
  dismiss: 'Dismiss',
  comment: 'Comment',
  reopen: 'Reopen',
};

/**
 * Allowed transitions. `comment` never changes the state and is always allowed; a resolved or
 * dismissed flag only takes comments or a `reopen` (which brings it back to `open`).
 */
const NEXT_STATE: Record<ReviewState, Partial<Record<ReviewAction, ReviewState>>> = {
  open: { acknowledge: 'acknowledged', escalate: 'escalated', resolve: 'resolved', dismiss: 'dismissed' },
  acknowledged: { escalate: 'escalated', resolve: 'resolved', dismiss: 'dismissed' },
  escalated: { resolve: 'resolved', dismiss: 'dismissed' },
  resolved: { reopen: 'open' },
  dismissed: { reopen: 'open' },
};

/** The state after `action`, or undefined when the action is not allowed in `state`. */
export function nextState(state: ReviewState, action: ReviewAction): ReviewState | undefined {
  if (action === 'comment') return state;
  return NEXT_STATE[state][action];
}

/** Actions a moderator can take on a flag in `state` (comment included). */
export function allowedActions(state: ReviewState): ReviewAction[] {
  return REVIEW_ACTIONS.filter((action) => nextState(state, action) !== undefined);
}

/**
 * The state derived from events in order. An event that was not allowed when it was appended
 * (which `decide` prevents) is kept in the record but does not change the state.
 */
export function deriveState(events: readonly ReviewEvent[]): ReviewState {
  let state: ReviewState = 'open';
  for (const event of events) state = nextState(state, event.action) ?? state;
  return state;
}

/** The flag with its state recomputed from its events. */
export function withDerivedState(flag: Flag): Flag {
  const state = deriveState(flag.events);
  return state === flag.state ? flag : { ...flag, state };
}

export interface Decision {
  action: ReviewAction;
  by: string;
  note?: string | undefined;
  outcome?: ResolveOutcome | undefined;
}

const MAX_NOTE = 2000;

/**
 * Checks a decision against the flag's current state and returns the review event to append.
 * Throws REVIEW_NOT_ALLOWED (with the allowed actions) or INPUT_INVALID.
 */
export function decide(flag: Flag, decision: Decision, ids: { id: string; at: string }): ReviewEvent {
  const state = deriveState(flag.events);
  if (!REVIEW_ACTIONS.includes(decision.action)) {
    throw new SolidarityError('INPUT_INVALID', `Unknown review action "${decision.action}".`, {
      hint: `Use one of: ${REVIEW_ACTIONS.join(', ')}.`,
    });
  }
  if (!decision.by.trim()) {
    throw new SolidarityError('INPUT_INVALID', 'A review decision needs the name of who made it.');
  }
  const note = decision.note?.trim() || undefined;
  if (note && note.length > MAX_NOTE) {
    throw new SolidarityError(
      'INPUT_INVALID',
      `The note is ${note.length} characters; the limit is ${MAX_NOTE}.`,
    );
  }
  if (decision.action === 'resolve') {
    if (!decision.outcome || !RESOLVE_OUTCOMES.includes(decision.outcome)) {
      throw new SolidarityError('INPUT_INVALID', 'Resolving a flag needs an outcome.', {
        hint: `Use one of: ${RESOLVE_OUTCOMES.join(', ')}.`,
      });
    }
  } else if (decision.outcome) {
    throw new SolidarityError('INPUT_INVALID', `Only "resolve" takes an outcome, not "${decision.action}".`);
  }
  if (decision.action === 'comment' && !note) {
    throw new SolidarityError('INPUT_INVALID', 'A comment needs a note.');
  }
  if (nextState(state, decision.action) === undefined) {
    const allowed = allowedActions(state);
    throw new SolidarityError(
      'REVIEW_NOT_ALLOWED',
      `Flag ${flag.id} is ${state}; it cannot be given "${decision.action}".`,
      { hint: `Allowed now: ${allowed.join(', ')}.` },
    );
  }
  const event: ReviewEvent = {
    id: ids.id,
    flagId: flag.id,
    action: decision.action,
    by: decision.by,
    at: ids.at,
  };
  if (note) event.note = note;
  if (decision.action === 'resolve') event.outcome = decision.outcome!;
  return event;
}

/** One line for a history list: "2026-11-25 21:04 UTC alice resolve (Reported to police): note". */
export function describeEvent(event: ReviewEvent): string {
  const when = `${event.at.slice(0, 16).replace('T', ' ')} UTC`;
  const outcome = event.outcome ? ` (${OUTCOME_LABELS[event.outcome]})` : '';
  const note = event.note ? `: ${event.note}` : '';
  return `${when} ${event.by} ${event.action}${outcome}${note}`;
}
