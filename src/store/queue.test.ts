import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { at, flag } from '../../tests/store-fixtures.ts';
import type { Flag } from '../core/review.ts';
import { deriveState, ReviewQueue } from './queue.ts';
import type { QueueQuery } from './types.ts';

/** The obvious, slow answer: filter everything, sort everything. */
function bruteForce(flags: Flag[], q: QueueQuery): Flag[] {
  const states = q.state === undefined ? undefined : Array.isArray(q.state) ? q.state : [q.state];
  const tag = q.hashtag?.replace(/^#/, '').toLowerCase();
  return flags
    .filter(
      (f) =>
        (q.campaign === undefined || f.campaign === q.campaign) &&
        (q.platform === undefined || f.mention.platform === q.platform) &&
        (q.severity === undefined || f.verdict.severity === q.severity) &&
        (states === undefined || states.includes(f.state)) &&
        (tag === undefined || f.mention.hashtags.includes(tag)) &&
        (q.rule === undefined || f.verdict.reasons.some((r) => r.rule === q.rule)),
    )
    .sort((a, b) => {
      if (q.sort === 'score' && a.verdict.score !== b.verdict.score) return b.verdict.score - a.verdict.score;
      if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
      return a.id < b.id ? 1 : -1;
    });
}

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
    const flagArb = fc.record({
      i: fc.integer({ min: 0, max: 400 }),
      t: fc.integer({ min: 0, max: 50 }), // few distinct times: ties are common
      score: fc.integer({ min: 0, max: 4 }),
      campaign: fc.constantFrom('a', 'b'),
      severity: fc.constantFrom('low' as const, 'medium' as const, 'high' as const),
      rule: fc.constantFrom('r1', 'r2'),
      tags: fc.constantFrom(['x'], ['x', 'y']),
      events: fc.array(fc.constantFrom('acknowledge' as const, 'resolve' as const, 'comment' as const), {
        maxLength: 2,
      }),
    });
    const queryArb = fc.record(
      {
        campaign: fc.constantFrom('a', 'b'),
        platform: fc.constantFrom('bluesky', 'x'),
        severity: fc.constantFrom('low', 'high'),
        state: fc.constantFrom('open' as const, ['acknowledged' as const, 'resolved' as const]),
        hashtag: fc.constantFrom('#Y', 'x'),
        rule: fc.constantFrom('r1', 'r2'),
        sort: fc.constantFrom('newest' as const, 'score' as const),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.array(flagArb, { maxLength: 80 }),
        queryArb,
        fc.integer({ min: 1, max: 7 }),
        (specs, q, limit) => {
          const queue = new ReviewQueue();
          const added = new Map<string, Flag>();
          for (const s of specs) {
            const f = flag(s.i, at(s.t), {
              campaign: s.campaign,
              score: s.score / 4,
              severity: s.severity,
              rule: s.rule,
              hashtags: [...s.tags],
            });
            f.events = s.events.map((action, n) => ({
              id: `${f.id}-${n}`,
              flagId: f.id,
              action,
              by: 'm',
              at: at(s.t),
            }));
            if (!added.has(f.id)) added.set(f.id, queue.add(f));
          }
          const expected = bruteForce([...added.values()], { ...q, limit });
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
