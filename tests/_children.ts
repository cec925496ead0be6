/**
 * Child processes the tests start, killed when their test file ends: a failed assertion before
 * `stop`, or a timeout, must never leave a bot running on the machine. Registered for every test
 * file as a setup file (vitest.config.ts); `spawnNode` in _util.ts tracks what it starts.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';

const running = new Set<ChildProcess>();

export function trackChild(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});
