/**
 * Readers while the bot writes: a child process appends, sets a cursor and adds flags without
 * pause (checkpointing every 64 KiB of log), while this process opens read-only views again and
 * again, and keeps one view current with refresh(). Every open must succeed and see a state that
 * only moves forward; at the end the refreshed view and a fresh one agree.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileStore } from '../src/store/file-store.ts';
import { verifyStore } from '../src/store/verify.ts';
import { tempDataDir } from './store-fixtures.ts';

const CHILD = join(import.meta.dirname, 'store-child.ts');
const { dir, cleanup } = tempDataDir('solidarity-readers-');
afterAll(cleanup);

describe('readers beside a running writer', () => {
  it('always open, across checkpoints, and never see the state go back', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'append', dir, '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let acked = 0;
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          acked += chunk
            .toString()
            .split('\n')
            .filter((l) => l.startsWith('cursor ')).length;
          if (acked >= 20) resolve();
        });
        child.on('exit', (code) => reject(new Error(`writer exited early: ${code}`)));
      });
      let lastFlags = 0;
      let lastCursor = -1;
      const generations = new Set<number>();
      // One long-lived view kept current with refresh(), beside views opened afresh.
      const kept = await openFileStore({ dir, mode: 'reader' });
      let keptFlags = 0;
      for (let i = 0; i < 40; i++) {
        await kept.refresh();
        expect(kept.flagCount).toBeGreaterThanOrEqual(keptFlags);
        keptFlags = kept.flagCount;
        const reader = await openFileStore({ dir, mode: 'reader' });
        const cursor = Number(await reader.getCursor('child'));
        const flags = reader.flagCount;
        expect(flags).toBeGreaterThanOrEqual(lastFlags);
        // Four writers interleave their cursor writes, so allow a small step back.
        expect(cursor).toBeGreaterThanOrEqual(lastCursor - 8);
        lastFlags = flags;
        lastCursor = Math.max(lastCursor, cursor);
        const report = await verifyStore(dir);
        expect(report.problems).toEqual([]);
        generations.add(report.wal.generation);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The views were taken across several checkpoints, and the state moved on meanwhile.
      expect(generations.size).toBeGreaterThan(1);
      expect(lastFlags).toBeGreaterThan(0);
      // Once the writer stops, the refreshed view and a fresh one agree exactly.
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await kept.refresh();
      const fresh = await openFileStore({ dir, mode: 'reader' });
      expect(kept.flagCount).toBe(fresh.flagCount);
      expect(await kept.getCursor('child')).toBe(await fresh.getCursor('child'));
      expect((await kept.queuePage({ limit: 1000 })).items.map((f) => f.id)).toEqual(
        (await fresh.queuePage({ limit: 1000 })).items.map((f) => f.id),
      );
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
