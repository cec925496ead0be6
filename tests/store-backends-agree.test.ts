/**
 * The same data on both backends gives the same answers: `store prune`, `export` and
 * `review export` print the same thing whether STORE_URL names a folder or a PostgreSQL
 * database. Beside it, what PostgreSQL alone has to show and tests/store-postgres.test.ts does
 * not: the schema is migrated at start, a journal slot raced by several instances is taken once,
 * a connection killed under a group commit leaves every transaction whole or absent, a target
 * that loses records makes `store copy` fail with its own exit code, `store verify` on a database
 * prints what it holds, and retention leaves the dropped text in no row of any table.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { ReviewEvent } from '../src/core/review.ts';
import { EXIT } from '../src/errors.ts';
import { openStore } from '../src/store/open.ts';
import { migrations } from '../src/store/postgres/migrate.ts';
import type { ActivityEvent, Store } from '../src/store/types.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { postgresAvailable, testDatabase } from './_postgres.ts';
import { runCliInProcess } from './_util.ts';
import { collect } from './store-conformance/harness.ts';
import { url as postUrl, RANGE, NOW as RETENTION_NOW, seedRetention } from './store-conformance/retention.ts';
import { flag, journalIntent, mentionEvent, tempDataDir } from './store-fixtures.ts';

const { cleanups } = cleanupAfterEach();

async function open(url: string, use: 'bot' | 'change' | 'read' = 'change'): Promise<Store> {
  const store = await openStore(url, { use, pruneEveryMs: 0 });
  cleanups.push(() => store.close());
  return store;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const DAY = 86_400_000;
/** An instant `days` (and `minutes`) before now: retention works on the real clock in the CLI. */
const NOW = Date.now();
const ago = (days: number, minutes = 0) => new Date(NOW - days * DAY - minutes * 60_000).toISOString();

/**
 * Some of everything, relative to now. Mentions 0-39 every ~20 days back (unflagged ones older
 * than 7 days go); every 4th is flagged and queued; flags are resolved, dismissed, escalated or
 * left open at different ages (resolved more than 90 days ago: the flag and its text go).
 */
async function seed(store: Store): Promise<string[]> {
  const flagIds: string[] = [];
  for (let i = 0; i < 40; i++) {
    const when = ago(i * 5, i);
    const flagged = i % 4 === 0;
    await store.append(mentionEvent(i, when, flagged, i % 3 === 0 ? 'other' : 'demo'));
    if (!flagged) continue;
    const f = { ...flag(i, when), campaign: i % 3 === 0 ? 'other' : 'demo' };
    await store.addFlag(f);
    flagIds.push(f.id);
    const decide = (n: number, action: ReviewEvent['action'], extra: Partial<ReviewEvent> = {}) =>
      store.addReviewEvent({
        id: `d${i}-${n}`,
        flagId: f.id,
        action,
        by: 'mod',
        at: ago(i * 5 - 1, i - n),
        ...extra,
      });
    if (i % 8 === 0) await decide(1, 'comment', { note: `note on ${i}, with "quotes", and =SUM(A1)` });
    if (i % 12 === 0) await decide(2, 'resolve', { outcome: 'reported-to-police' });
    else if (i % 12 === 4) await decide(2, 'dismiss', { note: 'not hate' });
    else if (i % 12 === 8) await decide(2, 'escalate');
  }
  await store.commit({
    events: [
      {
        type: 'post.confirmed',
        at: ago(200),
        campaign: 'demo',
        platform: 'bluesky',
        slotKey: 'demo@old/bluesky',
        remoteId: 'at://post/old',
        url: 'https://bsky.app/old',
      },
    ],
  });
  await store.append({ type: 'control', at: ago(1), action: 'pause', campaign: 'demo' });
  return flagIds;
}

interface Side {
  url: string;
  env: Record<string, string>;
}

async function fileSide(): Promise<Side> {
  const { dir, cleanup } = tempDataDir('solidarity-agree-file-');
  cleanups.push(cleanup);
  return { url: `file:${dir}`, env: { STORE_URL: `file:${dir}`, SOLIDARITY_DATA_DIR: dir } };
}

async function postgresSide(): Promise<Side> {
  const url = await testDatabase();
  const { dir, cleanup } = tempDataDir('solidarity-agree-pg-');
  cleanups.push(cleanup);
  return { url, env: { STORE_URL: url, SOLIDARITY_DATA_DIR: dir } };
}

async function cli(side: Side, argv: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCliInProcess(argv, side.env);
  expect(code, `${argv.join(' ')}: ${stderr}`).toBe(0);
  return stdout;
}

describe.runIf(postgresAvailable('store-backends-agree'))('the same data on both backends', () => {
  it('store prune, export and review export print the same on the file store and PostgreSQL', {
    timeout: 60_000,
  }, async () => {
    const sides = [await fileSide(), await postgresSide()];
    const ids: string[][] = [];
    for (const side of sides) {
      const store = await openStore(side.url, { use: 'change', pruneEveryMs: 0, fsync: false });
      ids.push(await seed(store));
      await store.close();
    }
    expect(ids[0]).toEqual(ids[1]);

    /** What each command prints on one side. */
    async function outputs(side: Side) {
      const evidenceJson = JSON.parse(
        await cli(side, ['review', 'export', ...ids[0]!, '--format', 'json', '--by', 'mod']),
      );
      expect(evidenceJson.exportedAt).toEqual(expect.any(String));
      delete evidenceJson.exportedAt;
      return {
        jsonl: await cli(side, ['export']),
        csv: await cli(side, ['export', '--format', 'csv']),
        window: await cli(side, ['export', '--since', ago(60), '--until', ago(10), '--type', 'mention.seen']),
        queue: await cli(side, ['review', 'list', '--state', 'all', '--json']),
        evidenceCsv: await cli(side, ['review', 'export', ...ids[0]!, '--format', 'csv']),
        evidenceJson,
      };
    }

    const before = await Promise.all(sides.map(outputs));
    // The seed is all there and readable (not two empty outputs agreeing).
    expect(before[0]!.jsonl.trim().split('\n')).toHaveLength(40 + 5 + 10 + 1 + 1);
    expect(before[1]).toEqual(before[0]);

    const reports = [];
    for (const side of sides) reports.push(JSON.parse(await cli(side, ['store', 'prune', '--json'])));
    const common = (r: Record<string, unknown>) => ({
      policy: r['policy'],
      flagsDropped: r['flagsDropped'],
      mentionsDropped: r['mentionsDropped'],
      linesDropped: r['linesDropped'],
    });
    // Something was pruned: unflagged mentions older than 7 days, and old resolved flags.
    expect(reports[0]).toMatchObject({ flagsDropped: 3, mentionsDropped: expect.any(Number) });
    expect(reports[0].mentionsDropped).toBeGreaterThan(20);
    expect(common(reports[1])).toEqual(common(reports[0]));

    // What is left reads the same: the log, the queue, and the evidence of every remaining flag.
    const left = JSON.parse(
      `[${(await cli(sides[0]!, ['review', 'list', '--state', 'all', '--json'])).trim().split('\n').join(',')}]`,
    ).map((f: { id: string }) => f.id) as string[];
    expect(left.length).toBe(ids[0]!.length - 3);
    const after = await Promise.all(
      sides.map(async (side) => ({
        jsonl: await cli(side, ['export']),
        csv: await cli(side, ['export', '--format', 'csv']),
        queue: await cli(side, ['review', 'list', '--state', 'all', '--json']),
        evidence: await cli(side, ['review', 'export', ...left, '--format', 'csv']),
      })),
    );
    expect(after[0]!.jsonl).not.toEqual(before[0]!.jsonl);
    expect(after[1]).toEqual(after[0]);
  });
});

describe.runIf(postgresAvailable('store-postgres-more'))('PostgreSQL store, more', () => {
  it('"solidarity start" (a bot handle) migrates an empty database itself, and refuses a newer one', async () => {
    const url = await testDatabase();
    await open(url, 'bot');
    // Every versioned file, once.
    const versions = migrations().map((m) => m.version);
    const latest = versions.at(-1)!;
    expect(
      (await sql<{ version: number }>(url, 'SELECT version FROM schema_migrations ORDER BY version')).map(
        (r) => r.version,
      ),
    ).toEqual(versions);
    const again = await runCliInProcess(['store', 'migrate'], { STORE_URL: url });
    expect(again.stdout).toContain(`already current (schema version ${latest})`);
    const future = latest + 1;
    await sql(url, `INSERT INTO schema_migrations (version, name) VALUES (${future}, 'from_the_future')`);
    await expect(openStore(url, { use: 'bot' })).rejects.toMatchObject({
      code: 'STORE_VERSION',
      message: expect.stringContaining(String(future)),
    });
  });

  it('journal + events, mention + events + flag + cursor: a statement failing in the database undoes the rest', async () => {
    const url = await testDatabase();
    const store = await open(url, 'bot');
    // The database refuses one row of a transaction, whichever table it is in and whenever the
    // store writes it (a full disk or a broken replica fails one statement the same way).
    await sql(
      url,
      `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
       CREATE TRIGGER refuse_events BEFORE INSERT ON events FOR EACH ROW
         WHEN (NEW.campaign = 'boom') EXECUTE FUNCTION refuse();
       CREATE TRIGGER refuse_journal BEFORE INSERT ON journal FOR EACH ROW
         WHEN (NEW.campaign = 'boom') EXECUTE FUNCTION refuse();
       CREATE TRIGGER refuse_flags BEFORE INSERT ON flags FOR EACH ROW
         WHEN (NEW.campaign = 'boom') EXECUTE FUNCTION refuse();
       CREATE TRIGGER refuse_cursors BEFORE INSERT ON cursors FOR EACH ROW
         WHEN (NEW.key = 'boom') EXECUTE FUNCTION refuse();`,
    );
    const intent = (campaign: string, key: string): ActivityEvent => ({
      type: 'post.intent',
      at: '2026-11-20T10:00:00.000Z',
      campaign,
      platform: 'bluesky',
      slotKey: key,
      text: 'We stand.',
    });
    const when = '2026-11-20T10:00:01.000Z';
    const boomFlag = { ...flag(1, when), campaign: 'boom' };
    const attempts = [
      // The journal row goes in, its event is refused.
      { journal: [journalIntent('demo@1/bluesky')], events: [intent('boom', 'demo@1/bluesky')] },
      // The event goes in, the journal row is refused.
      {
        journal: [{ ...journalIntent('boom@1/bluesky'), campaign: 'boom' }],
        events: [intent('demo', 'boom@1/bluesky')],
      },
      // Mention, flag and cursor go in, the flag is refused.
      { events: [mentionEvent(1, when, true)], flags: [boomFlag], cursors: [{ key: 'src', value: '1' }] },
      // Mention and flag go in, the cursor is refused.
      {
        events: [mentionEvent(2, when, true)],
        flags: [flag(2, when)],
        cursors: [{ key: 'boom', value: '2' }],
      },
    ];
    for (const set of attempts)
      await expect(store.commit(set)).rejects.toMatchObject({ code: 'STORE_DATABASE' });
    expect(await collect(store.events())).toEqual([]);
    expect(await store.listJournal()).toEqual([]);
    expect(await store.listCursors()).toEqual([]);
    expect(await collect(store.flags())).toEqual([]);
    expect(
      (await store.stats({ from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' })).mentionsSeen,
    ).toBe(0);
    // The same writes without the refused row all land.
    await store.commit({
      journal: [journalIntent('demo@1/bluesky')],
      events: [intent('demo', 'demo@1/bluesky')],
    });
    await store.commit({
      events: [mentionEvent(2, when, true)],
      flags: [flag(2, when)],
      cursors: [{ key: 'src', value: '2' }],
    });
    expect(await collect(store.events())).toHaveLength(2);
    expect(await store.listJournal()).toHaveLength(1);
    expect(await store.getCursor('src')).toBe('2');
  });

  it('a connection killed while the schema migrates fails the start cleanly; the next start migrates', {
    timeout: 30_000,
  }, async () => {
    const url = await testDatabase();
    // Another instance is migrating: hold the migration lock so this start waits on it.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1)', [0x50_4c_44_52]);
    const starting = openStore(url, { use: 'bot', pruneEveryMs: 0 });
    const outcome = starting.then(
      (store) => store.close().then(() => 'opened'),
      (error: unknown) => error,
    );
    // Wait until the start waits for the lock, then kill its connection.
    let killed = 0;
    for (let i = 0; i < 200 && killed === 0; i++) {
      const rows = await sql<{ pid: number }>(
        url,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%'",
      );
      for (const { pid } of rows) {
        await sql(url, `SELECT pg_terminate_backend(${Number(pid)})`);
        killed++;
      }
      if (killed === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(killed).toBe(1);
    expect(await outcome).toMatchObject({ code: 'STORE_DATABASE' });
    await holder.query('ROLLBACK');
    const store = await open(url, 'bot');
    expect(await store.listJournal()).toEqual([]);
    expect((await sql<{ version: number }>(url, 'SELECT version FROM schema_migrations')).length).toBe(
      migrations().length,
    );
  });

  it('two instances racing for one journal slot under different keys: exactly one wins', async () => {
    const url = await testDatabase();
    const instances = await Promise.all(Array.from({ length: 4 }, () => open(url, 'bot')));
    for (let round = 0; round < 5; round++) {
      const platform = `p${round}`;
      const results = await Promise.allSettled(
        instances.map((store, n) => store.putJournal(journalIntent(`key-${n}-${round}`, platform))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'STORE_DATABASE' });
    }
    expect(await instances[0]!.listJournal()).toHaveLength(5);
    // The same mention from every instance at once: one event, one count.
    const seen = mentionEvent(7, '2026-11-20T10:00:07.000Z', true);
    await Promise.all(instances.flatMap((s) => [s.append(seen), s.append(seen)]));
    expect(await collect(instances[1]!.events({ types: ['mention.seen'] }))).toHaveLength(1);
    expect(
      (await instances[2]!.stats({ from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' }))
        .mentionsSeen,
    ).toBe(1);
  });

  // pg emits 'error' on a checked-out client whose connection is killed; inTransaction() listens
  // for it, else the process dies (this test failed with 7 uncaught errors before).
  it('a connection killed under a group commit leaves each transaction whole or absent', {
    timeout: 60_000,
  }, async () => {
    const url = await testDatabase();
    const store = await open(url, 'bot');
    await store.setCursor('src', '-1');
    const outcomes = new Map<number, 'ok' | 'failed'>();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      const when = new Date(Date.parse('2026-11-20T10:00:00.000Z') + i * 1000).toISOString();
      writes.push(
        store
          .commit({
            events: [mentionEvent(i, when, true)],
            flags: [flag(i, when)],
            cursors: [{ key: `src-${i % 4}`, value: String(i) }],
          })
          .then(
            () => void outcomes.set(i, 'ok'),
            () => void outcomes.set(i, 'failed'),
          ),
      );
      if (i % 50 === 25) {
        // Kill every other connection to the database, mid-stream.
        await sql(
          url,
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
      }
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(writes);
    // The store keeps working after its connections were killed.
    await store.commit({ events: [mentionEvent(999, '2026-11-20T12:00:00.000Z')] });
    const reader = await open(url, 'read');
    const events = new Set(
      (await collect(reader.events({ types: ['mention.seen'] }))).map((e) =>
        Number((e as Extract<ActivityEvent, { type: 'mention.seen' }>).mention.url.split('/').pop()),
      ),
    );
    const flags = new Set((await collect(reader.flags())).map((f) => Number(f.mention.url.split('/').pop())));
    expect(events.has(999)).toBe(true);
    for (const [i, outcome] of outcomes) {
      // Acknowledged: all there. Failed: none of it.
      expect({ i, event: events.has(i), flag: flags.has(i) }).toEqual({
        i,
        event: outcome === 'ok',
        flag: outcome === 'ok',
      });
    }
    // A cursor is never ahead of the last acknowledged transaction that moved it.
    for (let k = 0; k < 4; k++) {
      const value = await reader.getCursor(`src-${k}`);
      if (value !== undefined) expect(outcomes.get(Number(value))).toBe('ok');
    }
  });

  it('store copy into a data folder that holds data is refused, and the folder is left as it was', async () => {
    const url = await testDatabase();
    const source = await open(url, 'change');
    await source.append(mentionEvent(1, '2026-11-20T10:00:01.000Z'));
    const { dir, cleanup } = tempDataDir('solidarity-copy-busy-');
    cleanups.push(cleanup);
    const target = await openStore(`file:${dir}`, { use: 'change', pruneEveryMs: 0 });
    await target.setCursor('bluesky:jetstream', 'mine');
    await target.close();
    const copied = await runCliInProcess(['store', 'copy', '--from', url, '--to', `file:${dir}`]);
    expect(copied.code).toBe(EXIT.usage);
    expect(copied.stderr).toContain('is not empty');
    const after = await open(`file:${dir}`, 'read');
    expect(await collect(after.events())).toEqual([]);
    expect(await after.listCursors()).toEqual([{ key: 'bluesky:jetstream', value: 'mine' }]);
  });

  it('store copy exits with STORE_COPY_MISMATCH when the target loses records', async () => {
    const { dir, cleanup } = tempDataDir('solidarity-copy-lossy-');
    cleanups.push(cleanup);
    const source = await openStore(`file:${dir}`, { use: 'change', pruneEveryMs: 0 });
    for (let i = 0; i < 5; i++) await source.append(mentionEvent(i, `2026-11-20T10:00:0${i}.000Z`));
    await source.setCursor('bluesky:jetstream', '1');
    await source.setCursor('x:search', '2');
    await source.close();

    const url = await testDatabase();
    expect((await runCliInProcess(['store', 'migrate'], { STORE_URL: url })).code).toBe(0);
    // A target that silently drops a row (a rule or trigger on a managed database).
    await sql(
      url,
      `CREATE FUNCTION drop_x() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
       CREATE TRIGGER lossy BEFORE INSERT ON cursors FOR EACH ROW WHEN (NEW.key = 'x:search') EXECUTE FUNCTION drop_x();`,
    );
    const copied = await runCliInProcess(['store', 'copy', '--from', `file:${dir}`, '--to', url]);
    expect(copied.code).toBe(EXIT.store);
    expect(copied.stderr).toContain('STORE_COPY_MISMATCH');
    expect(copied.stderr).toContain('cursors: source 2, target 1');
    expect(copied.stdout).not.toContain('OK: every count matches.');
  });
});

describe.runIf(postgresAvailable('store-verify-postgres'))('store verify on PostgreSQL', () => {
  it('prints the review queue and the activity log; --deep finds a missing flag and --repair adds it', async () => {
    const side = await postgresSide();
    const store = await open(side.url, 'change');
    for (let i = 0; i < 6; i++)
      await store.append(mentionEvent(i, `2026-11-20T10:00:0${i}.000Z`, i % 3 === 0));
    const f = flag(0, '2026-11-20T10:00:00.000Z');
    await store.addFlag({ ...f, id: `${f.id}#demo` });
    await store.setCursor('bluesky:jetstream', '1');
    await store.close();

    const plain = await runCliInProcess(['store', 'verify'], side.env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('State: 1 cursors, 0 state keys, 0 moderators, 0 journal entries');
    expect(plain.stdout).toContain(
      'Review queue: 1 open, 0 acknowledged, 0 escalated, 0 resolved, 0 dismissed',
    );
    expect(plain.stdout).toContain('Activity log: 6 events (mention.seen 6)');
    const json = JSON.parse((await runCliInProcess(['store', 'verify', '--json'], side.env)).stdout);
    expect(json).toMatchObject({ counts: { 'flags.open': 1, cursors: 1 }, events: { 'mention.seen': 6 } });

    const deep = await runCliInProcess(['store', 'verify', '--deep'], side.env);
    expect(deep.code).toBe(1);
    expect(deep.stdout).toMatch(/Inconsistent \(flag-missing, repairable\): x:1800000000003#demo/);
    const repaired = await runCliInProcess(['store', 'verify', '--deep', '--repair'], side.env);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('Repaired 1 of 1 finding(s); 0 remain.');
    const after = await runCliInProcess(['store', 'verify'], side.env);
    expect(after.stdout).toContain('Review queue: 2 open,');
  });
});

describe.runIf(postgresAvailable('store-retention-postgres'))('retention on PostgreSQL', () => {
  it('leaves the dropped text in no row of any table, and keeps the hourly counts', async () => {
    const url = await testDatabase();
    const store = await openStore(url, { use: 'bot', pruneEveryMs: 0, clock: () => RETENTION_NOW });
    cleanups.push(() => store.close());
    await seedRetention(store);
    const before = await store.stats(RANGE);
    /** Every row of every table in the store's schema, as text. */
    const everything = async () => {
      const tables = await sql<{ table_name: string }>(
        url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(['events', 'flags', 'review_events']),
      );
      const rows = await Promise.all(
        tables.map((t) => sql<{ row: string }>(url, `SELECT t::text AS row FROM "${t.table_name}" t`)),
      );
      return rows
        .flat()
        .map((r) => r.row)
        .join('\n');
    };
    const textOf = (n: number) =>
      mentionEvent(n, '2026-11-01T10:00:00.000Z').type === 'mention.seen'
        ? (mentionEvent(n, '2026-11-01T10:00:00.000Z') as Extract<ActivityEvent, { type: 'mention.seen' }>)
            .mention.text
        : '';
    const all = await everything();
    for (const n of [1, 2, 5]) expect(all).toContain(postUrl(n));
    expect(all).toContain('sent to police');
    expect(all).toContain(textOf(1).slice(0, 60));

    const report = await store.prune();
    expect(report).toMatchObject({ mentionsDropped: 2, flagsDropped: 1 });
    const after = await everything();
    expect(after).not.toContain(postUrl(1));
    expect(after).not.toContain(postUrl(5));
    expect(after).not.toContain(textOf(1).slice(0, 60));
    expect(after).not.toContain('sent to police');
    expect(after).toContain(postUrl(2));
    expect(await store.stats(RANGE)).toEqual(before);
  });
});
