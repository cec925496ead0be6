/**
 * Builds the static share site: an index and, for every campaign with a `share` block, its page,
 * two posters, the QR code (SVG, PNG) and the link-preview image. Held in memory, so `start` can
 * serve it without writing files and `site build` can write it anywhere.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Campaign } from '../campaign/schema.ts';
import { campaignPage, indexPage, posterPage } from './page.ts';
import { previewPng } from './preview-image.ts';
import { qrPng, qrSvg } from './qr.ts';
import { direction } from './strings.ts';

export interface SiteFile {
  type: string;
  body: string | Buffer;
}

/** Path inside the site ("westandtogether/index.html") → file. */
export type Site = Map<string, SiteFile>;

export interface SiteOptions {
  /** Absolute URL the site is published at, ending in "/". */
  baseUrl: string;
  /** Count share-button taps (the page sends an anonymous beacon to `count`). */
  countTaps?: boolean;
}

/** Page weight budget before images: HTML, CSS and script. */
export const PAGE_BUDGET_BYTES = 50 * 1024;

const ASSETS = join(import.meta.dirname, 'assets');
const HTML = 'text/html; charset=utf-8';

/** "https://example.org/kit" → "https://example.org/kit/"; throws on anything but http(s). */
export function normaliseBaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not an http(s) URL');
  if (parsed.search || parsed.hash) throw new Error('no ?query or #fragment');
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed.href;
}

/** The absolute URL of a campaign's page. */
export function pageUrl(baseUrl: string, campaignId: string): string {
  return new URL(`${campaignId}/`, normaliseBaseUrl(baseUrl)).href;
}

export async function buildSite(campaigns: readonly Campaign[], options: SiteOptions): Promise<Site> {
  const site: Site = new Map();
  const shared = campaigns.filter((c) => c.share);
  site.set('site.css', {
    type: 'text/css; charset=utf-8',
    body: readFileSync(join(ASSETS, 'site.css'), 'utf8'),
  });
  site.set('share.js', {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(join(ASSETS, 'share.js'), 'utf8'),
  });
  site.set('index.html', { type: HTML, body: indexPage(shared, shared[0]?.language ?? 'en') });
  for (const campaign of shared) {
    const url = pageUrl(options.baseUrl, campaign.id);
    const links = { pageUrl: url, root: '../', ...(options.countTaps ? { countUrl: '../count' } : {}) };
    const main = campaign.share!.languages[0]!;
    site.set(`${campaign.id}/index.html`, { type: HTML, body: campaignPage(campaign, links) });
    site.set(`${campaign.id}/poster.html`, { type: HTML, body: posterPage(campaign, links, 'A4') });
    site.set(`${campaign.id}/poster-a5.html`, { type: HTML, body: posterPage(campaign, links, 'A5') });
    site.set(`${campaign.id}/qr.svg`, { type: 'image/svg+xml', body: await qrSvg(url) });
    site.set(`${campaign.id}/qr.png`, { type: 'image/png', body: await qrPng(url) });
    site.set(`${campaign.id}/og.png`, {
      type: 'image/png',
      body: previewPng({
        name: campaign.name,
        message: main.messages[0] ?? '',
        rtl: direction(main.lang) === 'rtl',
      }),
    });
  }
  return site;
}

/** Bytes a campaign page loads before images: its HTML, the stylesheet and the script. */
export function pageWeight(site: Site, campaignId: string): number {
  const size = (path: string) => {
    const file = site.get(path);
    return file ? Buffer.byteLength(file.body) : 0;
  };
  return size(`${campaignId}/index.html`) + size('site.css') + size('share.js');
}

/**
 * The address the site is published at: --base-url, else SITE_BASE_URL, else where `start`
 * serves it. `assumed` is true in the last case (links then only work on this machine).
 */
export function siteBaseUrl(
  given: string | undefined,
  env: { SITE_BASE_URL?: string | undefined; SITE_HOST: string; SITE_PORT: number },
): { url: string; assumed: boolean } {
  const chosen = given ?? env.SITE_BASE_URL;
  if (chosen !== undefined) return { url: normaliseBaseUrl(chosen), assumed: false };
  const host = env.SITE_HOST.includes(':') ? `[${env.SITE_HOST}]` : env.SITE_HOST;
  return { url: `http://${host}:${env.SITE_PORT}/`, assumed: true };
}

/** Writes the site under `dir` (adds and replaces files; removes nothing). */
export function writeSite(site: Site, dir: string): void {
  for (const [path, file] of site) {
    const target = join(dir, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
}
