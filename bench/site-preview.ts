/**
 * npm run bench:site: the campaign preview image (1200×630 PNG) drawn by resvg, as `site build`
 * does, against the same SVG screenshotted in Chromium, the alternative that would need a browser
 * at build time. Measured in one run on this machine; the last line printed is one JSON object.
 * `perImageRatio` = Chromium ms per image / resvg ms per image; `firstImageRatio` adds Chromium's
 * launch (what a one-off `site build` would pay).
 *
 * Options (env): BENCH_IMAGES per side (10), CHROMIUM_PATH (/usr/bin/chromium).
 */
import { chromium } from 'playwright-core';
import { previewPng, previewSvg } from '../src/site/preview-image.ts';

const IMAGES = Number(process.env['BENCH_IMAGES'] ?? 10);
const input = {
  name: 'We Stand Together',
  message:
    'We stand with Belgium. Whatever happens, we will always stand together. #WeStandTogether #StandWithBelgium',
};

previewPng(input); // warm-up: the addon and the fonts load once
let started = performance.now();
for (let i = 0; i < IMAGES; i++) previewPng(input);
const resvgMs = (performance.now() - started) / IMAGES;

started = performance.now();
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
});
const page = await browser.newPage({ viewport: { width: 1200, height: 630 } });
await page.setContent(previewSvg(input));
await page.screenshot({ type: 'png' });
const firstChromiumMs = performance.now() - started;
started = performance.now();
for (let i = 0; i < IMAGES; i++) {
  await page.setContent(previewSvg(input));
  await page.screenshot({ type: 'png' });
}
const chromiumMs = (performance.now() - started) / IMAGES;
await browser.close();

console.log(
  JSON.stringify({
    images: IMAGES,
    resvgMsPerImage: Number(resvgMs.toFixed(1)),
    chromiumMsPerImage: Number(chromiumMs.toFixed(1)),
    chromiumFirstImageMs: Math.round(firstChromiumMs),
    perImageRatio: Number((chromiumMs / resvgMs).toFixed(2)),
    firstImageRatio: Number((firstChromiumMs / resvgMs).toFixed(1)),
  }),
);
