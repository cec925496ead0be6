/**
 * The link-preview image of a campaign page (Open Graph, 1200×630 PNG): the campaign name and
 * its first share message, drawn from an SVG by resvg with the DejaVu fonts shipped in
 * node_modules, so a build needs no browser and no system fonts and gives the same image anywhere.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { escapeHtml } from '../dashboard/html.ts';

export const PREVIEW_WIDTH = 1200;
export const PREVIEW_HEIGHT = 630;
const MARGIN = 72;

const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => join(fontDir, name));

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Approximate width of a grapheme in em for DejaVu Sans Bold, by kind of character: enough to wrap lines. */
function graphemeWidth(g: string): number {
  if (/^[iljtfI.,:;'!|()[\]\s]$/.test(g)) return 0.38;
  if (/^[mwMW@%]$/.test(g)) return 0.95;
  if (/^[A-Z0-9#&]$/.test(g)) return 0.76;
  if (
    /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Extended_Pictographic}]/u.test(
      g,
    )
  )
    return 1.05;
  return 0.67;
}

function textWidth(text: string, size: number): number {
  let em = 0;
  for (const { segment } of segmenter.segment(text)) em += graphemeWidth(segment);
  return em * size;
}

/** Greedy word wrap; a word longer than a line is cut by graphemes. */
export function wrap(text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate, size) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    let piece = '';
    for (const { segment } of segmenter.segment(word)) {
      if (textWidth(piece + segment, size) > width && piece) {
        lines.push(piece);
        piece = '';
      }
      piece += segment;
    }
    line = piece;
  }
  if (line) lines.push(line);
  return lines;
}

/** At most `max` lines, the last one ending in "…" when the text was longer. */
function fitLines(text: string, size: number, width: number, max: number): string[] {
  const lines = wrap(text, size, width);
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, max);
  let last = kept[max - 1]!;
  while (last && textWidth(`${last}…`, size) > width)
    last = [...segmenter.segment(last)]
      .slice(0, -1)
      .map((s) => s.segment)
      .join('');
  kept[max - 1] = `${last.trimEnd()}…`;
  return kept;
}

function textBlock(
  lines: string[],
  x: number,
  y: number,
  size: number,
  weight: string,
  rtl: boolean,
): string {
  const anchor = rtl ? 'end' : 'start';
  const left = rtl ? PREVIEW_WIDTH - x : x;
  return lines
    .map(
      (line, i) =>
        `<text x="${left}" y="${y + i * size * 1.25}" font-size="${size}" font-weight="${weight}" text-anchor="${anchor}"${rtl ? ' direction="rtl"' : ''}>${escapeHtml(line)}</text>`,
    )
    .join('');
}

/** The SVG the image is drawn from (exported for tests). */
export function previewSvg(input: { name: string; message: string; rtl?: boolean }): string {
  const width = PREVIEW_WIDTH - 2 * MARGIN;
  const rtl = input.rtl ?? false;
  const nameLines = fitLines(input.name, 44, width, 2);
  // The largest size at which the message fits in the space left, down to 30 px.
  const top = MARGIN + 44 + (nameLines.length - 1) * 55 + 48;
  const room = PREVIEW_HEIGHT - MARGIN - top;
  let size = 60;
  let lines = wrap(input.message, size, width);
  while (size > 30 && lines.length * size * 1.25 > room) {
    size -= 2;
    lines = wrap(input.message, size, width);
  }
  lines = fitLines(input.message, size, width, Math.max(1, Math.floor(room / (size * 1.25))));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${PREVIEW_WIDTH}" height="${PREVIEW_HEIGHT}" viewBox="0 0 ${PREVIEW_WIDTH} ${PREVIEW_HEIGHT}">
<rect width="100%" height="100%" fill="#0b4f9c"/>
<rect x="0" y="${PREVIEW_HEIGHT - 16}" width="100%" height="16" fill="#ffd23f"/>
<g font-family="DejaVu Sans" fill="#ffffff">
${textBlock(nameLines, MARGIN, MARGIN + 44, 44, 'bold', rtl)}
${textBlock(lines, MARGIN, top + size, size, 'bold', rtl)}
</g>
</svg>`;
}

/** Renders the preview image as a 1200×630 PNG. */
export function previewPng(input: { name: string; message: string; rtl?: boolean }): Buffer {
  const resvg = new Resvg(previewSvg(input), {
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'original' },
  });
  return resvg.render().asPng();
}
