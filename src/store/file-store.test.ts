/**
 * What only the file store does: day segments, group commit, checkpoints, the inbox and the lock.
 * Everything a backend must do alike is in the conformance suite (tests/store-conformance/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../tests/_cleanups.ts';
import { at, flag, mentionEvent } from '../../tests/store-fixtures.ts';
import { type FileStore, openFileStore } from './file-store.ts';

const { cleanups, dataDir } = cleanupAfterEach();

async function writer(
  dir: string,
  extra: Partial<Parameters<typeof openFileStore>[0]> = {},
): Promise<FileStore> {
  const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0, ...extra });
  cleanups.push(() => store.close());
  return store;
}

describe('file store', () => {
  it('appends events into one versioned JSON Lines segment per UTC day', async () => {
    const dir = dataDir();
    const store = await writer(dir);
    await Promise.all([
      store.append(mentionEvent(1, at(0))),
      store.append(mentionEvent(2, at(60), true)),
      store.append({ type: 'control', at: at(86_400), action: 'pause', campaign: 'demo' }),
    ]);
    expect(readdirSync(join(dir, 'events')).sort()).toEqual(['2026-11-20.jsonl', '2026-11-21.jsonl']);
    const first = readFileSync(join(dir, 'events', '2026-11-20.jsonl'), 'utf8').split('\n')[0]!;
    expect(JSON.parse(first).v).toBe(2);
  });

  it('commits many concurrent appends as a group: far fewer writes than appends', async () => {
    const dir = dataDir();
    const store = await writer(dir);
    const appends: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) appends.push(store.append(mentionEvent(i, at(i))));
    await Promise.all(appends);
    await store.flush();
    const lines = readFileSync(join(dir, 'events', '2026-11-20.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(2000);
    expect(store.commits).toBeGreaterThan(0);
    expect(store.commits).toBeLessThan(100);
  });

  it('keeps flags and their decisions across checkpoints (a new state.json, a new log generation)', async () => {
    const dir = dataDir();
    const store = await writer(dir, { checkpointBytes: 2_000 });
    const f = flag(1, at(0));
    await store.addFlag(f);
    await store.addReviewEvent({ id: 'e1', flagId: f.id, action: 'dismiss', by: 'mod1', at: at(10) });
    for (let i = 2; i < 40; i++) await store.addFlag(flag(i, at(i)));
    await store.close();
    expect(readdirSync(dir)).toContain('state.json');
    expect(readdirSync(dir).filter((n) => n.startsWith('wal-'))).not.toContain('wal-1.jsonl');
    const again = await writer(dir);
    expect((await again.getFlag(f.id))?.state).toBe('dismissed');
    expect(again.flagCount).toBe(39);
  });

  it('a command goes through the inbox while the bot runs, and leaves nothing in it', async () => {
    const dir = dataDir();
    const bot = await writer(dir, { inboxPollMs: 20, role: 'bot' });
    const f = flag(7, at(0));
    await bot.addFlag(f);
    await bot.flush();
    const cli = await openFileStore({ dir, mode: 'auto' });
    cleanups.push(() => cli.close());
    expect(cli.mode).toBe('client');
    expect(cli.access).toBe('forwarded');
    await cli.setState('pause:demo', { paused: true });
    await cli.addReviewEvent({ id: 'c1', flagId: f.id, action: 'acknowledge', by: 'cli:test', at: at(5) });
    await expect(
      cli.addReviewEvent({ id: 'c2', flagId: 'missing', action: 'dismiss', by: 'cli:test', at: at(6) }),
    ).rejects.toThrow(/No flag with id "missing"/);
    expect(readdirSync(join(dir, 'inbox'))).toEqual([]);
  });

  it('a command with no bot running writes itself and releases the lock afterwards', async () => {
    const dir = dataDir();
    const cli = await openFileStore({ dir, mode: 'auto' });
    expect(cli.mode).toBe('writer');
    expect(cli.access).toBe('owner');
    await cli.setState('pause:demo', { paused: true });
    await cli.close();
    expect(readdirSync(dir)).not.toContain('store.lock');
  });

  it('a reader refresh() follows the log across a checkpoint', async () => {
    const dir = dataDir();
    const bot = await writer(dir, { checkpointBytes: 4_000 });
    await bot.setCursor('a', '1');
    await bot.flush();
    const reader = await openFileStore({ dir, mode: 'reader' });
    await bot.setCursor('a', '2');
    await reader.refresh();
    expect(await reader.getCursor('a')).toBe('2');
    // Enough flags to force checkpoints (new state.json, new log generation).
    for (let i = 0; i < 20; i++) await bot.addFlag(flag(i, at(i)));
    await bot.setCursor('a', '3');
    await reader.refresh();
    expect(await reader.getCursor('a')).toBe('3');
    expect(reader.flagCount).toBe(20);
  });
});
