/**
 * Crash safety on real files: a child process appends in a loop (four writers in flight, group
 * commit, checkpoints every 64 KiB of write-ahead log) and is killed with SIGKILL at a random
 * moment, 20 times on the same data folder. After each kill the store opens, verifies, and holds
 * every event, flag and cursor the child had seen acknowledged.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileStore } from '../src/store/file-store.ts';
import { verifyStore } from '../src/store/verify.ts';
import { tempDataDir } from './store-fixtures.ts';

const CHILD = join(import.meta.dirname, 'store-child.ts');
const { dir, cleanup } = tempDataDir('solidarity-crash-');
afterAll(cleanup);

/** Runs the child until it has acknowledged a few events, waits a random while, then SIGKILLs it. */
interface Acked {
  events: number[];
  flags: number[];
  cursors: number[];
}

function runAndKill(start: number, rand: () => number): Promise<Acked> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'append', dir, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: Acked = { events: [], flags: [], cursors: [] };
    let buffer = '';
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const [kind, n] = line.split(' ');
        if (kind === 'event') acked.events.push(Number(n));
        else if (kind === 'flag') acked.flags.push(Number(n));
        else if (kind === 'cursor') acked.cursors.push(Number(n));
      }
      if (!armed && acked.events.length > 0) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), 20 + Math.floor(rand() * 400));
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL')
        reject(new Error(`child ended with ${code ?? signal} before the kill: ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('store crash safety', () => {
  it('keeps every acknowledged event through 20 SIGKILLs', { timeout: 180_000 }, async () => {
    let seed = 20261125;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const events = new Set<number>();
    const flags = new Set<number>();
    let next = 0;
    for (let round = 0; round < 20; round++) {
      const acked = await runAndKill(next, rand);
      expect(acked.events.length).toBeGreaterThan(0);
      for (const n of acked.events) events.add(n);
      for (const n of acked.flags) flags.add(n);
      // Each round numbers its events afresh above everything the last one could have written.
      next = Math.max(...acked.events) + 1000;

      const report = await verifyStore(dir);
      expect(report.problems).toEqual([]);
      const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0 });
      const seen = new Set<number>();
      for await (const event of store.events({ types: ['mention.seen'] })) {
        if (event.type === 'mention.seen') seen.add(Number(event.mention.url.split('/').pop()));
      }
      const missing = [...events].filter((n) => !seen.has(n));
      expect(missing, `round ${round}: acknowledged events missing`).toEqual([]);
      for (const n of flags) {
        const id =
          n % 2 === 0
            ? `bluesky:at://did:plc:user${n % 997}/app.bsky.feed.post/${n.toString(36)}`
            : `x:${1_800_000_000_000 + n}`;
        expect(await store.getFlag(id), `round ${round}: flag ${n}`).toBeDefined();
      }
      // Four writers interleave: the cursor stored is at most a few numbers behind the highest
      // acknowledged cursor write.
      if (acked.cursors.length > 0) {
        expect(Number(await store.getCursor('child'))).toBeGreaterThanOrEqual(Math.max(...acked.cursors) - 8);
      }
      await store.close();
    }
    expect(events.size).toBeGreaterThan(100);
    expect(flags.size).toBeGreaterThan(10);
  });
});
