/**
 * Transactions across a crash: a write-ahead record whose activity log lines never reached the
 * log gets them at the next start (once). `store verify --deep` / `--repair` is the conformance
 * suite's (tests/store-conformance/consistency.ts), on both backends.
 */
import { cpSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FileStore, openFileStore } from '../src/store/file-store.ts';
import type { ActivityEvent } from '../src/store/types.ts';
import { at, mention, mentionEvent, tempDataDir } from './store-fixtures.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function folder(): string {
  const t = tempDataDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

const writer = (dir: string) =>
  openFileStore({ dir, mode: 'writer', role: 'cli', inboxPollMs: 0, pruneEveryMs: 0 });

async function all(store: FileStore, type: ActivityEvent['type']): Promise<ActivityEvent[]> {
  const out: ActivityEvent[] = [];
  for await (const e of store.events({ types: [type] })) out.push(e);
  return out;
}

describe('store transactions across a crash', () => {
  it('re-appends the events of a committed record that never reached the log, once', async () => {
    const dir = folder();
    const store = await writer(dir);
    // One record before the crash (its lines are written) and one whose lines are lost.
    await store.commit({ events: [mentionEvent(1, at(1), false, 'a'), mentionEvent(1, at(1), false, 'b')] });
    const segment = join(dir, 'events', `${at(1).slice(0, 10)}.jsonl`);
    const sizeBefore = readFileSync(segment).length;
    await store.commit({
      events: [mentionEvent(2, at(2), false, 'a'), mentionEvent(2, at(2), true, 'b')],
      cursors: [{ key: 'k', value: '2' }],
    });
    await store.flush();
    // The crash: a copy of the folder as a SIGKILL after the write-ahead write would leave it.
    const crashed = folder();
    cpSync(dir, crashed, { recursive: true });
    rmSync(join(crashed, 'store.lock'), { force: true });
    truncateSync(join(crashed, 'events', `${at(1).slice(0, 10)}.jsonl`), sizeBefore);
    await store.close();

    const after = await writer(crashed);
    expect(await after.getCursor('k')).toBe('2');
    const events = (await all(after, 'mention.seen')) as Array<
      Extract<ActivityEvent, { type: 'mention.seen' }>
    >;
    expect(events.map((e) => `${e.mention.id}#${e.campaign}`).sort()).toEqual(
      [
        `${mention(1, at(1)).id}#a`,
        `${mention(1, at(1)).id}#b`,
        `${mention(2, at(2)).id}#a`,
        `${mention(2, at(2)).id}#b`,
      ].sort(),
    );
    await after.close();
    // A second start finds them present and writes nothing more.
    const again = await writer(crashed);
    expect((await all(again, 'mention.seen')).length).toBe(4);
    await again.close();
  });
});
