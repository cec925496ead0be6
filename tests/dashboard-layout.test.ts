/**
 * Layout in real Chromium: a 9,900-character single word is cut and wrapped (in the text and in
 * the reasons list), and at 390 px wide (a phone) no page scrolls sideways.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../src/dashboard/server.ts';
import { silentLogger } from '../src/logger.ts';
import type { Store } from '../src/store/index.ts';
import { chromiumAvailable, launchChromium, sidewaysOverflow } from './_chromium.ts';
import { addRoleAccounts, LOCAL_ENV, PASSWORDS, tempStore } from './_dashboard.ts';
import { HOSTILE_TEXTS, makeFlag } from './_review-fixtures.ts';

const run = chromiumAvailable('dashboard-layout');
const WORD = `x${'a'.repeat(9898)}z`;
const longWord = makeFlag({
  n: 90,
  text: `${WORD} #westandtogether`,
  handle: `h${'a'.repeat(300)}.example`,
  reasons: [
    {
      rule: 'lexicon.dehumanising',
      explanation: 'dehumanising word',
      span: { start: 0, end: WORD.length, text: WORD },
      weight: 0.6,
    },
  ],
});

describe.runIf(run)('dashboard layout in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let base: string;
  let close: () => Promise<void>;
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, cleanup } = await tempStore());
    await addRoleAccounts(store);
    for (let n = 0; n < 12; n++) await store.addFlag(makeFlag({ n }));
    let n = 40;
    for (const text of Object.values(HOSTILE_TEXTS)) await store.addFlag(makeFlag({ n: n++, text }));
    await store.addFlag(longWord);
    const dashboard = await startDashboard({ store, logger: silentLogger(), env: LOCAL_ENV });
    base = dashboard.url;
    close = dashboard.close;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/login`);
    await page.fill('input[name=name]', 'moderator');
    await page.fill('input[name=password]', PASSWORDS.moderator);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/queue`);
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
    await cleanup?.();
  });

  const itemUrl = (id: string) => `${base}/flag?id=${encodeURIComponent(id)}`;

  it('a 9,900-character word is cut in the reasons list and wraps in the text', async () => {
    for (const url of [itemUrl(longWord.id), `${base}/queue`]) {
      await page.goto(url);
      const card = page.locator(`.item[data-id="${longWord.id}"]`);
      const cardBox = (await card.boundingBox())!;
      const mark = card.locator('ul.reasons mark').first();
      const markBox = (await mark.boundingBox())!;
      expect(markBox.width).toBeLessThanOrEqual(cardBox.width);
      expect((await mark.textContent())!.length).toBeLessThan(200);
      const text = card.locator('.flagtext');
      const textBox = (await text.boundingBox())!;
      expect(textBox.width).toBeLessThanOrEqual(cardBox.width);
      expect(await page.evaluate(sidewaysOverflow)).toBeLessThanOrEqual(0);
    }
  });

  it('at 390 px wide, no page scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const pages = [
      `${base}/queue`,
      `${base}/queue?state=all&sort=score`,
      itemUrl(makeFlag({ n: 3 }).id),
      itemUrl(longWord.id),
      itemUrl(makeFlag({ n: 40, text: HOSTILE_TEXTS['rtl']! }).id),
      `${base}/overview`,
      `${base}/account/password`,
    ];
    const wide: string[] = [];
    for (const url of pages) {
      await page.goto(url);
      const overflow = await page.evaluate(sidewaysOverflow);
      if (overflow > 0) wide.push(`${url}: ${overflow}px`);
    }
    expect(wide).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
