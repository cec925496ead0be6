import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresAvailable, testDatabase } from '../../../tests/_postgres.ts';
import { silentLogger } from '../../logger.ts';
import type { StoreNotice } from '../changes.ts';
import { ChangeListener, noticeStatement } from './notify.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  cleanups.push(() => c.end());
  return c;
}

function listener(
  url: string,
  from: string,
): { notices: StoreNotice[]; next: () => Promise<StoreNotice> } & {
  changes: ChangeListener;
} {
  const changes = new ChangeListener({ connectionString: url, logger: silentLogger(), from, retryMs: 50 });
  cleanups.push(() => changes.close());
  const notices: StoreNotice[] = [];
  const waiting: Array<(n: StoreNotice) => void> = [];
  changes.subscribe((n) => {
    notices.push(n);
    waiting.shift()?.(n);
  });
  return { notices, changes, next: () => new Promise((resolve) => waiting.push(resolve)) };
}

describe.runIf(postgresAvailable('postgres notices'))('change notices between instances', () => {
  it('a committed change reaches the other instance; a rolled-back one and its own do not', async () => {
    const url = await testDatabase();
    const b = listener(url, 'instance-b');
    await b.changes.listening();
    const writer = await client(url);
    const pause = noticeStatement('instance-a', { kind: 'state', key: 'control.paused:x' });
    await writer.query('BEGIN');
    await writer.query(noticeStatement('instance-a', { kind: 'state', key: 'rolled-back' }));
    await writer.query('ROLLBACK');
    await writer.query(noticeStatement('instance-b', { kind: 'state', key: 'its-own' }));
    const arrived = b.next();
    await writer.query('BEGIN');
    await writer.query(pause);
    await writer.query('COMMIT');
    expect(await arrived).toEqual({ kind: 'state', key: 'control.paused:x' });
    expect(b.notices).toEqual([{ kind: 'state', key: 'control.paused:x' }]);
  });

  it('an event is validated on arrival; a stranger payload asks for a re-read', async () => {
    const url = await testDatabase();
    const b = listener(url, 'instance-b');
    await b.changes.listening();
    const writer = await client(url);
    const event = { type: 'control', at: '2026-12-07T12:00:00.000Z', action: 'stop-all' } as const;
    let arrived = b.next();
    await writer.query(noticeStatement('instance-a', { kind: 'event', event }));
    expect(await arrived).toEqual({ kind: 'event', event });
    arrived = b.next();
    await writer.query("SELECT pg_notify('solidarity_changes', '{\"from\":1}')");
    expect(await arrived).toEqual({ kind: 'resync' });
  });

  it('a store in another schema of the database does not hear it', async () => {
    const url = await testDatabase();
    const admin = await client(url);
    await admin.query('CREATE SCHEMA one; CREATE SCHEMA two');
    const inSchema = (name: string) => `${url}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
    const one = listener(inSchema('one'), 'listener-one');
    const two = listener(inSchema('two'), 'listener-two');
    await Promise.all([one.changes.listening(), two.changes.listening()]);
    const writer = await client(inSchema('two'));
    const arrived = two.next();
    await writer.query(noticeStatement('writer', { kind: 'state', key: 'control.stop-all' }));
    expect(await arrived).toEqual({ kind: 'state', key: 'control.stop-all' });
    // A notice the other schema would hear was sent after it: one has heard nothing by then.
    const marker = one.next();
    await (await client(inSchema('one'))).query(noticeStatement('writer', { kind: 'state', key: 'mark' }));
    expect(await marker).toEqual({ kind: 'state', key: 'mark' });
    expect(one.notices).toEqual([{ kind: 'state', key: 'mark' }]);
  });

  it('listens again after its connection is cut, and says so with a resync', async () => {
    const url = await testDatabase();
    const b = listener(url, 'instance-b');
    await b.changes.listening();
    const admin = await client(url);
    const resync = b.next();
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'solidarity listener%'",
    );
    expect(await resync).toEqual({ kind: 'resync' });
    const arrived = b.next();
    await admin.query(noticeStatement('instance-a', { kind: 'state', key: 'after' }));
    expect(await arrived).toEqual({ kind: 'state', key: 'after' });
  });
});

describe.runIf(postgresAvailable('postgres store notices'))('PostgresStore change notices', () => {
  it('a pause written by one instance is announced to the other at its commit, decisions too', async () => {
    const url = await testDatabase();
    const { openPostgresStore } = await import('./store.ts');
    const a = await openPostgresStore(url, { use: 'change' });
    const b = await openPostgresStore(url, { use: 'bot' });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const heard: StoreNotice[] = [];
    let arrived: () => void = () => {};
    b.subscribe!((n) => {
      heard.push(n);
      if (heard.length === 2) arrived();
    });
    await (b as unknown as { listening(): Promise<void> }).listening();
    const both = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const at = '2026-12-07T12:00:00.000Z';
    await a.commit({
      state: [{ key: 'control.paused:demo', value: { on: true, at } }],
      events: [{ type: 'control', at, action: 'pause', campaign: 'demo' }],
    });
    await both;
    expect(heard).toEqual([
      { kind: 'state', key: 'control.paused:demo' },
      { kind: 'event', event: { type: 'control', at, action: 'pause', campaign: 'demo' } },
    ]);
    // b's own writes are not announced back to it.
    await b.setState('control.stop-all', { on: false, at });
    await a.setState('control.paused:demo', { on: false, at });
    await expect.poll(() => heard.length).toBe(3);
    expect(heard[2]).toEqual({ kind: 'state', key: 'control.paused:demo' });
  });
});
