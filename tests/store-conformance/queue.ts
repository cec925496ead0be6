/** The review queue: flags, decisions as events, pages with filters, sort orders and cursors. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Flag } from '../../src/core/review.ts';
import { at, flag, flagFromSpec, flagSpecArb, queueOracle, queueQueryArb } from '../store-fixtures.ts';
import { type Conformance, collect } from './harness.ts';

export function queueTests(suite: Conformance): void {
  describe('review queue', () => {
    it('derives a flag state from its review events, and keeps them across a reopen', async () => {
      const data = await suite.data();
      const store = await data.open('bot');
      const f = flag(1, at(0));
      await store.addFlag(f);
      await store.addFlag({ ...f, campaign: 'changed' }); // idempotent by id
      expect((await store.getFlag(f.id))?.campaign).toBe('demo');
      const acked = await store.addReviewEvent({
        id: 'e1',
        flagId: f.id,
        action: 'acknowledge',
        by: 'mod1',
        at: at(10),
      });
      expect(acked.state).toBe('acknowledged');
      await store.addReviewEvent({
        id: 'e2',
        flagId: f.id,
        action: 'comment',
        by: 'mod1',
        at: at(11),
        note: 'looking',
      });
      const resolved = await store.addReviewEvent({
        id: 'e3',
        flagId: f.id,
        action: 'resolve',
        by: 'mod1',
        at: at(12),
        outcome: 'reported-to-police',
      });
      expect(resolved.state).toBe('resolved');
      expect(resolved.events.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
      // A repeated event id is not applied twice.
      await store.addReviewEvent({ id: 'e3', flagId: f.id, action: 'resolve', by: 'mod1', at: at(12) });
      expect((await store.getFlag(f.id))?.events).toHaveLength(3);
      await expect(
        store.addReviewEvent({ id: 'e4', flagId: 'nope', action: 'dismiss', by: 'mod1', at: at(13) }),
      ).rejects.toMatchObject({
        code: 'INPUT_INVALID',
        message: expect.stringMatching(/No flag with id "nope"/),
      });
      // Decisions are in the activity log too.
      const reviews = await collect(store.events({ types: ['review.event'] }));
      expect(reviews.map((e) => e.type === 'review.event' && e.event.id)).toEqual(['e1', 'e2', 'e3']);
      for (let i = 2; i < 40; i++) await store.addFlag(flag(i, at(i)));
      await store.close();
      const again = await data.open('bot');
      const kept = await again.getFlag(f.id);
      expect(kept?.state).toBe('resolved');
      expect(kept?.events[2]).toMatchObject({ action: 'resolve', outcome: 'reported-to-police' });
      expect(kept?.mention).toEqual(f.mention);
      expect(kept?.verdict).toEqual(f.verdict);
      expect((await again.queuePage({ limit: 100 })).total).toBe(39);
      expect(await again.getFlag('unknown')).toBeUndefined();
    });

    it('keeps the events a flag arrives with (a copy between backends), its state derived from them', async () => {
      const store = await (await suite.data()).open('bot');
      const f = flag(3, at(0));
      f.events = [
        { id: 'x1', flagId: f.id, action: 'escalate', by: 'mod', at: at(5) },
        { id: 'x2', flagId: f.id, action: 'dismiss', by: 'mod', at: at(6), note: 'news quote' },
      ];
      await store.addFlag(f);
      const kept = await store.getFlag(f.id);
      expect(kept?.state).toBe('dismissed');
      expect(kept?.events.map((e) => e.id)).toEqual(['x1', 'x2']);
      expect(await collect(store.flags())).toHaveLength(1);
    });

    it('pages the queue with filters, both sort orders and cursors', async () => {
      const store = await (await suite.data()).open('bot');
      const adds: Promise<void>[] = [];
      for (let i = 0; i < 250; i++) {
        adds.push(
          store.addFlag(
            flag(i, at(i), {
              campaign: i % 5 === 0 ? 'other' : 'demo',
              score: (i % 17) / 17,
              severity: i % 3 === 0 ? 'medium' : 'high',
              rule: i % 4 === 0 ? 'threat.violence' : 'slur.test',
              hashtags: i % 2 === 0 ? ['westandtogether', 'london'] : ['westandtogether'],
            }),
          ),
        );
      }
      await Promise.all(adds);
      await store.addReviewEvent({
        id: 'd1',
        flagId: flag(249, at(249)).id,
        action: 'dismiss',
        by: 'm',
        at: at(300),
      });

      const first = await store.queuePage({ limit: 50, state: 'open' });
      expect(first.total).toBe(249);
      expect(first.items).toHaveLength(50);
      expect(first.items[0]!.createdAt).toBe(at(248)); // newest first, the dismissed one left out
      const seen = new Set(first.items.map((f) => f.id));
      let next = first.next;
      while (next) {
        const page = await store.queuePage({ limit: 50, state: 'open', after: next });
        for (const f of page.items) {
          expect(seen.has(f.id)).toBe(false);
          seen.add(f.id);
        }
        next = page.next;
      }
      expect(seen.size).toBe(249);

      const byScore = await store.queuePage({ limit: 20, sort: 'score' });
      const scores = byScore.items.map((f) => f.verdict.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      const page2 = await store.queuePage({ limit: 20, sort: 'score', after: byScore.next! });
      expect(page2.items[0]!.verdict.score).toBeLessThanOrEqual(scores[scores.length - 1]!);

      const filtered = await store.queuePage({
        limit: 500,
        campaign: 'demo',
        severity: 'medium',
        rule: 'threat.violence',
        hashtag: '#London',
        platform: 'bluesky',
      });
      const expected = Array.from({ length: 250 }, (_, i) => i).filter(
        (i) => i % 5 !== 0 && i % 3 === 0 && i % 4 === 0 && i % 2 === 0,
      );
      expect(filtered.total).toBe(expected.length);
      expect(filtered.items.map((f) => f.mention.url).sort()).toEqual(
        expected.map((i) => `https://example.test/post/${i}`).sort(),
      );
      expect((await store.queuePage({ limit: 10, state: ['dismissed', 'resolved'] })).total).toBe(1);
      // A cursor from one sort order is refused by the other.
      await expect(store.queuePage({ limit: 10, sort: 'score', after: first.next! })).rejects.toThrow(
        /cursor/,
      );
      await expect(store.queuePage({ limit: 10, after: 'not-a-cursor' })).rejects.toThrow(/cursor/);
      expect((await collect(store.flags())).length).toBe(250);
    });

    it('pages through exactly what a full filter-and-sort gives, for any flags and query', async () => {
      // One store for every run: each run's flags carry the run's own campaign names.
      const store = await (await suite.data()).open('bot');
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(flagSpecArb, { maxLength: 60 }),
          queueQueryArb,
          fc.integer({ min: 1, max: 7 }),
          async (specs, q, limit) => {
            run++;
            const ns = (c: string) => `${c}-${run}`;
            const added = new Map<string, Flag>();
            for (const s of specs) {
              const f = flagFromSpec(s, `-${run}`);
              if (added.has(f.id)) continue;
              await store.addFlag(f);
              added.set(f.id, (await store.getFlag(f.id))!);
            }
            // Every query is kept to this run's flags by campaign.
            const query = { ...q, campaign: ns(q.campaign ?? 'a'), limit };
            const expected = queueOracle([...added.values()], query);
            const got: Flag[] = [];
            let page = await store.queuePage(query);
            expect(page.total).toBe(expected.length);
            got.push(...page.items);
            while (page.next) {
              page = await store.queuePage({ ...query, after: page.next });
              got.push(...page.items);
            }
            expect(got.map((f) => f.id)).toEqual(expected.map((f) => f.id));
          },
        ),
        { numRuns: 60 },
      );
    });
  });
}
