/** The overview page: totals and hourly SVG charts from store.stats, hijack alerts from the log. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/index.ts';
import { addRoleAccounts, type LoggedIn, login, PASSWORDS, tempStore, testDashboard } from './_dashboard.ts';
import { makeFlag } from './_review-fixtures.ts';

const NOW = Date.parse('2026-11-25T21:30:00.000Z');
let store: Store;
let cleanup: () => Promise<void>;
let app: FastifyInstance;
let viewer: LoggedIn;

beforeAll(async () => {
  ({ store, cleanup } = await tempStore());
  await addRoleAccounts(store);
  const at = (hoursAgo: number, s = 0) => new Date(NOW - hoursAgo * 3_600_000 + s * 1000).toISOString();
  for (const [campaign, posts] of [
    ['vigil', 3],
    ['other', 1],
  ] as const) {
    for (let i = 0; i < posts; i++) {
      await store.append({
        type: 'post.confirmed',
        at: at(5 + i),
        campaign,
        platform: 'bluesky',
        slotKey: `${campaign}-${i}`,
        remoteId: 'r',
        url: 'https://bsky.app/p',
      });
    }
  }
  for (let i = 0; i < 12; i++) {
    const flag = makeFlag({ n: i, campaign: 'vigil', at: NOW - 2 * 3_600_000 });
    await store.append({
      type: 'mention.seen',
      at: at(2, i),
      campaign: 'vigil',
      mention: flag.mention,
      verdict: { flagged: i < 4, score: 0.6, severity: 'medium', sentiment: -1, rules: [] },
    });
  }
  await store.append({
    type: 'alert.hijack',
    at: at(1),
    campaign: 'vigil',
    hashtag: '<b>westandtogether</b>',
    windowShare: 0.4,
    baselineShare: 0.05,
  });
  // Outside the last 24 hours: not counted.
  await store.append({
    type: 'post.confirmed',
    at: at(30),
    campaign: 'vigil',
    platform: 'x',
    slotKey: 'old',
    remoteId: 'r',
    url: 'https://x.com/p',
  });
  await store.flush();
  app = await testDashboard(store, { now: () => NOW, campaigns: () => ['vigil', 'other'] });
  viewer = await login(app, 'viewer', PASSWORDS.viewer);
});

afterAll(async () => {
  await app?.close();
  await cleanup?.();
});

const number = (body: string, id: string) => Number(new RegExp(`id="${id}">(\\d+)<`).exec(body)?.[1]);

describe('overview', () => {
  it("shows one campaign's totals for the last 24 hours, as numbers and SVG bars, with the alert", async () => {
    const res = await app.inject({ url: '/overview?campaign=vigil', headers: { cookie: viewer.cookie } });
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect([
      number(body, 'n-posts'),
      number(body, 'n-seen'),
      number(body, 'n-flagged'),
      number(body, 'n-alerts'),
    ]).toEqual([3, 12, 4, 1]);
    expect(body.match(/<svg class="plot"/g)).toHaveLength(2);
    expect(body).toContain('<title>2026-11-25T19:00:00.000Z: 12 seen</title>');
    expect(body).toContain('<title>2026-11-25T19:00:00.000Z: 4 flagged</title>');
    expect(body).toMatch(/<title>hijack alert at 2026-11-25T20:00:00.000Z<\/title>/);
    expect(body).toContain('#&lt;b&gt;westandtogether&lt;/b&gt;');
    expect(body).toContain('40%');
  });

  it('all campaigns add up, and 7 days reaches further back', async () => {
    const all = (await app.inject({ url: '/overview', headers: { cookie: viewer.cookie } })).body;
    expect(number(all, 'n-posts')).toBe(4);
    const week = (
      await app.inject({ url: '/overview?campaign=vigil&hours=168', headers: { cookie: viewer.cookie } })
    ).body;
    expect(number(week, 'n-posts')).toBe(4);
  });
});
