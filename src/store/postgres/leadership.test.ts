import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresAvailable, testDatabase } from '../../../tests/_postgres.ts';
import { silentLogger } from '../../logger.ts';
import { waitForLeadership } from '../leadership.ts';
import { LEASE_CLASS, LEASE_OBJECT_SQL, PgLeadership } from './leadership.ts';

/** A standby's wait in the server, far longer than a test may take (vitest: 30 s). */
const TEN_MINUTES = 600_000;

const open: PgLeadership[] = [];
afterEach(async () => {
  for (const l of open.splice(0)) await l.release();
});

function lease(url: string): PgLeadership {
  const l = new PgLeadership({ connectionString: url, logger: silentLogger(), heartbeatMs: 100 });
  open.push(l);
  return l;
}

describe.runIf(postgresAvailable('postgres leadership'))('posting lease on PostgreSQL', () => {
  it('one holder at a time; a standby sees who holds it and takes over when it lets go', async () => {
    const url = await testDatabase();
    const a = lease(url);
    const b = lease(url);
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect((await b.holder())?.describe).toContain(`PID ${process.pid}`);
    await a.release();
    expect(await b.tryAcquire()).toBe(true);
    expect(await a.tryAcquire()).toBe(false);
  });

  it('a holder whose connection is cut learns it lost the lease; the standby takes it', async () => {
    const url = await testDatabase();
    const a = lease(url);
    const b = lease(url);
    expect(await a.tryAcquire()).toBe(true);
    const lost = new Promise((resolve) => a.lost.addEventListener('abort', resolve, { once: true }));
    // What the server does to a dead peer's connection: ends its session (and frees its locks).
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int::oid AND granted",
      [LEASE_CLASS],
    );
    await admin.end();
    await lost;
    expect(a.lost.aborted).toBe(true);
    const standby = new AbortController();
    expect(await waitForLeadership(b, { signal: standby.signal, pollMs: 50 })).toBe(true);
    expect(await a.tryAcquire()).toBe(false);
  });

  it('a standby reports the holder once and stops waiting when told to', async () => {
    const url = await testDatabase();
    const a = lease(url);
    const b = lease(url);
    expect(await a.tryAcquire()).toBe(true);
    const stop = new AbortController();
    const seen: Array<string | undefined> = [];
    const waiting = waitForLeadership(b, {
      signal: stop.signal,
      pollMs: 20,
      onStandby: (holder) => {
        seen.push(holder?.describe);
        setTimeout(() => stop.abort(), 100);
      },
    });
    expect(await waiting).toBe(false);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('solidarity PID');
  });
});

describe.runIf(postgresAvailable('postgres leadership wait'))('standby waiting in the server', () => {
  it('gets the lease the moment the holder lets go, without waiting out its poll', async () => {
    const url = await testDatabase();
    const a = lease(url);
    const b = lease(url);
    expect(await a.tryAcquire()).toBe(true);
    const stop = new AbortController();
    let standing = false;
    const waiting = waitForLeadership(b, {
      signal: stop.signal,
      pollMs: TEN_MINUTES,
      onStandby: () => {
        standing = true;
      },
    });
    await expect.poll(() => standing).toBe(true);
    // b now waits inside the server for up to a minute; a lets go and b has it at once.
    const released = Date.now();
    await a.release();
    expect(await waiting).toBe(true);
    expect(Date.now() - released).toBeLessThan(30_000); // far below the minute it would otherwise wait
  });
});

describe.runIf(postgresAvailable('postgres leadership silent holder'))('a holder that hangs', () => {
  it('is ended by a standby once its lease connection is silent too long, and the standby posts', async () => {
    const url = await testDatabase();
    // A frozen holder, as the server sees it: it took the lock, then never ran anything again.
    const frozen = new pg.Client({ connectionString: url });
    await frozen.connect();
    frozen.on('error', () => {});
    await frozen.query(`SELECT pg_advisory_lock($1, ${LEASE_OBJECT_SQL})`, [LEASE_CLASS]);
    const ended = new Promise((resolve) => frozen.once('end', resolve));
    const standby = new PgLeadership({ connectionString: url, logger: silentLogger(), staleMs: 300 });
    open.push(standby);
    // Silent for less than staleMs: left alone.
    expect(await standby.tryAcquire()).toBe(false);
    await new Promise((r) => setTimeout(r, 400)); // the silence the standby waits out
    expect(await standby.tryAcquire(2_000)).toBe(true);
    await ended;
    // A live holder's heartbeat keeps its connection from counting as silent.
    const live = lease(url);
    const other = new PgLeadership({ connectionString: url, logger: silentLogger(), staleMs: 300 });
    open.push(other);
    await standby.release();
    expect(await live.tryAcquire()).toBe(true);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 200));
      expect(await other.tryAcquire()).toBe(false);
    }
    expect(live.lost.aborted).toBe(false);
  });
});

describe.runIf(postgresAvailable('postgres leadership per schema'))(
  'stores in two schemas of one database',
  () => {
    it('each has its own poster', async () => {
      const url = await testDatabase();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query('CREATE SCHEMA one; CREATE SCHEMA two');
      await admin.end();
      const inSchema = (name: string) => `${url}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
      expect(await lease(inSchema('one')).tryAcquire()).toBe(true);
      expect(await lease(inSchema('two')).tryAcquire()).toBe(true);
      expect(await lease(inSchema('one')).tryAcquire()).toBe(false);
    });
  },
);

describe.runIf(postgresAvailable('postgres prune by the poster'))(
  'scheduled prune with several instances',
  () => {
    it('is run by the instance that posts, not by a standby', async () => {
      const url = await testDatabase();
      const { openPostgresStore } = await import('./store.ts');
      const open = (year: number) =>
        openPostgresStore(url, {
          use: 'bot',
          pruneEveryMs: 20,
          clock: () => new Date(`${year}-01-01T00:00:00Z`),
        });
      const poster = await open(2026);
      const standby = await open(2027);
      try {
        expect(await poster.leadership!().tryAcquire()).toBe(true);
        expect(await standby.leadership!().tryAcquire()).toBe(false);
        const lastPrune = async () => (await poster.getState<{ at: string }>('store.lastPrune'))?.at;
        await expect.poll(lastPrune, { timeout: 10_000 }).toBe('2026-01-01T00:00:00.000Z');
        // Many more of the standby's prune times have passed: none of them pruned.
        await new Promise((r) => setTimeout(r, 300));
        expect(await lastPrune()).toBe('2026-01-01T00:00:00.000Z');
      } finally {
        await standby.close();
        await poster.close();
      }
    });
  },
);

describe.runIf(postgresAvailable('postgres leadership stop'))('a standby told to stop', () => {
  it('stops at once, though its try waits in the server for ten minutes', async () => {
    const url = await testDatabase();
    const a = lease(url);
    const b = lease(url);
    expect(await a.tryAcquire()).toBe(true);
    const stop = new AbortController();
    let standing = false;
    const waiting = waitForLeadership(b, {
      signal: stop.signal,
      pollMs: TEN_MINUTES,
      onStandby: () => {
        standing = true;
      },
    });
    await expect.poll(() => standing).toBe(true);
    // Let the wait in the server begin, then stop.
    await new Promise((r) => setTimeout(r, 100));
    const stoppedAt = Date.now();
    stop.abort();
    expect(await waiting).toBe(false);
    expect(Date.now() - stoppedAt).toBeLessThan(30_000); // not the minute the server would wait
    expect(a.lost.aborted).toBe(false);
  });
});
