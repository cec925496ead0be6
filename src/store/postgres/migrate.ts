/**
 * Schema migrations for the PostgreSQL store: versioned SQL files in ./migrations
 * (NNN_name.sql), applied in order, each recorded in schema_migrations, all inside one
 * transaction under an advisory lock, so instances starting together migrate once and a failed
 * migration leaves the database as it was.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import type { Logger } from 'pino';
import { SolidarityError } from '../../errors.ts';
import { inTransaction, withClient } from './connection.ts';

const DIR = join(import.meta.dirname, 'migrations');
const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;
/** Any constant: the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK = 0x50_4c_44_52; // "SLDR"

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations this version knows, in order. */
export function migrations(): Migration[] {
  return readdirSync(DIR)
    .map((file) => ({ file, match: FILE.exec(file) }))
    .filter((f) => f.match !== null)
    .map(({ file, match }) => ({
      version: Number(match![1]),
      name: match![2]!,
      sql: readFileSync(join(DIR, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

export interface MigrationStatus {
  /** Highest version applied before this call. */
  from: number;
  /** Highest version applied now. */
  to: number;
  applied: string[];
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function appliedVersions(client: pg.ClientBase): Promise<number[]> {
  const exists = await client.query<{ t: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS t",
  );
  if (!exists.rows[0]?.t) return [];
  const rows = await client.query<{ version: number }>(
    'SELECT version FROM schema_migrations ORDER BY version',
  );
  return rows.rows.map((r) => r.version);
}

function newerError(location: string, version: number, known: number): SolidarityError {
  return new SolidarityError(
    'STORE_VERSION',
    `The database ${location} has schema version ${version}; this version of solidarity-bot knows up to ${known}.`,
    { hint: 'Upgrade solidarity-bot (git pull && npm ci) on every instance that uses this database.' },
  );
}

/** Applies every migration not yet applied; refuses a database migrated by a newer version. */
export async function migrate(pool: pg.Pool, location: string, logger?: Logger): Promise<MigrationStatus> {
  const known = migrations();
  const latest = known.at(-1)?.version ?? 0;
  const status = await inTransaction(
    pool,
    async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(CREATE_TABLE);
      const done = new Set(await appliedVersions(client));
      const from = Math.max(0, ...done);
      if (from > latest) throw newerError(location, from, latest);
      const applied: string[] = [];
      for (const m of known) {
        if (done.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          m.version,
          m.name,
        ]);
        applied.push(`${String(m.version).padStart(3, '0')}_${m.name}`);
      }
      return { from, to: Math.max(from, latest), applied };
    },
    1, // not run again after a deadlock: the start that called it reports the failure
  );
  const { from, applied } = status;
  if (applied.length > 0) logger?.info({ from, to: latest, applied }, 'database schema migrated');
  return status;
}

/** For read-only handles: the schema must be current (they never migrate). */
export async function assertCurrent(pool: pg.Pool, location: string): Promise<void> {
  const known = migrations();
  const latest = known.at(-1)?.version ?? 0;
  await withClient(pool, async (client) => {
    const done = await appliedVersions(client);
    const current = Math.max(0, ...done);
    if (current > latest) throw newerError(location, current, latest);
    const missing = known.filter((m) => !done.includes(m.version));
    if (missing.length > 0) {
      throw new SolidarityError(
        'STORE_VERSION',
        `The database ${location} is at schema version ${current}; this version of solidarity-bot needs ${latest}.`,
        { hint: 'Run "solidarity store migrate" (or start the bot) once to migrate it.' },
      );
    }
  });
}
