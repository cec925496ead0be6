/** Data version 1 (single-file lowdb, data/db.json) is migrated on open, crash-safely, never lost. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.ts';
import { openFileStore } from '../src/store/file-store.ts';
import type { ActivityEvent } from '../src/store/types.ts';
import { verifyStore } from '../src/store/verify.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { captureIo } from './_util.ts';
import { at, flag, mentionEvent } from './store-fixtures.ts';

const { dataDir } = cleanupAfterEach();

function legacyDir(): { dir: string; text: string } {
  const dir = dataDir();
  const f = flag(1, at(0));
  const v1 = {
    events: [
      mentionEvent(1, at(0), true),
      mentionEvent(2, at(90_000)),
      { type: 'control', at: at(5), action: 'pause' },
    ],
    cursors: { 'bluesky:jetstream': '1732000000000000' },
    journal: {
      'demo|slot|bluesky': {
        key: 'demo|slot|bluesky',
        campaign: 'demo',
        platform: 'bluesky',
        slotAt: at(0),
        text: 'We stand together.',
        state: 'confirmed',
        attempts: 1,
        updatedAt: at(1),
      },
    },
    moderators: { mod1: { name: 'mod1', role: 'admin', passwordHash: 'scrypt$x', createdAt: at(0) } },
    flags: {
      [f.id]: { ...f, events: [{ id: 'e1', flagId: f.id, action: 'resolve', by: 'mod1', at: at(60) }] },
    },
    state: { 'pause:demo': true },
  };
  const text = JSON.stringify(v1, null, 2);
  writeFileSync(join(dir, 'db.json'), text);
  return { dir, text };
}

function io(dir: string) {
  const captured = captureIo({ SOLIDARITY_DATA_DIR: dir });
  return { io: captured.io, out: captured.stdout, err: captured.stderr };
}

async function events(dir: string): Promise<ActivityEvent[]> {
  const store = await openFileStore({ dir, mode: 'reader' });
  const out: ActivityEvent[] = [];
  for await (const e of store.events()) out.push(e);
  return out;
}

describe('migration', () => {
  it('explains version 1 data to readers, and "store migrate" moves it to the current layout', async () => {
    const { dir, text } = legacyDir();
    await expect(openFileStore({ dir, mode: 'reader' })).rejects.toMatchObject({
      code: 'STORE_VERSION',
      hint: expect.stringContaining('solidarity store migrate'),
    });
    expect((await verifyStore(dir)).warnings.join()).toMatch(/data version 1/);

    const cli = io(dir);
    expect(await runCli(['store', 'migrate'], cli.io)).toBe(0);
    expect(cli.out()).toMatch(/Migrated/);
    expect(readFileSync(join(dir, 'db.json.v1-migrated'), 'utf8')).toBe(text);
    expect(existsSync(join(dir, 'db.json'))).toBe(false);

    const store = await openFileStore({ dir, mode: 'reader' });
    expect(await store.getCursor('bluesky:jetstream')).toBe('1732000000000000');
    expect((await store.getJournal('demo|slot|bluesky'))?.state).toBe('confirmed');
    expect((await store.getModerator('mod1'))?.role).toBe('admin');
    expect(await store.getState('pause:demo')).toBe(true);
    expect((await store.getFlag(flag(1, at(0)).id))?.state).toBe('resolved'); // derived from its events
    const all = await events(dir);
    expect(all.map((e) => e.type).sort()).toEqual(['control', 'mention.seen', 'mention.seen']);
    expect((await verifyStore(dir)).problems).toEqual([]);

    const again = io(dir);
    expect(await runCli(['store', 'migrate'], again.io)).toBe(0);
    expect(again.out()).toMatch(/already current/);
    expect(await events(dir)).toHaveLength(3);
  });

  it('starts over from db.json after a migration cut short', async () => {
    const { dir } = legacyDir();
    mkdirSync(join(dir, 'events.migrating'));
    writeFileSync(join(dir, 'events.migrating', '2026-11-20.jsonl'), '{"v":2,"type":"con');
    const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0 });
    await store.close();
    expect(await events(dir)).toHaveLength(3);
    expect(existsSync(join(dir, 'events.migrating'))).toBe(false);
  });

  it('names the line of a truncated db.json and leaves it as it is', async () => {
    const { dir, text } = legacyDir();
    const cut = text.slice(0, 300);
    writeFileSync(join(dir, 'db.json'), cut);
    await expect(openFileStore({ dir, mode: 'writer', inboxPollMs: 0 })).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      message: expect.stringContaining(`${join(dir, 'db.json')}:${cut.split('\n').length}`),
    });
    expect(readFileSync(join(dir, 'db.json'), 'utf8')).toBe(cut);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
  });
});
