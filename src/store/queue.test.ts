import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  at,
  flag,
  flagFromSpec,
  flagSpecArb,
  queueOracle,
  queueQueryArb,
} from '../../tests/store-fixtures.ts';
import type { Flag } from '../core/review.ts';
import { deriveState, ReviewQueue } from './queue.ts';

/**
 * The file store's in-memory queue index on its own; the same paging property through the Store
 * interface, on both backends, is in tests/store-conformance/queue.ts.
 */
describe('review queue', () => {
  it('derives state from events: the last decision wins, comments change nothing', () => {
    const e = (action: 'acknowledge' | 'escalate' | 'resolve' | 'dismiss' | 'comment') => ({
      id: action,
      flagId: 'f',
      action,
      by: 'm',
      at: at(0),
    });
    expect(deriveState([])).toBe('open');
    expect(deriveState([e('acknowledge'), e('comment')])).toBe('acknowledged');
    expect(deriveState([e('acknowledge'), e('escalate'), e('resolve')])).toBe('resolved');
    expect(deriveState([e('dismiss')])).toBe('dismissed');
  });

  it('pages through exactly what a full filter-and-sort gives, for any flags and query', () => {
    fc.assert(
      fc.property(
        fc.array(flagSpecArb, { maxLength: 80 }),
        queueQueryArb,
        fc.integer({ min: 1, max: 7 }),
        (specs, q, limit) => {
          const queue = new ReviewQueue();
          const added = new Map<string, Flag>();
          for (const s of specs) {
            const f = flagFromSpec(s);
            if (!added.has(f.id)) added.set(f.id, queue.add(f));
          }
          const expected = queueOracle([...added.values()], { ...q, limit });
          const got: Flag[] = [];
          let page = queue.page({ ...q, limit });
          expect(page.total).toBe(expected.length);
          got.push(...page.items);
          while (page.next) {
            page = queue.page({ ...q, limit, after: page.next });
            got.push(...page.items);
          }
          expect(got.map((f) => f.id)).toEqual(expected.map((f) => f.id));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('removes flags from both orderings', () => {
    const queue = new ReviewQueue();
    for (let i = 0; i < 20; i++) queue.add(flag(i, at(i % 3)));
    const victim = flag(7, at(7 % 3)).id;
    queue.remove(victim);
    expect(queue.page({ limit: 100 }).items.map((f) => f.id)).not.toContain(victim);
    expect(queue.page({ limit: 100, sort: 'score' }).items.map((f) => f.id)).not.toContain(victim);
    expect(queue.page({ limit: 100 }).total).toBe(19);
  });
});
