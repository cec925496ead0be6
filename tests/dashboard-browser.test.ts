/**
 * The review flow in real Chromium: log in, filter, reveal, decide by keyboard, bulk-dismiss,
 * export evidence, log out. Screenshots of the queue and an item go to test-artifacts/.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../src/dashboard/server.ts';
import { silentLogger } from '../src/logger.ts';
import type { EvidenceExport } from '../src/moderation/evidence.ts';
import type { Store } from '../src/store/index.ts';
import { artifact, chromiumAvailable, cssFilter, launchChromium, sidewaysOverflow } from './_chromium.ts';
import { addRoleAccounts, LOCAL_ENV, PASSWORDS, tempStore } from './_dashboard.ts';
import { makeFlag } from './_review-fixtures.ts';

const run = chromiumAvailable('dashboard-browser');

describe.runIf(run)('review in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let base: string;
  let close: () => Promise<void>;
  let store: Store;
  let cleanup: () => Promise<void>;
  const consoleProblems: string[] = [];

  beforeAll(async () => {
    ({ store, cleanup } = await tempStore());
    await addRoleAccounts(store);
    for (let n = 0; n < 80; n++) await store.addFlag(makeFlag({ n }));
    const dashboard = await startDashboard({
      store,
      logger: silentLogger(),
      env: LOCAL_ENV,
      campaigns: () => ['vigil', 'westandtogether'],
    });
    base = dashboard.url;
    close = dashboard.close;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) consoleProblems.push(m.text());
    });
    page.on('pageerror', (e) => consoleProblems.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
    await cleanup?.();
  });

  const flagAt = async (i: number) => String(await page.locator('.item').nth(i).getAttribute('data-id'));
  const currentId = async () => String(await page.locator('.item.current').getAttribute('data-id'));
  /** Presses a key that submits a form, and waits for the page it leads to. */
  const pressAndLoad = async (key: string) => {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press(key)]);
  };

  it('logs in and shows the queue, newest first, text blurred', async () => {
    await page.goto(`${base}/queue`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=name]', 'moderator');
    await page.fill('input[name=password]', PASSWORDS.moderator);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/queue`);
    await expect.poll(() => page.locator('.item').count()).toBe(50);
    expect(await flagAt(0)).toBe(makeFlag({ n: 79 }).id);
    const filter = await page.locator('.item .flagtext').first().evaluate(cssFilter);
    expect(filter).toMatch(/blur/);
    await page.screenshot({ path: artifact('queue.png'), fullPage: false });
  });

  it('filters by campaign, platform and severity, and pages on', async () => {
    await page.click('details.filterbox > summary');
    await page.selectOption('select[name=campaign]', 'vigil');
    await page.selectOption('select[name=platform]', 'bluesky');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/campaign=vigil/);
    const expected = Array.from({ length: 80 }, (_, n) => makeFlag({ n })).filter(
      (f) => f.campaign === 'vigil' && f.mention.platform === 'bluesky',
    );
    const ids = await page.locator('.item').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(ids).toEqual(expected.reverse().map((f) => f.id));
    expect(await page.locator('.count').textContent()).toContain(`${expected.length} flags match`);
    expect(await page.locator('details.filterbox > summary').textContent()).toBe('Filter and sort (2 set)');

    await page.goto(`${base}/queue?sort=score`);
    const scores = await page.locator('.item .score').allTextContents();
    const numbers = scores.map((s) => Number(s.replace('score ', '')));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    await page.click('#next-page');
    await expect.poll(() => page.locator('.item').count()).toBe(30);
  });

  it('reveals text with the keyboard and highlights the matched words', async () => {
    await page.goto(`${base}/queue`);
    await page.keyboard.press('j');
    const first = page.locator('.item').first();
    expect(await first.getAttribute('class')).toContain('current');
    await page.keyboard.press('v');
    expect(await first.locator('.flagtext').evaluate(cssFilter)).toBe('none');
    const flag = makeFlag({ n: 79 });
    expect(await first.locator('.flagtext mark').first().textContent()).toBe(
      flag.verdict.reasons[0]!.span!.text,
    );
    await page.keyboard.press('?');
    expect(await page.locator('#help').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('#help').isVisible()).toBe(false);
  });

  it('decides by keyboard: e escalates, r 1 resolves as reported to police, d dismisses', async () => {
    await page.goto(`${base}/queue`);
    await page.keyboard.press('j');
    const a = await currentId();
    await pressAndLoad('e');
    expect((await store.getFlag(a))?.state).toBe('escalated');
    expect(await page.locator('.flash').textContent()).toContain('escalate: 1 flag(s) recorded');

    // The cursor stays on the same row after the reload (escalated flags stay in the default view).
    expect(await currentId()).toBe(a);
    await page.keyboard.press('r');
    expect(await page.locator('#keyprompt').isVisible()).toBe(true);
    await pressAndLoad('1');
    expect((await store.getFlag(a))!.events.map((e) => [e.action, e.by, e.outcome])).toEqual([
      ['escalate', 'moderator', undefined],
      ['resolve', 'moderator', 'reported-to-police'],
    ]);
    expect((await store.getFlag(a))!.state).toBe('resolved');

    // The resolved flag left the unresolved view; the cursor is on the row that took its place.
    const b = await currentId();
    expect(b).not.toBe(a);
    await pressAndLoad('d');
    expect((await store.getFlag(b))?.state).toBe('dismissed');
  });

  it('bulk-dismisses a selection', async () => {
    await page.goto(`${base}/queue`);
    await page.waitForLoadState('load');
    const ids = [await flagAt(0), await flagAt(1), await flagAt(2)];
    for (let i = 0; i < 3; i++) await page.locator('.item input.sel').nth(i).check();
    expect(await page.locator('#selcount').textContent()).toBe('3');
    await page.fill('#bulk input[name=note]', 'quoting the abuse to condemn it');
    await Promise.all([page.waitForURL(`${base}/queue`), page.click('#bulk-dismiss')]);
    await expect
      .poll(() => Promise.all(ids.map(async (id) => (await store.getFlag(id))?.state)))
      .toEqual(['dismissed', 'dismissed', 'dismissed']);
    expect((await store.getFlag(ids[0]!))!.events[0]!.note).toBe('quoting the abuse to condemn it');
    expect(await page.locator('.flash').textContent()).toContain('dismiss: 3 flag(s) recorded');

    // Keyboard selection: x on two rows, then d dismisses both.
    await page.waitForLoadState('load');
    const [c, d] = [await flagAt(0), await flagAt(1)];
    for (let i = 0; i < 5; i++) await page.keyboard.press('k');
    expect(await currentId()).toBe(c);
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    expect(await page.locator('#selcount').textContent()).toBe('2');
    await pressAndLoad('d');
    expect(await Promise.all([c, d].map(async (id) => (await store.getFlag(id))?.state))).toEqual([
      'dismissed',
      'dismissed',
    ]);
  });

  it('opens an item and exports its evidence as JSON and CSV, and a printable page', async () => {
    await page.goto(`${base}/queue`);
    await page.waitForLoadState('load');
    await page.keyboard.press('j');
    const id = await currentId();
    await Promise.all([page.waitForURL(/\/flag\?id=/), page.keyboard.press('o')]);
    // The same keys work on the item page, through its own form.
    await pressAndLoad('a');
    expect((await store.getFlag(id))!.state).toBe('acknowledged');
    expect(await page.locator('.history li').first().textContent()).toContain('moderator acknowledge');
    await page.locator('label.revealbtn').click();
    await page.screenshot({ path: artifact('item.png'), fullPage: true });

    await page.selectOption('#main form[action="/evidence"] select[name=format]', 'json');
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const exported = JSON.parse(readFileSync(await json.path(), 'utf8')) as EvidenceExport;
    const flag = (await store.getFlag(id))!;
    expect(exported.records).toHaveLength(1);
    expect(exported.records[0]).toMatchObject({
      flagId: id,
      text: flag.mention.text,
      postUrl: flag.mention.url,
    });
    expect(exported.exportedBy).toBe('moderator');

    await page.selectOption('#main form[action="/evidence"] select[name=format]', 'csv');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    expect(csv.suggestedFilename()).toMatch(/^evidence-\d{8}-\d{6}\.csv$/);
    const csvText = readFileSync(await csv.path(), 'utf8');
    expect(csvText.split('\r\n')[0]).toContain('"text_sha256"');
    expect(csvText).toContain(exported.records[0]!.textSha256);

    await page.selectOption('#main form[action="/evidence"] select[name=format]', 'print');
    await Promise.all([page.waitForURL(`${base}/evidence`), page.click('#export')]);
    const printed = await page.locator('main').textContent();
    for (const needle of [
      '999',
      '101',
      '0800 789 321',
      'report-it.org.uk',
      'last checked',
      flag.mention.url,
    ]) {
      expect(printed).toContain(needle);
    }
    await page.screenshot({ path: artifact('evidence-print.png'), fullPage: true });
  });

  it('is readable on a phone (no sideways scrolling)', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${base}/queue`);
    const overflow = await phone.evaluate(sidewaysOverflow);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: artifact('queue-phone.png') });
    // The bulk bar waits until something is selected, then sits at the bottom of the screen.
    expect(await phone.locator('#bulk').isVisible()).toBe(false);
    await phone.locator('.item input.sel').first().check();
    expect(await phone.locator('#bulk').isVisible()).toBe(true);
    const bar = await phone.locator('#bulk').boundingBox();
    expect(bar!.y + bar!.height).toBeCloseTo(844, 0);
    await phone.screenshot({ path: artifact('queue-phone-selected.png') });
    await phone.close();
  });

  it('logs out', async () => {
    await page.goto(`${base}/queue`);
    await Promise.all([page.waitForURL(`${base}/login`), page.click('#logout')]);
    await page.goto(`${base}/queue`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(consoleProblems).toEqual([]);
  });
});
