/**
 * The campaign page in real Chromium, served by the share site server on 127.0.0.1: every share
 * link opens the network's compose screen with the exact text (emoji, accents, #, &, newlines)
 * within its limit; the QR code on screen decodes to the page URL; axe-core finds no WCAG
 * violations; nothing is requested from another origin; it fits 320 px and works without
 * JavaScript. Screenshots of the page and the A4 poster go to test-artifacts/.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jsQRModule from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaigns } from '../src/campaign/load.ts';
import type { ShareNetwork } from '../src/campaign/schema.ts';
import { SHARE_LIMITS } from '../src/campaign/share.ts';
import { silentLogger } from '../src/logger.ts';
import { buildSite, type Site } from '../src/site/build.ts';
import { startSiteServer } from '../src/site/server.ts';
import { SHARE_TAPS_KEY, type ShareTaps, TapCounter } from '../src/site/taps.ts';
import { artifact, chromiumAvailable, launchChromium, sidewaysOverflow } from './_chromium.ts';
import { campaignFromYaml, ROOT } from './_util.ts';

const jsQR = ((jsQRModule as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const TRICKY_TEXT = 'Ensemble 🇧🇪 & unis, çà et là!\nTous ensemble: 100% #WeStandTogether ?a=1&b=2';
const TRICKY = `id: tricky
name: Tricky & Co
language: fr-BE
timezone: Europe/Brussels
start: 2026-03-22T09:00
platforms: [local]
schedules:
  - at: ["2026-03-22T10:00"]
hashtags: [WeStandTogether]
messages:
  - "bot"
share:
  messages:
    - ${JSON.stringify(TRICKY_TEXT)}
    - "Un lien très long: https://example.org/${'a'.repeat(120)} pour tester 320 px"
  report:
    numbers: [{ label: Urgence, number: "112" }]
    checked: "2026-03-22"
`;

const run = chromiumAvailable('site-browser');

/** Browser globals, typed loosely (the project compiles without the DOM library). */
type G = {
  navigator: { clipboard: { readText(): Promise<string> }; share?: unknown };
  document: { cookie: string };
  axe: {
    run(
      options: unknown,
    ): Promise<{ violations: Array<{ id: string; nodes: unknown[] }>; passes: unknown[] }>;
  };
};

describe.runIf(run)('the campaign page in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  let close: () => Promise<void>;
  const state = new Map<string, unknown>();
  const taps = new TapCounter({
    state: {
      getState: async <T>(key: string) => state.get(key) as T | undefined,
      setState: async (key, value) => void state.set(key, value),
    },
    campaigns: new Set(['westandtogether', 'notohatecrime', 'tricky']),
    now: () => Date.now(),
    flushMs: 10,
  });
  /** Every request any page made, and the external ones answered by the stand-in below. */
  const requests: string[] = [];

  beforeAll(async () => {
    const campaigns = [...loadCampaigns(`${ROOT}/campaigns`), campaignFromYaml(TRICKY, 'tricky.yaml')];
    let site: Site = new Map();
    const server = await startSiteServer({
      site: () => site,
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      taps,
    });
    base = server.url;
    close = server.close;
    site = await buildSite(campaigns, { baseUrl: base, countTaps: true });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    context.on('request', (r) => requests.push(r.url()));
    // The networks themselves are never reached: a compose screen opened from the page gets a stand-in.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<title>compose</title>' }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  const open = async (path: string, ctx = context): Promise<Page> => {
    const page = await ctx.newPage();
    await page.goto(`${base}${path}`, { waitUntil: 'load' });
    return page;
  };

  it('loads nothing from another origin, sets no cookie and reports no CSP or script error', async () => {
    const page = await open('westandtogether/');
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    const before = requests.length;
    await page.reload({ waitUntil: 'networkidle' });
    const loaded = requests.slice(before);
    expect(loaded.length).toBeGreaterThan(3);
    expect(loaded.filter((u) => !u.startsWith(base))).toEqual([]);
    expect(problems.filter((p) => !p.includes('favicon'))).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as G).document.cookie)).toBe('');
    expect(await context.cookies()).toEqual([]);
    await page.close();
  });

  it('opens each network’s compose screen with the exact text, within that network’s limit', async () => {
    const page = await open('tricky/');
    const shown = await page.locator('#m-fr-BE-0').textContent();
    expect(shown).toBe(`${TRICKY_TEXT}`);
    const links = await page.locator('#m-fr-BE-0 ~ .networks a[data-network]').all();
    const networks: string[] = [];
    for (const link of links) {
      const network = (await link.getAttribute('data-network')) as ShareNetwork;
      networks.push(network);
      const href = (await link.getAttribute('href'))!;
      let url: URL;
      if (href.startsWith('https:')) {
        const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
        await popup.waitForLoadState();
        url = new URL(popup.url());
        await popup.close();
        expect(url.href, network).toBe(new URL(href).href);
      } else {
        url = new URL(href.replace(/^(mailto|sms):\?&?/, 'https://local.invalid/?'));
      }
      const text =
        network === 'email'
          ? url.searchParams.get('body')
          : url.searchParams.get(network === 'sms' ? 'body' : 'text');
      if (network === 'facebook') {
        expect(url.searchParams.get('u')).toBe(`${base}tricky/`);
        continue;
      }
      if (network === 'email') {
        expect(text).toBe(`${TRICKY_TEXT.replace('\n', '\r\n')}\r\n\r\n${base}tricky/`);
        expect(url.searchParams.get('subject')).toBe('Tricky & Co');
        continue;
      }
      expect(text, network).toBe(TRICKY_TEXT);
      expect(SHARE_LIMITS[network].measure(text!).fits, network).toBe(true);
      if (network === 'x' || network === 'telegram')
        expect(url.searchParams.get('url')).toBe(`${base}tricky/`);
    }
    expect(networks.sort()).toEqual([
      'bluesky',
      'email',
      'facebook',
      'linkedin',
      'sms',
      'telegram',
      'threads',
      'whatsapp',
      'x',
    ]);
    await page.close();
  });

  it('asks for the Mastodon server, opens its compose screen, and remembers it in this browser only', async () => {
    const page = await open('tricky/');
    const form = page.locator('#m-fr-BE-0 ~ .mastodon form[data-network="mastodon"]');
    await form.locator('input').fill('@me@Mastodon.Example');
    const [popup] = await Promise.all([context.waitForEvent('page'), form.locator('button').click()]);
    await popup.waitForLoadState();
    const url = new URL(popup.url());
    await popup.close();
    expect(url.origin + url.pathname).toBe('https://mastodon.example/share');
    expect(url.searchParams.get('text')).toBe(TRICKY_TEXT);
    await page.reload();
    expect(await form.locator('input').inputValue()).toBe('mastodon.example');
    // Not a server name: nothing opens.
    await form.locator('input').fill('javascript:alert(1)');
    const opened: Page[] = [];
    context.once('page', (p) => opened.push(p));
    await form.locator('button').click();
    await page.waitForTimeout(0);
    expect(opened).toEqual([]);
    expect(await context.cookies()).toEqual([]);
    await page.close();
  });

  it('copies the message, and counts the tap with nothing but campaign, day and button', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await open('tricky/');
    const beacon = page.waitForRequest((r) => r.url() === `${base}count` && r.method() === 'POST');
    await page.locator('button.copy').first().click();
    await expect.poll(() => page.locator('button.copy').first().textContent()).toBe('Copié');
    expect(await page.evaluate(() => (globalThis as unknown as G).navigator.clipboard.readText())).toBe(
      TRICKY_TEXT,
    );
    expect((await beacon).postData()).toBe('campaign=tricky&network=copy');
    await taps.flush();
    const today = new Date().toISOString().slice(0, 10);
    expect((state.get(SHARE_TAPS_KEY) as ShareTaps)[today]?.tricky?.copy).toBe(1);
    // The Web Share button shows exactly where the browser has the API.
    const hasShare = await page.evaluate(() => Boolean((globalThis as unknown as G).navigator.share));
    expect(await page.locator('button.webshare').first().isVisible()).toBe(hasShare);
    await page.close();
  });

  it('shows a QR code that decodes to the page URL', async () => {
    const page = await open('westandtogether/');
    const png = PNG.sync.read(await page.locator('img.qr').screenshot());
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(
      `${base}westandtogether/`,
    );
    await page.close();
  });

  it('has no accessibility violations (axe-core, WCAG 2.1 A and AA) on the pages, posters and index', async () => {
    const audit = await browser.newContext({ bypassCSP: true });
    for (const path of [
      'westandtogether/',
      'notohatecrime/',
      'tricky/',
      'westandtogether/poster.html',
      'westandtogether/poster-a5.html',
      '',
    ]) {
      // Only so axe itself can be injected: the page's policy allows no inline script.
      const page = await open(path, audit);
      await page.addScriptTag({ content: AXE_SOURCE });
      const result = await page.evaluate(() =>
        (globalThis as unknown as G).axe.run({
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        }),
      );
      expect(
        result.violations.map((v) => `${v.id} (${v.nodes.length})`),
        path || 'index',
      ).toEqual([]);
      // The audit ran: contrast, names, landmarks and the rest were checked and passed.
      expect(result.passes.length, path || 'index').toBeGreaterThan(15);
      await page.close();
    }
    await audit.close();
  });

  it('fits a 320 px screen without sideways scrolling', async () => {
    const narrow = await browser.newContext({ viewport: { width: 320, height: 700 } });
    for (const path of ['westandtogether/', 'tricky/', 'westandtogether/poster.html']) {
      const page = await open(path, narrow);
      expect(await page.evaluate(sidewaysOverflow), path).toBeLessThanOrEqual(0);
    }
    await narrow.close();
  });

  it('works without JavaScript: every share link is there; copy, Web Share and Mastodon wait for it', async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const page = await open('westandtogether/', plain);
    const links = page.locator('a[data-network]');
    // 2 English messages, 1 French, 1 Dutch; 9 links each (Mastodon is a form).
    expect(await links.count()).toBe(4 * 9);
    expect(await links.first().isVisible()).toBe(true);
    expect(await page.locator('button.copy').first().isVisible()).toBe(false);
    expect(await page.locator('form[data-network="mastodon"]').first().isVisible()).toBe(false);
    expect(await page.locator('a[href^="tel:"]').first().isVisible()).toBe(true);
    await plain.close();
  });

  it('prints the posters on one A4 and one A5 page, and saves screenshots of the page and the poster', async () => {
    for (const [poster, size] of [
      ['poster-a5.html', { width: 419.5, height: 595.3 }],
      ['poster.html', { width: 595.3, height: 841.9 }],
    ] as const) {
      const print = await open(`westandtogether/${poster}`);
      const pdf = (await print.pdf({ preferCSSPageSize: true })).toString('latin1');
      expect(pdf.match(/\/Type\s*\/Page[^s]/g), poster).toHaveLength(1);
      // The page box is the paper size the stylesheet names (points, 1/72 inch).
      const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf)!;
      expect(Math.abs(Number(box[1]) - size.width), poster).toBeLessThan(2);
      expect(Math.abs(Number(box[2]) - size.height), poster).toBeLessThan(2);
      await print.close();
    }
    const page = await open('westandtogether/poster.html');
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.screenshot({ path: artifact('share-poster.png'), fullPage: true });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const shot = await open('westandtogether/', phone);
    await shot.screenshot({ path: artifact('share-page-phone.png') });
    await phone.close();
    const wide = await browser.newContext({ viewport: { width: 1000, height: 1250 } });
    await (await open('westandtogether/', wide)).screenshot({ path: artifact('share-page.png') });
    await wide.close();
    await page.close();
  });
});
