/**
 * What only the PostgreSQL store has to show (the shared behaviour is the conformance suite's):
 * schema migrations, constraints that make duplicates impossible across instances, all-or-nothing
 * transactions inside group commits, and `store copy` between the file store and PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Flag, ReviewEvent } from '../src/core/review.ts';
import { openStore } from '../src/store/open.ts';
import { migrations } from '../src/store/postgres/migrate.ts';
import type { ActivityEvent, Store } from '../src/store/types.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { postgresAvailable, testDatabase } from './_postgres.ts';
import { runCliInProcess } from './_util.ts';
import { collect } from './store-conformance/harness.ts';
import { at, flag, journalIntent, mentionEvent, tempDataDir } from './store-fixtures.ts';

const { cleanups } = cleanupAfterEach();

async function open(url: string, use: 'bot' | 'change' | 'read' = 'change'): Promise<Store> {
  const store = await openStore(url, { use, pruneEveryMs: 0 });
  cleanups.push(() => store.close());
  return store;
}

async function sql<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe.runIf(postgresAvailable('store-postgres'))('PostgreSQL store', () => {
  it('"store migrate" applies the versioned schema once; a newer schema or an unmigrated read is refused', async () => {
    const url = await testDatabase();
    const env = { STORE_URL: url };
    const first = await runCliInProcess(['store', 'migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // Every versioned file, in order, once (001_initial first).
    const files = migrations();
    const latest = files.at(-1)!.version;
    const names = files.map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`);
    expect(names[0]).toBe('001_initial');
    expect(first.stdout).toContain(`from schema version 0 to ${latest} (${names.join(', ')})`);
    const again = await runCliInProcess(['store', 'migrate'], env);
    expect(again.stdout).toContain(`already current (schema version ${latest})`);
    const versions = await sql<{ version: number }>(
      url,
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(versions.map((v) => v.version)).toEqual(files.map((m) => m.version));

    // A read-only handle never migrates: on an empty database it says what to run.
    const fresh = await testDatabase();
    await expect(openStore(fresh, { use: 'read' })).rejects.toMatchObject({
      code: 'STORE_VERSION',
      hint: expect.stringContaining('solidarity store migrate'),
    });

    await sql(url, "INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')");
    await expect(openStore(url, { use: 'change' })).rejects.toMatchObject({ code: 'STORE_VERSION' });
    const refused = await runCliInProcess(['store', 'migrate'], env);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain('schema version 999');
  });

  it('a password in STORE_URL never shows in what the store prints', async () => {
    const url = await testDatabase();
    const withPassword = url.replace('postgres@', 'postgres:s3cret-pw@');
    const store = await open(withPassword);
    expect(store.location).not.toContain('s3cret-pw');
    expect(store.location).toContain('***');
    // The driver takes a password as a query parameter too.
    const inQuery = await open(`${url}?password=s3cret-pw`);
    expect(inQuery.location).not.toContain('s3cret-pw');
    const unreachable = 'postgres://bot:s3cret-pw@127.0.0.1:1/nothing';
    const failed = await runCliInProcess(['store', 'migrate'], { STORE_URL: unreachable });
    expect(failed.code).toBe(6);
    expect(failed.stderr).toContain('STORE_DATABASE');
    expect(failed.stderr).not.toContain('s3cret-pw');
  });

  it('two instances cannot duplicate a mention, a flag or a journal slot', async () => {
    const url = await testDatabase();
    const a = await open(url, 'bot');
    const b = await open(url, 'bot');
    const seen = mentionEvent(1, at(1), true);
    // Both instances see the same mention (a replay after a takeover) at the same moment.
    await Promise.all([a.append(seen), b.append(seen), a.append(seen), b.append(mentionEvent(2, at(2)))]);
    await Promise.all([a.addFlag(flag(1, at(1))), b.addFlag({ ...flag(1, at(1)), campaign: 'other' })]);
    const events = await collect(a.events({ types: ['mention.seen'] }));
    expect(events).toHaveLength(2);
    const stats = await b.stats({ from: at(0), to: at(3600) });
    expect(stats).toMatchObject({ mentionsSeen: 2, mentionsFlagged: 1 });
    const queue = await b.queuePage({ limit: 10 });
    expect(queue.total).toBe(1);
    // The same mention in another campaign is another event.
    await a.append({ ...seen, campaign: 'other' } as ActivityEvent);
    expect(await collect(b.events({ types: ['mention.seen'] }))).toHaveLength(3);

    // One journal row per slot and platform: the same slot under another key is refused.
    await a.putJournal(journalIntent('demo@slot/bluesky'));
    await expect(b.putJournal(journalIntent('another-key'))).rejects.toMatchObject({
      code: 'STORE_DATABASE',
    });
    await b.putJournal({ ...journalIntent('demo@slot/bluesky'), state: 'confirmed', remoteId: 'r1' });
    expect(await a.listJournal()).toEqual([
      { ...journalIntent('demo@slot/bluesky'), state: 'confirmed', remoteId: 'r1' },
    ]);
    await a.putJournal(journalIntent('demo@slot/x', 'x'));
    expect((await b.listJournal()).map((e) => e.key)).toEqual(['demo@slot/bluesky', 'demo@slot/x']);
  });

  it('keeps a hostile post exactly: NUL and lone surrogates in text, hashtags, notes and state', async () => {
    const url = await testDatabase();
    const store = await open(url, 'bot');
    const nasty = 'hate \u0000 hidden \ud800 half \udfff pair \ud83d\ude00';
    const seen = mentionEvent(1, at(1), true) as Extract<ActivityEvent, { type: 'mention.seen' }>;
    seen.mention.text = nasty;
    seen.mention.authorHandle = 'nul\u0000handle';
    seen.mention.hashtags = ['tag\u0000x'];
    const flagged: Flag = { ...flag(1, at(1), { hashtags: ['tag\u0000x'] }) };
    flagged.mention = { ...flagged.mention, text: nasty };
    await store.commit({
      events: [seen],
      flags: [flagged],
      state: [{ key: 'note', value: { text: nasty } }],
    });
    const decided = await store.addReviewEvent({
      id: 'n1',
      flagId: flagged.id,
      action: 'comment',
      by: 'mod',
      at: at(2),
      note: nasty,
    });
    expect(decided.events[0]?.note).toBe(nasty);
    await store.putJournal({ ...journalIntent('demo@slot/bluesky'), text: nasty });

    const again = await open(url, 'read');
    expect(await collect(again.events({ types: ['mention.seen'] }))).toEqual([seen]);
    expect((await again.getFlag(flagged.id))?.mention).toEqual(flagged.mention);
    expect(await again.getState('note')).toEqual({ text: nasty });
    expect((await again.getJournal('demo@slot/bluesky'))?.text).toBe(nasty);
    const page = await again.queuePage({ limit: 5, hashtag: 'tag\u0000x' });
    expect(page.items.map((f) => f.id)).toEqual([flagged.id]);
    expect((await again.stats({ from: at(0), to: at(3600) })).mentionsFlagged).toBe(1);
  });

  it('keeps every acknowledged transaction whole through SIGKILLs mid-commit', {
    timeout: 120_000,
  }, async () => {
    const url = await testDatabase();
    const child = join(import.meta.dirname, '_pg-tx-child.ts');
    const acked = new Set<number>();
    let first = 0;
    // Kill after a different number of acknowledgements each round: group commits are in flight.
    for (const killAfter of [1, 7, 60, 150, 400]) {
      const writer = spawn(process.execPath, ['--import', 'tsx', child, url, String(first)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let seen = 0;
      let buffer = '';
      await new Promise<void>((resolve, reject) => {
        writer.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) {
            if (!line.startsWith('tx ')) continue;
            acked.add(Number(line.slice(3)));
            if (++seen === killAfter) writer.kill('SIGKILL');
          }
        });
        writer.on('exit', (code, signal) =>
          signal === 'SIGKILL' ? resolve() : reject(new Error(`writer ended with ${code ?? signal}`)),
        );
      });
      first = Math.max(...acked) + 10_000;
    }
    const store = await open(url, 'read');
    const events = new Set(
      (await collect(store.events())).map((e) =>
        e.type === 'mention.seen' ? Number(e.mention.url.split('/').pop()) : -1,
      ),
    );
    const flags = new Set((await collect(store.flags())).map((f) => Number(f.mention.url.split('/').pop())));
    // Every acknowledged transaction is there…
    for (const n of acked) expect(events.has(n)).toBe(true);
    // …and every transaction there is whole: a flagged mention has its flag, a flag its mention.
    for (const n of events) if (n % 10 === 0) expect(flags.has(n)).toBe(true);
    for (const n of flags) expect(events.has(n)).toBe(true);
    const cursor = Number(await store.getCursor('child'));
    expect(events.has(cursor)).toBe(true);
  });

  it('a transaction is all or nothing, and a failing one does not take the others in its group with it', async () => {
    const url = await testDatabase();
    const store = await open(url, 'bot');
    await store.putJournal(journalIntent('demo@slot/bluesky'));
    await store.setCursor('source', '0');
    // Made in the same tick: they wait for the same group commit.
    const bad = store.commit({
      events: [mentionEvent(10, at(10), true)],
      flags: [flag(10, at(10))],
      cursors: [{ key: 'source', value: '10' }],
      journal: [journalIntent('clashing-key')],
    });
    const good = store.commit({
      events: [mentionEvent(11, at(11), true)],
      flags: [flag(11, at(11))],
      cursors: [{ key: 'other', value: '11' }],
    });
    const plain = store.append(mentionEvent(12, at(12)));
    await expect(bad).rejects.toMatchObject({ code: 'STORE_DATABASE' });
    await good;
    await plain;
    const ids = (await collect(store.events())).map((e) =>
      e.type === 'mention.seen' ? e.mention.url : e.type,
    );
    expect(ids).toEqual(['https://example.test/post/11', 'https://example.test/post/12']);
    expect(await store.getFlag(flag(10, at(10)).id)).toBeUndefined();
    expect(await store.getFlag(flag(11, at(11)).id)).toMatchObject({ state: 'open' });
    expect(await store.getCursor('source')).toBe('0');
    expect(await store.getCursor('other')).toBe('11');
    expect((await store.stats({ from: at(0), to: at(3600) })).mentionsSeen).toBe(2);
  });

  it('a read is never held up by a writer that never falls quiet', async () => {
    const url = await testDatabase();
    const store = await open(url, 'bot');
    await store.setCursor('source', 'before');
    // A source that keeps sending, whatever the database does (a busy Jetstream).
    let read: 'pending' | 'done' = 'pending';
    let sent = 0;
    const writes: Promise<void>[] = [];
    const cap = 20_000;
    const producer = (async () => {
      while (read === 'pending' && sent < cap) {
        writes.push(store.append(mentionEvent(sent, at(sent / 10))));
        sent++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await new Promise((resolve) => setImmediate(resolve));
    // The read waits for the writes made before it, not for the source to stop.
    expect(await store.getCursor('source')).toBe('before');
    read = 'done';
    await producer;
    await Promise.all(writes);
    expect(sent).toBeLessThan(cap);
    expect(await collect(store.events())).toHaveLength(sent);
  });

  it('a decision made on one instance is what every instance reads; a read-only handle refuses changes', async () => {
    const url = await testDatabase();
    const a = await open(url, 'bot');
    const b = await open(url, 'change');
    await a.addFlag(flag(1, at(1)));
    const decide = (id: string, action: ReviewEvent['action'], when: number): ReviewEvent => ({
      id,
      flagId: flag(1, at(1)).id,
      action,
      by: 'mod',
      at: at(when),
    });
    // Two moderators at once: both decisions land (the flag's row is locked, one waits).
    const results = await Promise.all([
      b.addReviewEvent(decide('e1', 'acknowledge', 5)),
      a.addReviewEvent(decide('e2', 'escalate', 6)),
    ]);
    expect(results.map((r) => r.events.length).sort()).toEqual([1, 2]);
    const read = await open(url, 'read');
    const seen = (await read.getFlag(flag(1, at(1)).id)) as Flag;
    expect(seen.events.map((e) => e.id).sort()).toEqual(['e1', 'e2']);
    await expect(read.setState('paused', true)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(b.addReviewEvent({ ...decide('e3', 'resolve', 7), flagId: 'nope' })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
    // A repeated decision (a retried request) changes nothing and logs nothing.
    await b.addReviewEvent(decide('e1', 'acknowledge', 5));
    expect(await collect(a.events({ types: ['review.event'] }))).toHaveLength(2);
  });
});

describe.runIf(postgresAvailable('store-copy'))('store copy', () => {
  /** A file store with some of everything, including a repeated mention. */
  async function fill(store: Store): Promise<void> {
    const appends: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) appends.push(store.append(mentionEvent(i, at(i * 60), i % 10 === 0)));
    appends.push(store.append(mentionEvent(5, at(5 * 60))));
    await Promise.all(appends);
    for (let i = 0; i < 300; i += 10) await store.addFlag(flag(i, at(i * 60)));
    await store.addReviewEvent({
      id: 'd1',
      flagId: flag(0, '').id,
      action: 'resolve',
      by: 'mod',
      at: at(20_000),
      outcome: 'no-action',
    });
    await store.addReviewEvent({
      id: 'd2',
      flagId: flag(10, '').id,
      action: 'escalate',
      by: 'mod',
      at: at(20_100),
    });
    await store.commit({
      journal: [
        {
          ...journalIntent('demo@slot/bluesky'),
          state: 'confirmed',
          remoteId: 'at://post/1',
          url: 'https://bsky.app/x',
        },
      ],
      events: [
        {
          type: 'post.intent',
          at: at(30),
          campaign: 'demo',
          platform: 'bluesky',
          slotKey: 'demo@slot/bluesky',
          text: 'We stand together.',
        },
        {
          type: 'post.confirmed',
          at: at(31),
          campaign: 'demo',
          platform: 'bluesky',
          slotKey: 'demo@slot/bluesky',
          remoteId: 'at://post/1',
          url: 'https://bsky.app/x',
        },
      ],
    });
    await store.append({ type: 'control', at: at(40), action: 'pause', campaign: 'demo' });
    await store.setCursor('bluesky:jetstream', '1764000000000');
    await store.setState('paused:demo', { by: 'cli', at: at(40) });
    await store.putModerator({ name: 'mod', role: 'admin', passwordHash: 'scrypt$x$y', createdAt: at(0) });
  }

  async function everything(store: Store) {
    const flags = (await collect(store.flags())).sort((a, b) => (a.id < b.id ? -1 : 1));
    return {
      events: await collect(store.events()),
      flags,
      journal: await store.listJournal(),
      cursors: await store.listCursors(),
      state: await store.listState(),
      moderators: await store.listModerators(),
      stats: await store.stats({ from: at(0), to: at(86_400) }),
    };
  }

  it('file → PostgreSQL → file keeps every record, checks the counts, and refuses a target in use', async () => {
    const source = tempDataDir('solidarity-copy-src-');
    const back = tempDataDir('solidarity-copy-back-');
    cleanups.push(source.cleanup, back.cleanup);
    const original = await openStore(`file:${source.dir}`, { use: 'change', pruneEveryMs: 0 });
    await fill(original);
    const before = await everything(original);
    await original.close();
    expect(before.events.filter((e) => e.type === 'mention.seen')).toHaveLength(301);

    const url = await testDatabase();
    const there = await runCliInProcess(['store', 'copy', '--from', `file:${source.dir}`, '--to', url]);
    expect(there.stderr).toBe('');
    expect(there.code).toBe(0);
    expect(there.stdout).toContain('Skipped 1 repeated mention.seen events');
    // The repeated mention was counted twice in the source's charts: so it is in the target's.
    expect(there.stdout).toContain(
      'Hourly counts carried over without their lines (dropped by retention, or repeated): 1 mentions seen',
    );
    expect(there.stdout).toMatch(
      /Target: 305 events \(control 1, mention\.seen 300, post\.confirmed 1, post\.intent 1, review\.event 2\), 30 flags/,
    );
    expect(there.stdout).toContain('OK: every count matches.');

    const returned = await runCliInProcess([
      'store',
      'copy',
      '--from',
      url,
      '--to',
      `file:${back.dir}`,
      '--json',
    ]);
    expect(returned.code).toBe(0);
    const report = JSON.parse(returned.stdout);
    expect(report.mismatches).toEqual([]);
    expect(report.copied.flagStates).toEqual({ open: 28, resolved: 1, escalated: 1 });

    const copy = await openStore(`file:${back.dir}`, { use: 'read' });
    const after = await everything(copy);
    await copy.close();
    // Everything, in the same order, except the repeated mention.
    const once = before.events.filter(
      (e, i) => !(e.type === 'mention.seen' && e.mention.url.endsWith('/5') && i > 5),
    );
    expect(after.events).toEqual(once);
    expect(after.flags).toEqual(before.flags);
    expect(after.journal).toEqual(before.journal);
    expect(after.cursors).toEqual(before.cursors);
    expect(after.state.sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual(
      before.state.sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
    expect(after.moderators).toEqual(before.moderators);
    expect({ ...after.stats, mentionsSeen: after.stats.mentionsSeen + 1 }).toMatchObject({
      posts: before.stats.posts,
      mentionsSeen: before.stats.mentionsSeen,
      mentionsFlagged: before.stats.mentionsFlagged,
    });

    // A target that holds data is refused before anything is written.
    const again = await runCliInProcess(['store', 'copy', '--from', `file:${source.dir}`, '--to', url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is not empty');
  });

  it('carries the hourly counts of lines retention dropped into PostgreSQL, and says when a folder cannot take them', async () => {
    const source = tempDataDir('solidarity-copy-pruned-');
    const back = tempDataDir('solidarity-copy-pruned-back-');
    cleanups.push(source.cleanup, back.cleanup);
    const original = await openStore(`file:${source.dir}`, { use: 'change', pruneEveryMs: 0 });
    for (let i = 0; i < 10; i++) await original.append(mentionEvent(i, at(i * 60), i % 5 === 0));
    await original.append(mentionEvent(100, new Date().toISOString()));
    const report = await original.prune({ unflaggedDays: 7, flaggedDays: 7 });
    expect(report.mentionsDropped).toBe(10);
    const all = { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' };
    const charts = await original.stats(all);
    expect(charts).toMatchObject({ mentionsSeen: 11, mentionsFlagged: 2 });
    await original.close();

    const url = await testDatabase();
    const there = await runCliInProcess(['store', 'copy', '--from', `file:${source.dir}`, '--to', url]);
    expect(there.code).toBe(0);
    expect(there.stdout).toContain(
      'Hourly counts carried over without their lines (dropped by retention, or repeated): 10 mentions seen, 2 flagged, 0 posts, 0 alerts.',
    );
    expect(there.stdout).not.toContain('not carried over');
    expect(there.stdout).toContain('OK: every count matches.');
    const db = await open(url, 'read');
    expect(await db.stats(all)).toEqual(charts);
    expect(await collect(db.events())).toHaveLength(1);

    const returned = await runCliInProcess(['store', 'copy', '--from', url, '--to', `file:${back.dir}`]);
    expect(returned.code).toBe(0);
    expect(returned.stdout).toContain(
      'Hourly counts not carried over (kept in the source only): 10 mentions seen, 2 flagged, 0 posts, 0 alerts',
    );
  });
});
