/** Undoing what a test opened (stores, child processes, temp folders) after it, last opened first. */
import { afterEach } from 'vitest';
import { tempDataDir } from './store-fixtures.ts';

export type Cleanup = () => unknown;

/**
 * For the top of a test file: push onto `cleanups` an undo for anything a test opens; after each
 * test they run, last pushed first. `dataDir()` is a fresh temp data folder removed the same way.
 */
export function cleanupAfterEach(): { cleanups: Cleanup[]; dataDir: () => string } {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    cleanups,
    dataDir() {
      const { dir, cleanup } = tempDataDir();
      cleanups.push(cleanup);
      return dir;
    },
  };
}
