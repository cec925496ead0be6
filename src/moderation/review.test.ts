import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeFlag } from '../../tests/_review-fixtures.ts';
import type { ReviewAction, ReviewEvent } from '../core/review.ts';
import { isSolidarityError } from '../errors.ts';
import {
  allowedActions,
  decide,
  deriveState,
  nextState,
  REVIEW_ACTIONS,
  REVIEW_STATES,
  undoDecision,
} from './review.ts';

let seq = 0;
const ids = () => ({ id: `e${++seq}`, at: '2026-11-25T21:00:00.000Z' });

function event(action: ReviewAction, extra: Partial<ReviewEvent> = {}): ReviewEvent {
  return { id: `e${++seq}`, flagId: 'f', action, by: 'mod', at: '2026-11-25T21:00:00.000Z', ...extra };
}

describe('review state', () => {
  it('starts open and follows the allowed transitions', () => {
    expect(deriveState([])).toBe('open');
    expect(deriveState([event('acknowledge')])).toBe('acknowledged');
    expect(deriveState([event('acknowledge'), event('escalate')])).toBe('escalated');
    expect(deriveState([event('escalate'), event('resolve', { outcome: 'reported-to-police' })])).toBe(
      'resolved',
    );
    expect(deriveState([event('dismiss'), event('comment', { note: 'x' })])).toBe('dismissed');
    expect(deriveState([event('dismiss'), event('reopen')])).toBe('open');
  });

  it('ignores an event that was not allowed when recorded', () => {
    expect(deriveState([event('resolve', { outcome: 'no-action' }), event('escalate')])).toBe('resolved');
    expect(deriveState([event('escalate'), event('acknowledge')])).toBe('escalated');
  });

  it('terminal states only take comments or reopen', () => {
    expect(allowedActions('resolved')).toEqual(['comment', 'reopen']);
    expect(allowedActions('dismissed')).toEqual(['comment', 'reopen']);
    expect(allowedActions('open')).toEqual(['acknowledge', 'escalate', 'resolve', 'dismiss', 'comment']);
  });

  it('derived state always equals replaying nextState (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...REVIEW_ACTIONS), { maxLength: 30 }), (actions) => {
        let state = REVIEW_STATES[0]!;
        for (const a of actions) state = nextState(state, a) ?? state;
        expect(deriveState(actions.map((a) => event(a)))).toBe(state);
      }),
    );
  });
});

describe('decide', () => {
  const flag = makeFlag({ n: 1 });

  it('makes an event with who, when, note and outcome', () => {
    const e = decide(
      flag,
      { action: 'resolve', by: 'sam', note: ' rang 101 ', outcome: 'reported-to-police' },
      ids(),
    );
    expect(e).toMatchObject({
      flagId: flag.id,
      action: 'resolve',
      by: 'sam',
      note: 'rang 101',
      outcome: 'reported-to-police',
    });
    expect(e.at).toBe('2026-11-25T21:00:00.000Z');
  });

  it('dismiss takes an optional reason', () => {
    expect(decide(flag, { action: 'dismiss', by: 'sam' }, ids()).note).toBeUndefined();
    expect(decide(flag, { action: 'dismiss', by: 'sam', note: 'quoting to condemn' }, ids()).note).toBe(
      'quoting to condemn',
    );
  });

  it('refuses resolve without outcome, comment without note, outcome on other actions', () => {
    const codes = [
      () => decide(flag, { action: 'resolve', by: 'sam' }, ids()),
      () => decide(flag, { action: 'comment', by: 'sam' }, ids()),
      () => decide(flag, { action: 'escalate', by: 'sam', outcome: 'no-action' }, ids()),
      () => decide(flag, { action: 'escalate', by: ' ' }, ids()),
    ].map((f) => {
      try {
        f();
        return 'none';
      } catch (error) {
        return isSolidarityError(error) ? error.code : 'other';
      }
    });
    expect(codes).toEqual(['INPUT_INVALID', 'INPUT_INVALID', 'INPUT_INVALID', 'INPUT_INVALID']);
  });

  it('refuses a decision the state does not allow and names the allowed ones', () => {
    const resolved = { ...flag, events: [event('resolve', { outcome: 'no-action' })] };
    try {
      decide(resolved, { action: 'dismiss', by: 'sam' }, ids());
      expect.unreachable();
    } catch (error) {
      expect(isSolidarityError(error) && error.code).toBe('REVIEW_NOT_ALLOWED');
      expect(isSolidarityError(error) && error.hint).toContain('comment, reopen');
    }
  });
});

describe('undo', () => {
  const at = (s: number) => new Date(Date.parse('2026-11-25T21:00:00.000Z') + s * 1000).toISOString();
  it('takes back the last decision within 30 s, as its own event', () => {
    const flag = makeFlag({ n: 1 });
    const ack = event('acknowledge', { at: at(0) });
    const dismiss = event('dismiss', { at: at(5) });
    flag.events = [ack, dismiss];
    const undo = undoDecision(flag, dismiss.id, 'mod', { id: 'u1', at: at(20) });
    expect(undo).toMatchObject({ action: 'undo', undoes: dismiss.id, by: 'mod' });
    flag.events.push(undo);
    expect(deriveState(flag.events)).toBe('acknowledged');
    expect(flag.events).toHaveLength(3);
  });

  it('refuses after 30 s, for someone else, or past a later decision', () => {
    const flag = makeFlag({ n: 1 });
    const ack = event('acknowledge', { at: at(0) });
    const esc = event('escalate', { at: at(1), by: 'other' });
    flag.events = [ack, esc];
    const reason = (id: string, by: string, s: number) => {
      try {
        undoDecision(flag, id, by, { id: 'u', at: at(s) });
        return 'allowed';
      } catch (error) {
        return isSolidarityError(error) ? error.message : String(error);
      }
    };
    expect(reason(esc.id, 'other', 31 + 1)).toMatch(/30 seconds/);
    expect(reason(esc.id, 'mod', 5)).toMatch(/made by other/);
    expect(reason(ack.id, 'mod', 5)).toMatch(/later decision/);
    expect(reason(esc.id, 'other', 30)).toBe('allowed');
  });
});
