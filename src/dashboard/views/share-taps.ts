/**
 * Share-button taps on the public campaign pages (SITE_COUNT_TAPS=true), for the overview:
 * per campaign and button, over the overview's period counted in whole UTC days.
 */
import { type ShareTaps, TAP_BUTTONS, tapTotals } from '../../site/taps.ts';
import { type Html, html } from '../html.ts';

export function shareTapsSection(input: {
  taps: ShareTaps | undefined;
  from: string;
  to: string;
  campaign?: string | undefined;
}): Html {
  const totals = tapTotals(input.taps, input.from.slice(0, 10), input.to.slice(0, 10), input.campaign);
  const heading = html`<h2>Share-button taps</h2>`;
  if (input.taps === undefined)
    return html`${heading}<p class="muted">Not counted. The public campaign pages count taps only when SITE_COUNT_TAPS=true (no address, no cookie; per day and network).</p>`;
  if (totals.size === 0) return html`${heading}<p class="muted" id="share-taps">No taps in these days.</p>`;
  const buttons = TAP_BUTTONS.filter((b) => [...totals.values()].some((row) => row.has(b)));
  return html`${heading}<table id="share-taps"><tr><th>Campaign</th>${buttons.map((b) => html`<th>${b}</th>`)}<th>Total</th></tr>${[
    ...totals,
  ].map(
    ([campaign, row]) =>
      html`<tr><td>${campaign}</td>${buttons.map((b) => html`<td>${row.get(b) ?? 0}</td>`)}<td>${[...row.values()].reduce((a, n) => a + n, 0)}</td></tr>`,
  )}</table><p class="muted">Whole UTC days from ${input.from.slice(0, 10)} to ${input.to.slice(0, 10)}; taps by supporters with JavaScript on.</p>`;
}
