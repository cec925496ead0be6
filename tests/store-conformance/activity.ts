/** The activity log: append, all-or-nothing transactions, streaming back in order, hourly stats. */
import { describe, expect, it } from 'vitest';
import type { ActivityEvent, JournalEntry } from '../../src/store/types.ts';
import { at, flag, mentionEvent } from '../store-fixtures.ts';
import { type Conformance, collect } from './harness.ts';

export const journalEntry = (key: string, state: JournalEntry['state'] = 'intent'): JournalEntry => ({
  key,
  campaign: 'demo',
  platform: 'bluesky',
  slotAt: '2026-11-20T12:00:00.000Z',
  text: 'We stand together. Report hate crime: 101, or 999 if urgent.',
  state,
  attempts: 1,
  updatedAt: '2026-11-20T12:00:01.000Z',
});

export function activityTests(suite: Conformance): void {
  describe('activity log', () => {
    it('streams events back in time order, filtered by time (until exclusive) and type', async () => {
      const store = await (await suite.data()).open('bot');
      await Promise.all([
        store.append(mentionEvent(1, at(0))),
        store.append({ type: 'control', at: at(86_400), action: 'pause', campaign: 'demo' }),
        store.append(mentionEvent(2, at(60), true)),
      ]);
      const all = await collect(store.events());
      expect(all.map((e) => [e.type, e.at])).toEqual([
        ['mention.seen', at(0)],
        ['mention.seen', at(60)],
        ['control', at(86_400)],
      ]);
      expect(await collect(store.events({ types: ['control'] }))).toHaveLength(1);
      const window = await collect(store.events({ since: at(30), until: at(3600) }));
      expect(window).toHaveLength(1);
      expect(window[0]!.type === 'mention.seen' && window[0]!.mention.url).toBe(
        'https://example.test/post/2',
      );
      expect(await collect(store.events({ since: at(0), until: at(60) }))).toHaveLength(1);
      // What comes back is what went in, field for field.
      expect(all[0]).toEqual(mentionEvent(1, at(0)));
    });

    it('keeps every one of many concurrent appends', async () => {
      const store = await (await suite.data()).open('bot');
      const appends: Promise<void>[] = [];
      for (let i = 0; i < 2000; i++) appends.push(store.append(mentionEvent(i, at(i))));
      await Promise.all(appends);
      await store.flush();
      const urls = (await collect(store.events())).map((e) =>
        e.type === 'mention.seen' ? e.mention.url : '',
      );
      expect(new Set(urls).size).toBe(2000);
    });

    it('refuses an event with an invalid time and writes nothing of the transaction it is in', async () => {
      const store = await (await suite.data()).open('bot');
      await expect(store.append({ ...mentionEvent(1, at(0)), at: 'yesterday' })).rejects.toMatchObject({
        code: 'INPUT_INVALID',
      });
      await expect(
        store.commit({
          events: [mentionEvent(2, at(1), true), { ...mentionEvent(3, at(2)), at: 'not a time' }],
          flags: [flag(2, at(1))],
          journal: [journalEntry('k')],
          cursors: [{ key: 'c', value: '1' }],
          state: [{ key: 's', value: 1 }],
        }),
      ).rejects.toMatchObject({ code: 'INPUT_INVALID' });
      expect(await collect(store.events())).toEqual([]);
      expect(await store.getFlag(flag(2, at(1)).id)).toBeUndefined();
      expect(await store.getJournal('k')).toBeUndefined();
      expect(await store.getCursor('c')).toBeUndefined();
      expect(await store.getState('s')).toBeUndefined();
    });

    it('commits events, journal, flags, cursors and state together, visible to a later handle', async () => {
      const data = await suite.data();
      const store = await data.open('bot');
      const events: ActivityEvent[] = [
        mentionEvent(1, at(0), true),
        {
          type: 'post.confirmed',
          at: at(1),
          campaign: 'demo',
          platform: 'bluesky',
          slotKey: 'k',
          remoteId: 'r',
          url: 'u',
        },
      ];
      await store.commit({
        events,
        flags: [flag(1, at(0))],
        journal: [journalEntry('k', 'confirmed')],
        cursors: [{ key: 'monitor', value: '7' }],
        state: [{ key: 'budget', value: { reads: 3 } }],
      });
      await store.close();
      const again = await data.open('read');
      expect(await collect(again.events())).toEqual(events);
      expect((await again.getFlag(flag(1, at(0)).id))?.state).toBe('open');
      expect((await again.getJournal('k'))?.state).toBe('confirmed');
      expect(await again.getCursor('monitor')).toBe('7');
      expect(await again.getState('budget')).toEqual({ reads: 3 });
    });

    it('counts posts, mentions, flags and alerts per hour for a range, and for one campaign', async () => {
      const store = await (await suite.data()).open('bot');
      await store.append(mentionEvent(1, at(0)));
      await store.append(mentionEvent(2, at(10), true));
      await store.append(mentionEvent(3, at(3600), true, 'other'));
      await store.append({
        type: 'post.confirmed',
        at: at(20),
        campaign: 'demo',
        platform: 'bluesky',
        slotKey: 'k',
        remoteId: 'r',
        url: 'u',
      });
      await store.append({
        type: 'alert.hijack',
        at: at(30),
        campaign: 'demo',
        hashtag: 'westandtogether',
        windowShare: 0.4,
        baselineShare: 0.05,
      });
      const all = await store.stats({ from: at(0), to: at(7200) });
      expect(all).toMatchObject({ posts: 1, mentionsSeen: 3, mentionsFlagged: 2, alerts: 1 });
      expect(all.hourly).toEqual([
        { hour: '2026-11-20T10:00:00.000Z', posts: 1, seen: 2, flagged: 1 },
        { hour: '2026-11-20T11:00:00.000Z', posts: 0, seen: 1, flagged: 1 },
      ]);
      const demo = await store.stats({ from: at(0), to: at(7200), campaign: 'demo' });
      expect(demo.mentionsSeen).toBe(2);
      // A later append is counted on the next call.
      await store.append(mentionEvent(4, at(40)));
      expect((await store.stats({ from: at(0), to: at(3600) })).mentionsSeen).toBe(3);
      await expect(store.stats({ from: 'then', to: at(0) })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    });
  });
}
