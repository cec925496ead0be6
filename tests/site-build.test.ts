/**
 * `solidarity site build` on the sample campaigns and on hostile ones, and the site that
 * `solidarity start` serves: files, escaping, QR codes decoded back to the page URL, preview
 * image size, page weight, read-only serving and the opt-in tap counter.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { PAGE_BUDGET_BYTES } from '../src/site/build.ts';
import { startSiteServer } from '../src/site/server.ts';
import { SHARE_TAPS_KEY, type ShareTaps } from '../src/site/taps.ts';
import { openStore } from '../src/store/index.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { ROOT, runCliInProcess, startCliProcess } from './_util.ts';

const { dataDir } = cleanupAfterEach();
const BASE = 'https://example.org/stand/';
// jsqr is CommonJS: its function is the module itself, typed as its default export.
const jsQR = ((jsQRModule as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

function decodePng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

function decodeSvg(svg: string): string | undefined {
  const rendered = new Resvg(svg, { fitTo: { mode: 'width', value: 400 }, background: '#ffffff' }).render();
  return jsQR(new Uint8ClampedArray(rendered.pixels), rendered.width, rendered.height)?.data;
}

async function build(campaignsDir: string, ...args: string[]) {
  const out = join(dataDir(), 'site');
  const result = await runCliInProcess(['site', 'build', '--out', out, ...args], {
    SOLIDARITY_CAMPAIGNS_DIR: campaignsDir,
    SOLIDARITY_DATA_DIR: join(out, '..', 'data'),
    LOG_LEVEL: 'silent',
  });
  return { ...result, out, read: (path: string) => readFileSync(join(out, path)) };
}

describe('site build on the sample campaigns', () => {
  it('writes an index and, per campaign, a page, posters, QR codes that decode to the page, and a preview image', async () => {
    const { code, stdout, stderr, read, out } = await build(join(ROOT, 'campaigns'), '--base-url', BASE);
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(`westandtogether: ${BASE}westandtogether/`);
    expect(stdout).toContain(`notohatecrime: ${BASE}notohatecrime/`);
    const index = read('index.html').toString();
    expect(index).toContain('href="westandtogether/"');
    for (const id of ['westandtogether', 'notohatecrime']) {
      const url = `${BASE}${id}/`;
      expect(decodePng(read(`${id}/qr.png`)), id).toBe(url);
      expect(decodeSvg(read(`${id}/qr.svg`).toString()), id).toBe(url);
      const og = PNG.sync.read(read(`${id}/og.png`));
      expect([og.width, og.height]).toEqual([1200, 630]);
      const page = read(`${id}/index.html`).toString();
      expect(page).toContain(`<meta property="og:image" content="${url}og.png">`);
      expect(page).toMatch(/<meta property="og:image:alt" content="[^"]{20,}">/);
      expect(page).toContain('<meta name="twitter:card" content="summary_large_image">');
      for (const poster of ['poster.html', 'poster-a5.html']) {
        const html = read(`${id}/${poster}`).toString();
        expect(html).toContain('src="qr.svg"');
        expect(html).toContain('href="tel:08007893');
      }
      const weight = ['index.html'].map((f) => read(`${id}/${f}`).length).reduce((a, b) => a + b, 0);
      expect(weight + read('site.css').length + read('share.js').length).toBeLessThanOrEqual(
        PAGE_BUDGET_BYTES,
      );
      // Nothing on the page points at another site except the share and reporting links a person taps.
      const sources = [...page.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      const loaded = [...page.matchAll(/<(?:script|img|link)\s[^>]*(?:src|href)="([^"]+)"/g)].map(
        (m) => m[1]!,
      );
      expect(loaded.filter((u) => /^(https?:)?\/\//.test(u) && !u.startsWith(url))).toEqual([]);
      expect(sources.length).toBeGreaterThan(10);
    }
    // The Brussels languages are on the page, each marked with its language.
    const page = read('westandtogether/index.html').toString();
    expect(page).toMatch(/<section class="language" id="fr" lang="fr"/);
    expect(page).toMatch(/<section class="language" id="nl" lang="nl"/);
    expect(page).toContain('Anti-Terrorist Hotline');
    expect(page).toContain('<time datetime="2026-03-22">22 March 2026</time>');
    expect(existsSync(join(out, 'westandtogether', 'og.png'))).toBe(true);
  });

  it('builds one campaign with --campaign, and says which id is unknown', async () => {
    const one = await build(join(ROOT, 'campaigns'), '--campaign', 'notohatecrime', '--base-url', BASE);
    expect(one.code).toBe(0);
    expect(existsSync(join(one.out, 'westandtogether'))).toBe(false);
    const unknown = await build(join(ROOT, 'campaigns'), '--campaign', 'nope');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/CAMPAIGN_UNKNOWN.*"nope"/);
    const badUrl = await build(join(ROOT, 'campaigns'), '--base-url', 'javascript:alert(1)');
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('--base-url');
  });
});

describe('preview --share', () => {
  it('prints every share URL of the page, per language, message and network, with its length', async () => {
    const { code, stdout, stderr } = await runCliInProcess([
      'preview',
      join(ROOT, 'campaigns', 'westandtogether.yaml'),
      '--share',
      '--base-url',
      BASE,
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`Page: ${BASE}westandtogether/`);
    // 2 English messages, 1 French, 1 Dutch; 10 networks each.
    const urls = stdout.split('\n').filter((l) => /^ {2}\S/.test(l));
    expect(urls).toHaveLength(4 * 10);
    expect(stdout).toContain('[fr] message 1: Nous sommes aux côtés de la Belgique.');
    expect(urls.find((l) => l.trimStart().startsWith('X '))).toMatch(
      / \d+\/280 +https:\/\/x\.com\/intent\/post\?text=/,
    );
    expect(urls.find((l) => l.trimStart().startsWith('Facebook'))).toContain('link only');
    const noShare = await runCliInProcess([
      'preview',
      join(ROOT, 'campaigns', 'notohatecrime.yaml'),
      '--share',
    ]);
    expect(noShare.code).toBe(0);
    expect(noShare.stderr).toContain('--base-url');
  });
});

const HOSTILE = `id: hostile
name: "Vigil </title><script>alert('name')</script>"
language: ar
timezone: UTC
start: 2026-03-22T09:00
platforms: [local]
schedules:
  - at: ["2026-03-22T10:00"]
hashtags: [معا]
messages:
  - "bot message"
share:
  messages:
    - "نقف معاً. <script>alert(1)</script> \\"><img src=x onerror=alert(2)> & {{literal}}"
    - "${'Together '.repeat(35).trim()} ‮gnol‬"
  networks: [whatsapp, email, facebook]
  report:
    title: "<b>Report</b>"
    numbers: [{ label: "<i>Emergency</i>", number: "999" }]
    links: [{ label: "Report \\" onclick=\\"alert(3)", url: "https://example.org/?a=1&b=<x>" }]
    checked: "2026-03-22"
  translations:
    he:
      messages: ["אנחנו עומדים יחד <script>alert(4)</script>"]
`;

describe('site build on hostile campaign files', () => {
  it('escapes every text (script, attribute breakouts, RTL) and still builds the page', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'hostile.yaml'), HOSTILE);
    const { code, stderr, read } = await build(dir, '--base-url', BASE);
    expect(code, stderr).toBe(0);
    for (const file of ['index.html', 'hostile/index.html', 'hostile/poster.html']) {
      const html = read(file).toString();
      expect(html, file).not.toMatch(/<script>alert|<img src=x|<b>Report|<i>Emergency|" onclick=/);
      expect(html, file).not.toContain('</title><script>');
    }
    const page = read('hostile/index.html').toString();
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&lt;b&gt;Report&lt;/b&gt;');
    expect(page).toContain('href="https://example.org/?a=1&amp;b=&lt;x&gt;"');
    expect(page).toMatch(/<html lang="ar" dir="rtl">/);
    expect(page).toMatch(/<section class="language" id="he" lang="he" dir="rtl"/);
    // The only scripts are the site's own file.
    expect([...page.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script src="../share.js" defer>',
    ]);
    const og = PNG.sync.read(read('hostile/og.png'));
    expect([og.width, og.height]).toEqual([1200, 630]);
  });

  it('fails with each problem at its line when the file is invalid', async () => {
    const dir = dataDir();
    const broken = HOSTILE.replace(
      'networks: [whatsapp, email, facebook]',
      'networks: [whatsapp, bluesky, fax]',
    )
      .replace('url: "https://example.org/?a=1&b=<x>"', 'url: "javascript:alert(5)"')
      .replace('checked: "2026-03-22"', 'checked: "22/03/2026"');
    writeFileSync(join(dir, 'hostile.yaml'), broken);
    const { code, stderr, out } = await build(dir, '--base-url', BASE);
    expect(code).toBe(3);
    expect(stderr).toContain('CAMPAIGN_INVALID');
    expect(stderr).toMatch(/hostile\.yaml:16:\d+ error share\.networks\[2\]: expected one of/);
    expect(stderr).toMatch(
      /hostile\.yaml:20:\d+ error share\.report\.links\[0\]\.url: a link must be an http\(s\) URL/,
    );
    expect(stderr).toMatch(/hostile\.yaml:21:\d+ error share\.report\.checked: write the date as YYYY-MM-DD/);
    expect(existsSync(out)).toBe(false);
    // Fixed schema, but the long message cannot go to Bluesky: named with its line too.
    writeFileSync(
      join(dir, 'hostile.yaml'),
      HOSTILE.replace('networks: [whatsapp, email, facebook]', 'networks: [whatsapp, bluesky]'),
    );
    const long = await build(dir, '--base-url', BASE);
    expect(long.code).toBe(3);
    expect(long.stderr).toMatch(
      /hostile\.yaml:15:\d+ error share\.messages\[1\]: too long to share on bluesky/,
    );
  });
});

describe('the share site inside solidarity start', () => {
  it('names SITE_PORT when the port is taken', async () => {
    const first = await startSiteServer({
      site: () => new Map(),
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
    });
    try {
      const port = Number(new URL(first.url).port);
      const second = startSiteServer({
        site: () => new Map(),
        host: '127.0.0.1',
        port,
        logger: silentLogger(),
      });
      await expect(second).rejects.toMatchObject({
        code: 'SITE_LISTEN',
        message: expect.stringContaining(`127.0.0.1:${port}`),
      });
    } finally {
      await first.close();
    }
  });

  it('serves the pages read-only on SITE_PORT and counts taps only when asked, per day and network', async () => {
    const dir = dataDir();
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    const bot = startCliProcess(['start'], {
      env: {
        SOLIDARITY_DATA_DIR: data,
        SOLIDARITY_MODE: 'local',
        DASHBOARD_PORT: '0',
        SITE_PORT: '0',
        SITE_COUNT_TAPS: 'true',
        SOLIDARITY_SAMPLE_MENTIONS: join(dir, 'none.jsonl'),
      },
    });
    let url: string;
    try {
      const out = await bot.waitFor((s) => /Share site: (\S+)/.test(s) && s.includes('Press Ctrl-C'));
      url = /Share site: (\S+)/.exec(out)![1]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(out).toContain('counting share-button taps');
      const page = await fetch(`${url}westandtogether/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.headers.get('set-cookie')).toBeNull();
      const html = await page.text();
      expect(html).toContain(`content="${url}westandtogether/og.png"`);
      expect((await fetch(`${url}westandtogether`, { redirect: 'manual' })).headers.get('location')).toBe(
        '/westandtogether/',
      );
      expect((await fetch(`${url}../../etc/passwd`)).status).toBe(404);
      expect((await fetch(`${url}westandtogether/`, { method: 'DELETE' })).status).toBe(405);
      const tap = (network: string, campaign = 'westandtogether') =>
        fetch(`${url}count`, { method: 'POST', body: new URLSearchParams({ campaign, network }) });
      expect((await tap('whatsapp')).status).toBe(204);
      expect((await tap('whatsapp')).status).toBe(204);
      expect((await tap('x')).status).toBe(204);
      expect((await tap('myspace')).status).toBe(400);
      expect((await tap('x', 'unknown')).status).toBe(400);
    } finally {
      expect((await bot.stop('SIGINT')).code, bot.stderr()).toBe(0);
    }
    const store = await openStore({ backend: 'file', dir: data }, { use: 'change', logger: silentLogger() });
    try {
      const taps = (await store.getState<ShareTaps>(SHARE_TAPS_KEY))!;
      const today = new Date().toISOString().slice(0, 10);
      expect(taps[today]).toEqual({ westandtogether: { whatsapp: 2, x: 1 } });
      // No address, no time of day, nothing else is kept.
      expect(JSON.stringify(taps)).not.toMatch(/127\.0\.0\.1|T\d\d:/);
    } finally {
      await store.close();
    }
  });
});
