/**
 * Mentions are written by hostile people. Every one of these must render as inert text: no script
 * runs, no element is injected, no link goes to javascript:, the page layout survives.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flag } from '../src/core/review.ts';
import { startDashboard } from '../src/dashboard/server.ts';
import { silentLogger } from '../src/logger.ts';
import type { Store } from '../src/store/index.ts';
import { artifact, chromiumAvailable, launchChromium } from './_chromium.ts';
import { addRoleAccounts, LOCAL_ENV, type LoggedIn, login, PASSWORDS, tempStore } from './_dashboard.ts';
import { HOSTILE_TEXTS, makeFlag } from './_review-fixtures.ts';

let store: Store;
let cleanupStore: () => Promise<void>;
let app: FastifyInstance;
let base: string;
let close: () => Promise<void>;
let mod: LoggedIn;
const flags: Record<string, Flag> = {};

beforeAll(async () => {
  ({ store, cleanup: cleanupStore } = await tempStore());
  await addRoleAccounts(store);
  let n = 500;
  for (const [name, text] of Object.entries(HOSTILE_TEXTS)) {
    const word = ['go back', 'invaders', 'scum', 'vermin', 'traitors'].find((w) => text.includes(w));
    const start = word ? text.indexOf(word) : -1;
    flags[name] = makeFlag({
      n: n++,
      text,
      handle: name === 'rtl' ? 'evil\u202Eelgoog.example' : `<b>${name}</b>`,
      url:
        name === 'jsLink'
          ? 'javascript:window.__pwned="url"'
          : name === 'attr'
            ? 'data:text/html,<script>1</script>'
            : undefined,
      reasons: word
        ? [
            {
              rule: '<i>rule</i>',
              explanation: '<img src=x onerror="window.__pwned=1">',
              span: { start, end: start + word.length, text: word },
            },
          ]
        : [{ rule: 'pattern.hostile', explanation: 'hostile' }],
    });
    await store.addFlag(flags[name]!);
  }
  const dashboard = await startDashboard({ store, logger: silentLogger(), env: LOCAL_ENV });
  app = dashboard.app;
  base = dashboard.url;
  close = dashboard.close;
  mod = await login(app, 'moderator', PASSWORDS.moderator);
});

afterAll(async () => {
  await close?.();
  await cleanupStore?.();
});

async function get(url: string): Promise<string> {
  const res = await app.inject({ method: 'GET', url, headers: { cookie: mod.cookie } });
  expect(res.statusCode).toBe(200);
  return res.body;
}

describe('hostile text in the HTML', () => {
  it('is escaped on the queue and the item pages', async () => {
    const pages = [await get('/queue')];
    for (const flag of Object.values(flags)) pages.push(await get(`/flag?id=${encodeURIComponent(flag.id)}`));
    for (const body of pages) {
      expect(body).not.toContain('<script>window');
      expect(body).not.toContain('<img src=x');
      expect(body).not.toMatch(/<a[^>]+href="javascript:/i);
      expect(body).not.toMatch(/href="data:/i);
      expect(body).not.toContain('<b>');
      expect(body).not.toContain('<i>rule');
      // No real tag carries an event handler (escaped text may still spell "onerror=").
      expect(body).not.toMatch(/<[a-z][^<>]*\son[a-z]+\s*=/i);
      expect(body).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
      expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      expect(body).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    }
    const queue = pages[0]!;
    expect(queue).toContain('&lt;script&gt;window.__pwned');
    expect(queue).toContain('U+202E');
    expect(queue).toContain('no web link');
  });

  it('a 10,000-character post is cut on the queue and whole on its page', async () => {
    const long = flags['long']!;
    expect(long.mention.text.length).toBeGreaterThanOrEqual(10_000);
    const queue = await get('/queue');
    expect(queue).toMatch(/&hellip; \d+ more characters/);
    const item = await get(`/flag?id=${encodeURIComponent(long.id)}`);
    expect(item).toContain(long.mention.text.slice(-200).replace('scum', ''));
    expect(item).toContain(`${long.mention.text.length} characters`);
  });
});

const run = chromiumAvailable('dashboard-hostile');

describe.runIf(run)('hostile text in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('runs no script, injects no element, opens no dialog, and keeps every card in its box', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const problems: string[] = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${base}/login`);
    await page.fill('input[name=name]', 'moderator');
    await page.fill('input[name=password]', PASSWORDS.moderator);
    await Promise.all([page.waitForURL(`${base}/queue`), page.click('button[type=submit]')]);

    for (const url of [
      '/queue',
      ...Object.values(flags).map((f) => `/flag?id=${encodeURIComponent(f.id)}`),
    ]) {
      await page.goto(`${base}${url}`);
      for (const label of await page.locator('label.revealbtn').all()) await label.click();
      // Hover and focus everything a handler could hide behind.
      for (const text of await page.locator('.flagtext').all()) await text.hover();
      const state = await page.evaluate(`({
        pwned: window.__pwned,
        scripts: [...document.scripts].map((s) => s.getAttribute('src')),
        injected: document.querySelectorAll('main img, main iframe, main object, main embed, main b, main i, main svg script').length,
        jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => !/^https?:/.test(a.href)).length,
        overflow: [...document.querySelectorAll('.item')].filter((li) => {
          const r = li.getBoundingClientRect();
          return r.left < 0 || r.right > window.innerWidth;
        }).length,
        sideways: document.documentElement.scrollWidth - window.innerWidth,
        rawBidi: /[\\u202A-\\u202E\\u2066-\\u2069]/.test(document.body.innerText),
      })`);
      expect(state, url).toEqual({
        pwned: undefined,
        scripts: ['/assets/dashboard.js'],
        injected: 0,
        jsLinks: 0,
        overflow: 0,
        sideways: 0,
        rawBidi: false,
      });
    }
    // Zalgo stays inside its card: the card does not paint over its neighbours.
    await page.goto(`${base}/queue`);
    for (const label of await page.locator('label.revealbtn').all()) await label.click();
    await page.screenshot({ path: artifact('queue-hostile.png'), fullPage: true });
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
