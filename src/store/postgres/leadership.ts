/**
 * The posting lease on PostgreSQL: a session-level advisory lock held on a connection of its own.
 * - A holder that exits or is SIGKILLed closes its connection: the server frees the lock at once
 *   and hands it to the standby waiting for it.
 * - A holder whose connection hangs (a cut network, a host gone) is dropped by the server's TCP
 *   keepalive and user timeout within about 20 s, and stops posting itself sooner, when its
 *   heartbeat gets no answer.
 * - A holder that hangs while its connection stays up (a frozen process, whose kernel still
 *   answers keepalives) stops running its heartbeat: a standby that sees the lease connection
 *   silent for STALE_MS ends that connection (pg_terminate_backend) and takes the lease.
 * So a standby, trying every 5 s, takes over within 30 s.
 */
import { hostname } from 'node:os';
import pg from 'pg';
import type { Logger } from 'pino';
import type { LeaderInfo, Leadership } from '../leadership.ts';

/** The advisory lock's first key: "soli". Any other use of advisory locks picks another. */
export const LEASE_CLASS = 0x736f6c69;
/**
 * Its second key, in SQL: the schema the store lives in (the search_path of STORE_URL), so stores
 * kept in different schemas of one database each have their own poster.
 */
export const LEASE_OBJECT_SQL = '(hashtext(current_schema()) & 2147483647)';
const IS_LEASE = `l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid
    AND l.objid = ${LEASE_OBJECT_SQL}::oid AND l.objsubid = 2`;

export interface PgLeadershipOptions {
  connectionString: string;
  logger: Logger;
  /** How often the holder checks that its connection and lock are still there (default 5 s). */
  heartbeatMs?: number;
  /** How long a query may take before the connection counts as hung (default 10 s). */
  queryTimeoutMs?: number;
  /** A holder whose lease connection ran nothing for this long is hung and is ended (default 20 s). */
  staleMs?: number;
}

// The server closes a connection whose peer stopped answering: keepalive probes after 5 s idle,
// every 5 s, 3 unanswered; unacknowledged data for 20 s. Loopback and Unix sockets ignore these.
const SERVER_SIDE_TIMEOUTS = [
  'SET tcp_keepalives_idle = 5',
  'SET tcp_keepalives_interval = 5',
  'SET tcp_keepalives_count = 3',
  'SET tcp_user_timeout = 20000',
];

const HOLDER_QUERY = `
  SELECT a.application_name AS name, a.backend_start AS since, host(a.client_addr) AS addr
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE ${IS_LEASE} AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

// The holder's lease connection, and how long since it last ran a statement (its heartbeat).
const SILENT_HOLDER_QUERY = `
  SELECT a.pid, (extract(epoch FROM now() - coalesce(a.state_change, a.backend_start)) * 1000)::bigint AS silent_ms
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE ${IS_LEASE} AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND a.pid <> pg_backend_pid()`;

export class PgLeadership implements Leadership {
  readonly #options: PgLeadershipOptions;
  readonly #log: Logger;
  readonly #lost = new AbortController();
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #held = false;
  /** release() was called: a try it cut short is no failure to report. */
  #released = false;
  /** The lease connection's server process, and whether it is waiting in the server for the lock. */
  #backendPid: number | undefined;
  #waiting = false;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(options: PgLeadershipOptions) {
    this.#options = options;
    this.#log = options.logger.child({ part: 'leadership' });
  }

  /** Whether this instance holds the lease now. */
  get held(): boolean {
    return this.#held;
  }

  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  async tryAcquire(waitMs = 0): Promise<boolean> {
    if (this.#held) return true;
    if (this.#lost.signal.aborted) return false;
    this.#released = false;
    try {
      const client = await this.#connect();
      await this.#endSilentHolder(client);
      if (waitMs > 0) {
        // Waits in the server: the lock is ours the moment the holder's connection ends. The
        // server's lock_timeout ends the wait cleanly (a client-side timeout would leave it queued).
        await client.query(`SET lock_timeout = ${Math.round(waitMs)}`);
        this.#waiting = true;
        try {
          await client.query(`SELECT pg_advisory_lock($1, ${LEASE_OBJECT_SQL})`, [LEASE_CLASS]);
        } catch (error) {
          if ((error as { code?: string }).code === '55P03') return false; // lock_not_available
          throw error;
        } finally {
          this.#waiting = false;
          // After release() the connection is being closed: a statement sent now would never settle.
          if (!this.#released) await client.query('RESET lock_timeout').catch(() => {});
        }
      } else {
        const result = await client.query<{ ok: boolean }>(
          `SELECT pg_try_advisory_lock($1, ${LEASE_OBJECT_SQL}) AS ok`,
          [LEASE_CLASS],
        );
        if (!result.rows[0]?.ok) return false;
      }
      this.#held = true;
      this.#log.info('posting lease taken');
      this.#heartbeat = setInterval(() => void this.#check(), this.#options.heartbeatMs ?? 5_000);
      this.#heartbeat.unref();
      return true;
    } catch (error) {
      if (this.#released) return false;
      // The database is unreachable for now: stand by and try again at the next poll.
      this.#log.warn({ err: error }, 'could not try the posting lease');
      await this.#drop();
      return false;
    }
  }

  /** Ends the lease connection of a holder that stopped running its heartbeat (a frozen process). */
  async #endSilentHolder(client: pg.Client): Promise<void> {
    const staleMs = this.#options.staleMs ?? 20_000;
    const { rows } = await client.query<{ pid: number; silent_ms: string }>(SILENT_HOLDER_QUERY, [
      LEASE_CLASS,
    ]);
    const row = rows[0];
    if (!row || Number(row.silent_ms) < staleMs) return;
    this.#log.warn(
      { pid: row.pid, silentMs: Number(row.silent_ms) },
      'posting instance silent: ending its lease',
    );
    await client.query('SELECT pg_terminate_backend($1)', [row.pid]);
  }

  async holder(): Promise<LeaderInfo | undefined> {
    const client = await this.#connect();
    const result = await client.query<{ name: string; since: Date; addr: string | null }>(HOLDER_QUERY, [
      LEASE_CLASS,
    ]);
    const row = result.rows[0];
    if (!row) return undefined;
    const who = row.name || `a connection from ${row.addr ?? 'a local socket'}`;
    const since = row.since.toISOString();
    const named = /^solidarity PID (\d+) on (.+)$/.exec(row.name);
    return {
      describe: `${who}, since ${since}`,
      since,
      ...(named ? { pid: Number(named[1]), host: named[2]! } : {}),
    };
  }

  async release(): Promise<void> {
    this.#released = true;
    // A server busy waiting for the lock reads nothing else (not even a goodbye): cancel the wait.
    if (this.#waiting && this.#backendPid !== undefined) await this.#cancelWait(this.#backendPid);
    clearInterval(this.#heartbeat);
    const client = this.#client;
    if (this.#held && client) {
      this.#held = false;
      await client.query(`SELECT pg_advisory_unlock($1, ${LEASE_OBJECT_SQL})`, [LEASE_CLASS]).catch(() => {});
    }
    await this.#drop();
  }

  async #cancelWait(pid: number): Promise<void> {
    const other = new pg.Client({
      connectionString: this.#options.connectionString,
      connectionTimeoutMillis: 5_000,
    });
    other.on('error', () => {});
    try {
      await other.connect();
      await other.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch (error) {
      this.#log.warn({ err: error }, 'could not cancel the wait for the posting lease');
    } finally {
      await other.end().catch(() => {});
    }
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    this.#connecting ??= (async () => {
      const timeout = this.#options.queryTimeoutMs ?? 10_000;
      const client = new pg.Client({
        connectionString: this.#options.connectionString,
        application_name: `solidarity PID ${process.pid} on ${hostname()}`.slice(0, 63),
        keepAlive: true,
        keepAliveInitialDelayMillis: 5_000,
        connectionTimeoutMillis: timeout,
      });
      client.on('error', (error) => this.#fail('connection error', error));
      client.on('end', () => this.#fail('connection closed'));
      try {
        await client.connect();
        for (const statement of SERVER_SIDE_TIMEOUTS) await client.query(statement);
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        this.#backendPid = rows[0]?.pid;
      } catch (error) {
        client.removeAllListeners('end');
        await client.end().catch(() => {});
        throw error;
      }
      this.#client = client;
      return client;
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** The holder's heartbeat: the lock must still be ours on a connection that answers. */
  async #check(): Promise<void> {
    if (!this.#held || !this.#client) return;
    const timeoutMs = this.#options.queryTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      // A hung connection never answers: give up on it after timeoutMs (only the holder's own
      // timer can tell; the query itself would wait for ever).
      const hung = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      const result = await Promise.race([
        this.#client.query(`SELECT 1 FROM pg_locks l WHERE ${IS_LEASE} AND l.pid = pg_backend_pid()`, [
          LEASE_CLASS,
        ]),
        hung,
      ]);
      if (result.rowCount === 0) this.#fail('the lock is no longer held');
    } catch (error) {
      this.#fail('heartbeat failed', error);
    } finally {
      clearTimeout(timer);
    }
  }

  #fail(reason: string, error?: unknown): void {
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('end');
      void client.end().catch(() => {});
    }
    if (!this.#held) return;
    this.#held = false;
    clearInterval(this.#heartbeat);
    this.#log.error({ err: error, reason }, 'posting lease lost');
    this.#lost.abort(new Error(`posting lease lost: ${reason}`));
  }

  async #drop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    client.removeAllListeners('end');
    client.on('error', () => {});
    await client.end().catch(() => {});
  }
}
