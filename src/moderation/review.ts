/**
 * Review rules, pure: which decisions are allowed in which state, and the state a flag is in
 * given its append-only events. No clock and no I/O: ids and times come in as arguments.
 */

import type { Flag, ResolveOutcome, ReviewAction, ReviewEvent, ReviewState } from '../core/review.ts';
import { SolidarityError } from '../errors.ts';

export const REVIEW_STATES: readonly ReviewState[] = [
  'open',
  'acknowledged',
  'escalated',
  'resolved',
  'dismissed',
];
/** The decisions a moderator picks (undo is offered after each of them, not picked). */
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
  undo: 'Undo',
};

/** How long after a decision its maker may undo it. */
export const UNDO_WINDOW_MS = 30_000;

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
  if (action === 'undo') return undefined;
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
  // Most flags have no undo: only build the set when there is one (deriveState runs per event).
  let undone: Set<string> | undefined;
  for (const event of events) {
    if (event.action !== 'undo' || !event.undoes) continue;
    undone ??= new Set();
    undone.add(event.undoes);
  }
  let state: ReviewState = 'open';
  for (const event of events) {
    if (event.action === 'undo' || undone?.has(event.id)) continue;
    state = nextState(state, event.action) ?? state;
  }
  return state;
}

/** The events that count: neither undo events nor the events they took back. */
export function effectiveEvents(events: readonly ReviewEvent[]): ReviewEvent[] {
  const undone = new Set(events.filter((e) => e.action === 'undo').map((e) => e.undoes));
  return events.filter((e) => e.action !== 'undo' && !undone.has(e.id));
}

/**
 * The event that takes back `eventId`: only its maker, only within UNDO_WINDOW_MS, and only while it
 * is the flag's last decision that counts (so an undo never skips over someone else's later one).
 * Throws REVIEW_NOT_ALLOWED saying why not.
 */
export function undoDecision(
  flag: Flag,
  eventId: string,
  by: string,
  ids: { id: string; at: string },
): ReviewEvent {
  const effective = effectiveEvents(flag.events);
  const target = effective.find((e) => e.id === eventId);
  const refuse = (why: string) => {
    throw new SolidarityError(
      'REVIEW_NOT_ALLOWED',
      `That decision on flag ${flag.id} cannot be undone: ${why}.`,
      {
        hint: 'Make a new decision instead (reopen a resolved or dismissed flag).',
      },
    );
  };
  if (!target) return refuse('it is not on record, or was undone already');
  if (target.by !== by) return refuse(`it was made by ${target.by}`);
  if (effective[effective.length - 1] !== target) return refuse('a later decision came after it');
  if (Date.parse(ids.at) - Date.parse(target.at) > UNDO_WINDOW_MS)
    return refuse(`undo is offered for ${UNDO_WINDOW_MS / 1000} seconds only`);
  return { id: ids.id, flagId: flag.id, action: 'undo', by, at: ids.at, undoes: target.id };
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
  if (event.action === 'undo')
    return `${when} ${event.by} undid their decision ${event.undoes ?? ''}`.trimEnd();
  return `${when} ${event.by} ${event.action}${outcome}${note}`;
}
