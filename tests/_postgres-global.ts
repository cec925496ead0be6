/**
 * vitest global setup: names a folder where the run's shared PostgreSQL server is described, and
 * stops that server at the end (and any server an earlier, killed run left behind). The server itself starts only when a test file first asks for a
 * database (tests/_postgres.ts), so runs without PostgreSQL tests never start one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_ENV, SHARED_ENV, stopOrphans, stopSharedPostgres } from './_postgres.ts';

export default async function setup(): Promise<() => Promise<void>> {
  await stopOrphans();
  const folder = mkdtempSync(join(tmpdir(), 'solidarity-pg-shared-'));
  process.env[SHARED_ENV] = folder;
  // The server outlives the worker that starts it; it belongs to this run.
  process.env[OWNER_ENV] = String(process.pid);
  return () => stopSharedPostgres(folder);
}
