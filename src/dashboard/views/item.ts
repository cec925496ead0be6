/** One flag on its own page: full text, reasons, decision history, decisions, evidence export. */

import type { Flag } from '../../core/review.ts';
import { REPORTING_GUIDANCE, REPORTING_GUIDANCE_CHECKED, sha256Hex } from '../../moderation/evidence.ts';
import { describeEvent } from '../../moderation/review.ts';
import type { Role } from '../accounts.ts';
import type { Claim } from '../claims.ts';
import { type Html, html, raw } from '../html.ts';
import { age, authorUrl } from './compact.ts';
import { fillSlots, flagItem, flagText, formatTime, reasonsList, shown } from './flag.ts';
import { csrfField, page } from './layout.ts';

export function history(flag: Flag): Html {
  if (flag.events.length === 0) return html`<p class="muted">No decisions yet.</p>`;
  return html`<ol class="history">${flag.events.map((e) => html`<li>${shown(describeEvent(e))}</li>`)}</ol>`;
}

export function exportForm(ids: string[], csrf: string): Html {
  return html`<form class="decide" method="post" action="/evidence">
${csrfField(csrf)}${ids.map((id) => html`<input type="hidden" name="ids" value="${id}">`)}
<select name="format" aria-label="Evidence format"><option value="csv">CSV</option><option value="json">JSON</option><option value="print">Printable page</option></select>
<button type="submit" id="export">Export evidence</button>
</form>`;
}

export function itemPage(input: {
  user: { name: string; role: Role };
  csrf: string;
  flash?: string | undefined;
  flag: Flag;
  /** Neighbours in the queue (unresolved, newest first). */
  prev?: string | undefined;
  next?: string | undefined;
  claim?: Claim | undefined;
  now?: number;
  undo?: { seconds: number } | undefined;
}): string {
  const { flag, csrf } = input;
  const canDecide = input.user.role !== 'viewer';
  const returnTo = `/flag?id=${encodeURIComponent(flag.id)}`;
  const m = flag.mention;
  const now = input.now ?? Date.now();
  const flagUrl = (id: string) => `/flag?id=${encodeURIComponent(id)}`;
  const claim = input.claim;
  const mine = claim?.by === input.user.name;
  const claimForm = (label: string, takeOver: boolean) =>
    html`<form method="post" action="/claim" class="inline">${csrfField(csrf)}<input type="hidden" name="id" value="${flag.id}"><input type="hidden" name="return" value="${returnTo}">${takeOver ? html`<input type="hidden" name="takeover" value="1">` : ''}<button type="submit" id="${takeOver ? 'take-over' : 'claim'}">${label}</button></form>`;
  const claimBar = html`<div class="claimbar" id="claim-status">${
    claim
      ? mine
        ? html`You are reviewing this flag (claimed ${age(now - claim.since)} ago; released after 10 minutes idle).`
        : html`<strong>${claim.by}</strong> is reviewing this flag (claimed ${age(now - claim.since)} ago). ${canDecide ? claimForm('Take over', true) : ''}`
      : html`Nobody is reviewing this flag. ${canDecide ? claimForm('Claim (c)', false) : ''}`
  }</div>`;
  const pager = html`<nav class="itemnav">
<a href="/queue">&larr; Review queue</a>
${input.prev ? html`<a href="${flagUrl(input.prev)}" id="prev-flag" rel="prev">&lsaquo; Previous <kbd>[</kbd></a>` : html`<span class="muted">&lsaquo; Previous</span>`}
${input.next ? html`<a href="${flagUrl(input.next)}" id="next-flag" rel="next">Next <kbd>]</kbd> &rsaquo;</a>` : html`<span class="muted">Next &rsaquo;</span>`}
<a href="${authorUrl(flag)}" id="author-link">Author: other flags and mentions</a>
</nav>`;
  const body = html`${pager}
<h1>Flag</h1>
${claimBar}
<ol class="queue">${raw(fillSlots(flagItem(flag, { form: canDecide }), csrf, returnTo))}</ol>
<h2>Details</h2>
<table>
<tr><th>Flag id</th><td>${shown(flag.id)}</td></tr>
<tr><th>Post id</th><td>${shown(m.id)}</td></tr>
<tr><th>Post URL</th><td>${shown(m.url)}</td></tr>
<tr><th>Author</th><td dir="auto">${shown(m.authorHandle)} (${shown(m.authorId)})</td></tr>
<tr><th>Posted</th><td>${formatTime(m.createdAt)}</td></tr>
<tr><th>Captured</th><td>${formatTime(m.capturedAt)}</td></tr>
<tr><th>Hashtags</th><td>${shown(m.hashtags.map((h) => `#${h}`).join(' '))}</td></tr>
<tr><th>Length</th><td>${m.text.length} characters</td></tr>
<tr><th>SHA-256 of text</th><td><code>${sha256Hex(m.text)}</code></td></tr>
</table>
<h2>Decisions</h2>
${history(flag)}
${canDecide ? html`<h2>Evidence</h2>${exportForm([flag.id], csrf)}` : ''}`;
  return page(
    {
      title: 'Flag',
      user: input.user,
      csrf,
      nav: 'queue',
      flash: input.flash,
      keyboard: true,
      undo: input.undo ? { seconds: input.undo.seconds, returnTo } : undefined,
    },
    body,
  );
}

/** A short printable page for the police: the reporting numbers, then each item. */
export function evidencePrintPage(input: { flags: Flag[]; exportedAt: string; exportedBy: string }): string {
  const guidance = html`<section class="guidance">
<h1>Hate-crime evidence</h1>
<p>Exported ${formatTime(input.exportedAt)} by ${input.exportedBy}. ${input.flags.length} item(s).</p>
<h2>Where to report</h2>
<ul>${REPORTING_GUIDANCE.map((g) => html`<li><strong>${g.label}: ${g.contact}</strong>. ${g.when}</li>`)}</ul>
<p class="muted">Reporting guidance last checked: ${REPORTING_GUIDANCE_CHECKED}.</p>
<p class="noprint"><button type="button" data-print>Print</button></p>
</section>`;
  const items = input.flags.map((flag) => {
    const m = flag.mention;
    return html`<article class="item sev-${flag.verdict.severity}">
<h2>${m.platform} post by ${shown(m.authorHandle)}</h2>
<table>
<tr><th>Post URL</th><td>${shown(m.url)}</td></tr>
<tr><th>Post id</th><td>${shown(m.id)}</td></tr>
<tr><th>Author</th><td>${shown(m.authorHandle)} (${shown(m.authorId)})</td></tr>
<tr><th>Posted / captured</th><td>${formatTime(m.createdAt)} / ${formatTime(m.capturedAt)}</td></tr>
<tr><th>Score / severity</th><td>${flag.verdict.score.toFixed(2)} / ${flag.verdict.severity}</td></tr>
<tr><th>SHA-256 of text</th><td><code>${sha256Hex(m.text)}</code></td></tr>
</table>
<div class="flagtext" dir="auto">${flagText(flag)}</div>
${reasonsList(flag)}
${history(flag)}
</article>`;
  });
  return page({ title: 'Evidence' }, html`${guidance}${items}`);
}
