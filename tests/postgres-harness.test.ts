/** The throwaway PostgreSQL server the PostgreSQL tests share (tests/_postgres.ts). */
import { statSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresAvailable, sharedPostgres, testDatabase } from './_postgres.ts';

describe.runIf(postgresAvailable('postgres-harness'))('throwaway PostgreSQL server', () => {
  it('gives each caller its own empty database on a loopback-only server run by an unprivileged user', async () => {
    const cluster = await sharedPostgres();
    const [first, second] = [await testDatabase(), await testDatabase()];
    expect(first).not.toBe(second);
    const client = new pg.Client({ connectionString: first });
    await client.connect();
    try {
      const listen = await client.query<{ listen_addresses: string }>('SHOW listen_addresses');
      expect(listen.rows[0]?.listen_addresses).toBe('127.0.0.1');
      const socketDir = await client.query<{ unix_socket_directories: string }>(
        'SHOW unix_socket_directories',
      );
      expect(socketDir.rows[0]?.unix_socket_directories).toBe(cluster.dir);
      await client.query('CREATE TABLE marker (id int)');
    } finally {
      await client.end();
    }
    // The other database does not see the first one's table.
    const other = new pg.Client({ connectionString: second });
    await other.connect();
    try {
      const tables = await other.query("SELECT 1 FROM pg_tables WHERE tablename = 'marker'");
      expect(tables.rowCount).toBe(0);
    } finally {
      await other.end();
    }
    // PostgreSQL refuses root; the data folder belongs to whoever runs the server.
    const owner = statSync(cluster.dataDir).uid;
    if (process.getuid?.() === 0) expect(owner).not.toBe(0);
    else expect(owner).toBe(process.getuid?.());
  });
});
