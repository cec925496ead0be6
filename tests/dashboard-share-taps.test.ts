/** The overview's share-button taps: off by default, then per campaign and button over the period's days. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARE_TAPS_KEY, TapCounter } from '../src/site/taps.ts';
import type { Store } from '../src/store/index.ts';
import { addRoleAccounts, type LoggedIn, login, PASSWORDS, tempStore, testDashboard } from './_dashboard.ts';

const NOW = Date.parse('2026-11-25T21:30:00.000Z');
let store: Store;
let cleanup: () => Promise<void>;
let app: FastifyInstance;
let viewer: LoggedIn;

beforeAll(async () => {
  ({ store, cleanup } = await tempStore());
  await addRoleAccounts(store);
  app = await testDashboard(store, { now: () => NOW });
  viewer = await login(app, 'viewer', PASSWORDS.viewer);
});

afterAll(async () => {
  await app?.close();
  await cleanup?.();
});

const overview = async (query = '') =>
  (await app.inject({ url: `/overview${query}`, headers: { cookie: viewer.cookie } })).body;

describe('share-button taps on the overview', () => {
  it('says they are not counted until SITE_COUNT_TAPS turns the counter on', async () => {
    expect(await overview()).toContain('Not counted.');
  });

  it('adds up the taps the counter stored, per campaign and button, for the days in the period', async () => {
    let now = NOW - 10 * 86_400_000;
    const counter = await TapCounter.open({
      state: store,
      campaigns: new Set(['vigil', 'other']),
      now: () => now,
    });
    expect(counter.record('vigil', 'whatsapp')).toBe(true); // ten days ago: outside 7 days
    now = NOW - 3 * 86_400_000;
    counter.record('vigil', 'whatsapp');
    now = NOW;
    counter.record('vigil', 'whatsapp');
    counter.record('vigil', 'x');
    counter.record('other', 'sms');
    expect(counter.record('vigil', '<script>')).toBe(false);
    expect(counter.record('nope', 'x')).toBe(false);
    await counter.flush();
    expect(Object.keys((await store.getState<object>(SHARE_TAPS_KEY))!).sort()).toEqual([
      '2026-11-15',
      '2026-11-22',
      '2026-11-25',
    ]);

    const row = (body: string, campaign: string) =>
      new RegExp(`<tr><td>${campaign}</td>((?:<td>\\d+</td>)+)</tr>`)
        .exec(body)?.[1]
        ?.match(/\d+/g)
        ?.map(Number);
    const day = await overview();
    expect(day).toMatch(/<th>x<\/th><th>whatsapp<\/th><th>sms<\/th><th>Total<\/th>/);
    expect(row(day, 'vigil')).toEqual([1, 1, 0, 2]);
    expect(row(day, 'other')).toEqual([0, 0, 1, 1]);
    const week = await overview('?campaign=vigil&hours=168');
    expect(row(week, 'vigil')).toEqual([1, 2, 3]);
    expect(row(week, 'other')).toBeUndefined();
  });
});
