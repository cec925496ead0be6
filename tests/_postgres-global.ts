/**
 * vitest global setup: names a folder where the run's shared PostgreSQL server is described, and
 * stops that server at the end. The server itself starts only when a test file first asks for a
 * database (tests/_postgres.ts), so runs without PostgreSQL tests never start one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_ENV, stopSharedPostgres } from './_postgres.ts';

export default function setup(): () => Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'solidarity-pg-shared-'));
  process.env[SHARED_ENV] = folder;
  return () => stopSharedPostgres(folder);
}
