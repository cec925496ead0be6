/**
 * Empty dashboard session storage for each test, on both backends: in memory (the file store's),
 * and in a fresh PostgreSQL database when a server can be started. For `describe.each`; the pools
 * it opens are closed after the file.
 */
import pg from 'pg';
import { afterAll } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { migrate } from '../src/store/postgres/migrate.ts';
import { PgSessionStorage } from '../src/store/postgres/sessions.ts';
import { memorySessionStorage, type SessionStorage } from '../src/store/sessions.ts';
import { postgresAvailable, testDatabase } from './_postgres.ts';

export function sessionStorageBackends(what: string): Array<[string, () => Promise<SessionStorage>]> {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    for (const pool of pools) await pool.end();
  });
  const backends: Array<[string, () => Promise<SessionStorage>]> = [
    ['memory', async () => memorySessionStorage()],
  ];
  if (postgresAvailable(`${what} on PostgreSQL`)) {
    backends.push([
      'postgres',
      async () => {
        const pool = new pg.Pool({ connectionString: await testDatabase(), max: 2 });
        pools.push(pool);
        await migrate(pool, 'test database', silentLogger());
        return new PgSessionStorage(pool);
      },
    ]);
  }
  return backends;
}
