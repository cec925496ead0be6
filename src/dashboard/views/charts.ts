/** Small server-rendered SVG charts: no script, no inline style (presentation attributes only). */
import { type Html, html } from '../html.ts';

export interface Series {
  label: string;
  colour: string;
  values: number[];
}

const W = 720;
const H = 200;
const PAD = { left: 40, right: 10, top: 10, bottom: 28 };

function niceMax(max: number): number {
  if (max <= 4) return Math.max(1, max);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

/**
 * Grouped bars per hour; `markers` are hour indexes drawn as red triangles (hijack alerts).
 * Hour labels every few bars so they stay readable on a phone.
 */
export function barChart(input: {
  title: string;
  hours: string[];
  series: Series[];
  markers?: number[];
}): Html {
  const n = Math.max(1, input.hours.length);
  const max = niceMax(Math.max(0, ...input.series.flatMap((s) => s.values)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / n;
  const barW = Math.max(1, (slot * 0.8) / Math.max(1, input.series.length));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const bars: Html[] = [];
  input.series.forEach((s, si) => {
    s.values.forEach((v, i) => {
      if (v <= 0) return;
      const x = PAD.left + i * slot + slot * 0.1 + si * barW;
      bars.push(
        html`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${barW.toFixed(1)}" height="${(PAD.top + plotH - y(v)).toFixed(1)}" fill="${s.colour}"><title>${input.hours[i] ?? ''}: ${v} ${s.label}</title></rect>`,
      );
    });
  });
  const every = Math.max(1, Math.ceil(n / 12));
  const labels = input.hours.map((hour, i) =>
    i % every === 0
      ? html`<text x="${(PAD.left + i * slot + slot / 2).toFixed(1)}" y="${H - 10}" font-size="11" text-anchor="middle" fill="#5d6166">${hour.slice(11, 13)}h</text>`
      : '',
  );
  const markers = (input.markers ?? []).map((i) => {
    const cx = PAD.left + i * slot + slot / 2;
    return html`<path d="M${(cx - 6).toFixed(1)} ${PAD.top} L${(cx + 6).toFixed(1)} ${PAD.top} L${cx.toFixed(1)} ${PAD.top + 10} Z" fill="#a3262a"><title>hijack alert at ${input.hours[i] ?? ''}</title></path>`;
  });
  const grid = [0, 0.5, 1].map((f) => {
    const v = max * f;
    return html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#d9dbd6"/><text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#5d6166">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`;
  });
  return html`<figure class="chart">
<figcaption>${input.title}: ${input.series.map(
    (s) =>
      html`<svg class="key" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" fill="${s.colour}"/></svg> ${s.label} `,
  )}${input.markers?.length ? html`<svg class="key" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><path d="M0 0 L12 0 L6 10 Z" fill="#a3262a"/></svg> hijack alert` : ''}</figcaption>
<svg class="plot" viewBox="0 0 ${W} ${H}" role="img" aria-label="${input.title}" xmlns="http://www.w3.org/2000/svg">
${grid}${bars}${markers}${labels}
</svg>
</figure>`;
}
