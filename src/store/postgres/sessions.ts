/**
 * Dashboard sessions, login failures, review claims and the device-cookie key in PostgreSQL
 * (tables from migrations/010_dashboard_sessions.sql and 011_review_claims.sql), so every dashboard instance on the database shares them.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { ClaimRecord, FailurePair, SessionRecord, SessionStorage } from '../sessions.ts';

const sessionSchema = z.object({
  name: z.string(),
  credential: z.string(),
  csrf: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  flash: z.string().optional(),
  undoable: z
    .object({ events: z.array(z.object({ flagId: z.string(), eventId: z.string() })), at: z.number() })
    .optional(),
});

type Queryable = Pick<pg.Pool, 'query'>;

interface ClaimRow {
  by: string;
  since: string;
  last_active: string;
}

function claimOf(row: ClaimRow): ClaimRecord {
  return { by: row.by, since: Number(row.since), lastActive: Number(row.last_active) };
}

export class PgSessionStorage implements SessionStorage {
  readonly shared = true;
  readonly #db: Queryable;
  #deviceKey: Promise<Buffer> | undefined;

  constructor(db: Queryable) {
    this.#db = db;
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.#db.query<{ session: unknown }>(
      'SELECT session FROM dashboard_sessions WHERE key = $1',
      [key],
    );
    if (!rows[0]) return undefined;
    const parsed = sessionSchema.safeParse(rows[0].session);
    // A row this version cannot read ends that session (the person logs in again).
    return parsed.success ? (parsed.data as SessionRecord) : undefined;
  }

  async put(key: string, session: SessionRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO dashboard_sessions (key, name, created_at, last_seen_at, session) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, session = EXCLUDED.session`,
      [key, session.name, session.createdAt, session.lastSeenAt, JSON.stringify(session)],
    );
  }

  async delete(key: string): Promise<void> {
    await this.#db.query('DELETE FROM dashboard_sessions WHERE key = $1', [key]);
  }

  async deleteFor(name: string, exceptKey?: string): Promise<void> {
    await this.#db.query('DELETE FROM dashboard_sessions WHERE name = $1 AND key IS DISTINCT FROM $2', [
      name,
      exceptKey ?? null,
    ]);
  }

  async sweep(idleBefore: number, createdBefore: number): Promise<void> {
    await this.#db.query('DELETE FROM dashboard_sessions WHERE last_seen_at < $1 OR created_at < $2', [
      idleBefore,
      createdBefore,
    ]);
  }

  async failurePair(pair: string): Promise<FailurePair | undefined> {
    const { rows } = await this.#db.query<{ failures: number; last_failure: string }>(
      'SELECT failures, last_failure FROM login_failures WHERE pair = $1',
      [pair],
    );
    const row = rows[0];
    return row ? { failures: row.failures, lastFailure: Number(row.last_failure) } : undefined;
  }

  async recordFailure(pair: string, at: number, forgetMs: number): Promise<void> {
    // One statement each: concurrent failures on two instances both count.
    await this.#db.query(
      `INSERT INTO login_failures (pair, failures, last_failure) VALUES ($1, 1, $2)
       ON CONFLICT (pair) DO UPDATE SET
         failures = CASE WHEN $2 - login_failures.last_failure >= $3 THEN 1 ELSE login_failures.failures + 1 END,
         last_failure = $2`,
      [pair, at, forgetMs],
    );
    await this.#db.query('INSERT INTO login_failure_times (at) VALUES ($1)', [at]);
  }

  async clearFailures(pair: string): Promise<void> {
    await this.#db.query('DELETE FROM login_failures WHERE pair = $1', [pair]);
  }

  async recentFailures(since: number, limit: number): Promise<number[]> {
    const { rows } = await this.#db.query<{ at: string }>(
      `SELECT at FROM (SELECT at FROM login_failure_times WHERE at > $1 ORDER BY at DESC LIMIT $2) newest
       ORDER BY at`,
      [since, limit],
    );
    return rows.map((r) => Number(r.at));
  }

  async sweepFailures(pairsBefore: number, timesBefore: number): Promise<void> {
    await this.#db.query('DELETE FROM login_failures WHERE last_failure < $1', [pairsBefore]);
    await this.#db.query('DELETE FROM login_failure_times WHERE at < $1', [timesBefore]);
  }

  async claims(flagIds: readonly string[], idleBefore: number): Promise<Map<string, ClaimRecord>> {
    const { rows } = await this.#db.query<ClaimRow & { flag_id: string }>(
      'SELECT flag_id, by, since, last_active FROM review_claims WHERE flag_id = ANY($1) AND last_active > $2',
      [flagIds, idleBefore],
    );
    return new Map(rows.map((r) => [r.flag_id, claimOf(r)]));
  }

  async takeClaim(
    flagId: string,
    by: string,
    at: number,
    idleBefore: number,
    takeOver: boolean,
  ): Promise<ClaimRecord> {
    // One statement: the row is taken only when free, expired, already ours, or taken over.
    const taken = await this.#db.query<ClaimRow>(
      `INSERT INTO review_claims (flag_id, by, since, last_active) VALUES ($1, $2, $3, $3)
       ON CONFLICT (flag_id) DO UPDATE SET
         by = EXCLUDED.by,
         since = CASE WHEN review_claims.by = EXCLUDED.by AND review_claims.last_active > $4
                      THEN review_claims.since ELSE EXCLUDED.since END,
         last_active = EXCLUDED.last_active
       WHERE review_claims.by = EXCLUDED.by OR review_claims.last_active <= $4 OR $5
       RETURNING by, since, last_active`,
      [flagId, by, at, idleBefore, takeOver],
    );
    if (taken.rows[0]) return claimOf(taken.rows[0]);
    const held = await this.#db.query<ClaimRow>(
      'SELECT by, since, last_active FROM review_claims WHERE flag_id = $1',
      [flagId],
    );
    return claimOf(held.rows[0]!);
  }

  async touchClaim(flagId: string, by: string, at: number, idleBefore: number): Promise<void> {
    await this.#db.query(
      'UPDATE review_claims SET last_active = $3 WHERE flag_id = $1 AND by = $2 AND last_active > $4',
      [flagId, by, at, idleBefore],
    );
  }

  async releaseClaim(flagId: string, by: string): Promise<void> {
    await this.#db.query('DELETE FROM review_claims WHERE flag_id = $1 AND by = $2', [flagId, by]);
  }

  deviceKey(): Promise<Buffer> {
    // The first instance to ask makes it; every other one reads the same.
    this.#deviceKey ??= (async () => {
      await this.#db.query(
        "INSERT INTO dashboard_keys (name, value) VALUES ('device', $1) ON CONFLICT (name) DO NOTHING",
        [randomBytes(32)],
      );
      const { rows } = await this.#db.query<{ value: Buffer }>(
        "SELECT value FROM dashboard_keys WHERE name = 'device'",
      );
      return rows[0]!.value;
    })().catch((error: unknown) => {
      this.#deviceKey = undefined;
      throw error;
    });
    return this.#deviceKey;
  }
}
