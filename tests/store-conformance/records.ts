/** Cursors, small state, the post journal and moderator accounts: kept, listed, and kept across a reopen. */
import { describe, expect, it } from 'vitest';
import { at } from '../store-fixtures.ts';
import { journalEntry } from './activity.ts';
import type { Conformance } from './harness.ts';

export function recordTests(suite: Conformance): void {
  describe('records', () => {
    it('keeps cursors, journal, moderators and state, seen by a reader and after a reopen', async () => {
      const data = await suite.data();
      const store = await data.open('bot');
      await store.setCursor('bluesky:jetstream', '1732000000000000');
      await store.putJournal(journalEntry('demo|2026-11-20T12:00|bluesky'));
      await store.putJournal({
        ...journalEntry('demo|2026-11-20T12:00|bluesky', 'confirmed'),
        remoteId: 'at://x',
      });
      await store.putJournal({
        ...journalEntry('other|2026-11-20T12:00|x'),
        campaign: 'other',
        platform: 'x',
      });
      await store.putModerator({
        name: 'mod1',
        role: 'moderator',
        passwordHash: 'scrypt$abc',
        createdAt: at(0),
      });
      await store.setState('pause:demo', { paused: true, by: 'cli:test' });
      expect(await store.getState<{ paused: boolean }>('pause:demo')).toEqual({
        paused: true,
        by: 'cli:test',
      });
      await store.flush();

      const reader = await data.open('read');
      expect(await reader.getCursor('bluesky:jetstream')).toBe('1732000000000000');
      expect(await reader.getJournal('demo|2026-11-20T12:00|bluesky')).toMatchObject({
        state: 'confirmed',
        remoteId: 'at://x',
      });
      expect(await reader.listJournal({ state: 'confirmed' })).toHaveLength(1);
      expect(await reader.listJournal({ campaign: 'other' })).toHaveLength(1);
      expect(await reader.listJournal({ campaign: 'other', state: 'confirmed' })).toHaveLength(0);
      expect(await reader.listJournal()).toHaveLength(2);
      expect((await reader.getModerator('mod1'))?.role).toBe('moderator');
      expect(await reader.getModerator('nobody')).toBeUndefined();
      expect(await reader.getState('pause:demo')).toEqual({ paused: true, by: 'cli:test' });
      expect(await reader.getState('never-set')).toBeUndefined();

      await store.close();
      const again = await data.open('bot');
      expect(await again.getCursor('bluesky:jetstream')).toBe('1732000000000000');
      expect((await again.listModerators()).map((m) => m.name)).toEqual(['mod1']);
      expect(await again.getState('pause:demo')).toEqual({ paused: true, by: 'cli:test' });
      expect((await again.getJournal('demo|2026-11-20T12:00|bluesky'))?.state).toBe('confirmed');
    });

    it('replaces a moderator by name and lists every account', async () => {
      const store = await (await suite.data()).open('bot');
      await store.putModerator({ name: 'a', role: 'viewer', passwordHash: 'h1', createdAt: at(0) });
      await store.putModerator({ name: 'b', role: 'admin', passwordHash: 'h2', createdAt: at(1) });
      await store.putModerator({
        name: 'a',
        role: 'moderator',
        passwordHash: 'h3',
        createdAt: at(0),
        disabled: true,
        mustChangePassword: true,
        passwordChangedAt: at(5),
      });
      expect(await store.getModerator('a')).toEqual({
        name: 'a',
        role: 'moderator',
        passwordHash: 'h3',
        createdAt: at(0),
        disabled: true,
        mustChangePassword: true,
        passwordChangedAt: at(5),
      });
      expect((await store.listModerators()).map((m) => m.name).sort()).toEqual(['a', 'b']);
    });

    it('stores state as JSON: later changes to the object do not leak in, undefined removes the key', async () => {
      const store = await (await suite.data()).open('bot');
      const value = { reads: 1, days: ['2026-11-20'] };
      await store.setState('budget', value);
      value.reads = 99;
      value.days.push('x');
      expect(await store.getState('budget')).toEqual({ reads: 1, days: ['2026-11-20'] });
      await store.setState('gone', 'soon');
      await store.setState('gone', undefined);
      expect(await store.getState('gone')).toBeUndefined();
      await store.setState('nothing', null);
      expect(await store.getState('nothing')).toBeNull();
      const keys = (await store.listState()).map((e) => e.key).sort();
      expect(keys).toEqual(['budget', 'nothing']);
    });

    it('lists every cursor and moves one forward in place', async () => {
      const store = await (await suite.data()).open('bot');
      await store.setCursor('a', '1');
      await store.setCursor('b', '2');
      await store.setCursor('a', '3');
      expect((await store.listCursors()).sort((x, y) => x.key.localeCompare(y.key))).toEqual([
        { key: 'a', value: '3' },
        { key: 'b', value: '2' },
      ]);
    });

    it('a journal entry is one per key: a later put replaces it', async () => {
      const store = await (await suite.data()).open('bot');
      await store.putJournal(journalEntry('k'));
      await store.putJournal({ ...journalEntry('k', 'failed'), attempts: 2, note: 'rate limited' });
      await store.putJournal({ ...journalEntry('k', 'confirmed'), attempts: 3, url: 'https://x.test/1' });
      const all = await store.listJournal();
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ state: 'confirmed', attempts: 3, url: 'https://x.test/1' });
      expect(all[0]!.note).toBeUndefined();
    });

    it('closing twice is harmless', async () => {
      const store = await (await suite.data()).open('bot');
      await store.setCursor('a', '1');
      await store.close();
      await store.close();
    });
  });
}
