/**
 * Real Chromium for dashboard tests (Debian's package, driven by playwright-core). Locally, a
 * machine without it skips those tests with a message; in CI (CI set) a missing browser fails.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);
export const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');

/** True when the browser tests should run; prints why not when they are skipped. */
export function chromiumAvailable(suite: string): boolean {
  if (HAVE_CHROMIUM) return true;
  if (process.env['CI']) return true; // run anyway, so launch fails loudly
  console.warn(
    `[${suite}] SKIPPED: no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) ` +
      'or set CHROMIUM_PATH; CI never skips these tests.',
  );
  return false;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH });
}

export function artifact(name: string): string {
  return join(ARTIFACTS, name);
}

/** The browser's globals, typed loosely (the project compiles without the DOM library). */
type BrowserGlobals = {
  getComputedStyle(element: unknown): { filter: string };
  document: { documentElement: { scrollWidth: number } };
  innerWidth: number;
};

/** For locator.evaluate: the element's computed CSS filter ("none" when not blurred). */
export function cssFilter(element: unknown): string {
  return (globalThis as unknown as BrowserGlobals).getComputedStyle(element).filter;
}

/** For page.evaluate: how far the page scrolls sideways (0 or less: it fits). */
export function sidewaysOverflow(): number {
  const g = globalThis as unknown as BrowserGlobals;
  return g.document.documentElement.scrollWidth - g.innerWidth;
}
