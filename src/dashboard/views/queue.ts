/** The review queue page: filters, bulk bar, one card per flag, cursor pager. */

import type { Flag } from '../../core/review.ts';
import { OUTCOME_LABELS, RESOLVE_OUTCOMES, REVIEW_STATES } from '../../moderation/review.ts';
import { PLATFORM_REGISTRY } from '../../platforms/registry.ts';
import type { Role } from '../accounts.ts';
import { type Html, html, raw } from '../html.ts';
import { compactRowsParts, type RowContext } from './compact.ts';
import { flagItemBytes } from './flag.ts';
import { csrfField, page } from './layout.ts';

export interface QueueFilters {
  campaign?: string | undefined;
  platform?: string | undefined;
  severity?: string | undefined;
  state: string;
  hashtag?: string | undefined;
  rule?: string | undefined;
  sort: 'newest' | 'score';
  after?: string | undefined;
  /** Cards (text shown, the default) or compact rows (one line per flag). */
  view?: 'cards' | 'compact' | undefined;
}

export const QUEUE_PAGE_SIZE = 50;
/** One line each, so a page holds as many as the cards; 25 and more fit on a laptop screen. */
export const COMPACT_PAGE_SIZE = 50;

export function queueUrl(filters: QueueFilters, after?: string): string {
  const params = new URLSearchParams();
  for (const key of ['campaign', 'platform', 'severity', 'hashtag', 'rule'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  if (filters.state !== 'unresolved') params.set('state', filters.state);
  if (filters.sort !== 'newest') params.set('sort', filters.sort);
  if (filters.view === 'compact') params.set('view', 'compact');
  if (after) params.set('after', after);
  const query = params.toString();
  return query ? `/queue?${query}` : '/queue';
}

function select(
  name: string,
  label: string,
  current: string | undefined,
  options: Array<[string, string]>,
): Html {
  return html`<label>${label}<select name="${name}">${options.map(
    ([value, text]) =>
      html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${text}</option>`,
  )}</select></label>`;
}

export function queuePage(input: {
  user: { name: string; role: Role };
  csrf: string;
  flash?: string | undefined;
  filters: QueueFilters;
  campaigns: string[];
  items: Flag[];
  total: number;
  next?: string | undefined;
  /** Claims and clock for compact rows. */
  rows?: Omit<RowContext, 'selectable'> | undefined;
  undo?: { seconds: number } | undefined;
}): Buffer[] {
  const f = input.filters;
  const compact = f.view === 'compact';
  const canDecide = input.user.role !== 'viewer';
  const returnTo = queueUrl(f, f.after);
  const campaigns = [...new Set([...input.campaigns, ...(f.campaign ? [f.campaign] : [])])].sort();
  const active =
    [f.campaign, f.platform, f.severity, f.hashtag, f.rule].filter(Boolean).length +
    (f.state !== 'unresolved' ? 1 : 0) +
    (f.sort !== 'newest' ? 1 : 0);
  const filters = html`<details class="filterbox"${active > 0 ? html` open` : ''}>
<summary>Filter and sort${active > 0 ? html` (${active} set)` : ''}</summary>
<form class="filters" method="get" action="/queue">
${compact ? html`<input type="hidden" name="view" value="compact">` : ''}
${select('campaign', 'Campaign', f.campaign, [['', 'All'], ...campaigns.map((c): [string, string] => [c, c])])}
${select('platform', 'Platform', f.platform, [
  ['', 'All'],
  ...PLATFORM_REGISTRY.map((p): [string, string] => [p.id, p.label]),
])}
${select('severity', 'Severity', f.severity, [
  ['', 'All'],
  ['high', 'High'],
  ['medium', 'Medium'],
  ['low', 'Low'],
])}
${select('state', 'State', f.state, [
  ['unresolved', 'Unresolved'],
  ...REVIEW_STATES.map((s): [string, string] => [s, s[0]!.toUpperCase() + s.slice(1)]),
  ['all', 'All'],
])}
<label>Hashtag<input name="hashtag" value="${f.hashtag ?? ''}" placeholder="westandtogether"></label>
<label>Rule<input name="rule" value="${f.rule ?? ''}" placeholder="rule code"></label>
${select('sort', 'Order', f.sort, [
  ['newest', 'Newest first'],
  ['score', 'Highest score first'],
])}
<button type="submit" class="primary">Filter</button>
<a href="/queue">Clear</a>
</form>
</details>`;

  const shown = input.items.length;
  const bulkBar = canDecide
    ? html`<form id="bulk" class="bulkbar" method="post" action="/decide-bulk">
${csrfField(input.csrf)}<input type="hidden" name="return" value="${returnTo}">
<label><input type="checkbox" id="selectall"> all on page</label>
<span><span id="selcount">0</span> selected</span>
<button type="submit" name="action" value="acknowledge">Acknowledge</button>
<button type="submit" name="action" value="escalate">Escalate</button>
<select name="outcome" aria-label="Outcome for resolve"><option value="">Outcome&hellip;</option>${RESOLVE_OUTCOMES.map((o) => html`<option value="${o}">${OUTCOME_LABELS[o]}</option>`)}</select>
<button type="submit" name="action" value="resolve">Resolve</button>
<input name="note" maxlength="2000" placeholder="Note / reason" aria-label="Note for the selection">
<button type="submit" name="action" value="dismiss" class="danger" id="bulk-dismiss">Dismiss</button>
<select name="format" aria-label="Evidence format"><option value="csv">CSV</option><option value="json">JSON</option><option value="print">Printable page</option></select>
<button type="submit" formaction="/evidence" id="bulk-export">Export evidence</button>
</form>`
    : '';

  const list =
    shown === 0
      ? html`<p class="muted">No flags match these filters.</p>`
      : compact
        ? raw(LIST_SLOT)
        : html`<ol class="queue">${raw(LIST_SLOT)}</ol>`;
  const views = html`<nav class="views" aria-label="Queue view">${
    compact
      ? html`<a href="${queueUrl({ ...f, view: 'cards' })}">Cards</a> <strong>Compact</strong>`
      : html`<strong>Cards</strong> <a href="${queueUrl({ ...f, view: 'compact' })}">Compact</a>`
  }${
    canDecide
      ? html` <form method="post" action="/claim-next" class="inline">${csrfField(input.csrf)}<input type="hidden" name="return" value="${returnTo}"><button type="submit" id="claim-next" title="t">Take next unclaimed</button></form>`
      : ''
  }</nav>`;

  const pager = html`<nav class="pager">
${f.after ? html`<a href="${queueUrl(f)}">First page</a>` : ''}
${input.next ? html`<a href="${queueUrl(f, input.next)}" rel="next" id="next-page">Next ${compact ? COMPACT_PAGE_SIZE : QUEUE_PAGE_SIZE}</a>` : ''}
</nav>`;

  const body = html`<div class="queuehead"><h1>Review queue</h1>
${views}
<p class="count">${input.total} ${input.total === 1 ? 'flag matches' : 'flags match'}; ${shown} on this page. Press <kbd>?</kbd> for keyboard shortcuts.</p></div>
${filters}
${bulkBar}
${list}
${pager}`;
  const markup = page(
    {
      title: 'Review queue',
      user: input.user,
      csrf: input.csrf,
      nav: 'queue',
      flash: input.flash,
      keyboard: true,
      undo: input.undo ? { seconds: input.undo.seconds, returnTo } : undefined,
    },
    body,
  );
  // The cards are cached UTF-8 fragments (no per-session parts): the page is returned in parts,
  // written to the socket as they are, neither re-encoded nor copied into one buffer.
  const at = markup.indexOf(LIST_SLOT);
  if (at < 0) return [Buffer.from(markup, 'utf8')];
  const cards = compact
    ? compactRowsParts(input.items, {
        ...(input.rows ?? { now: Date.now(), holder: () => undefined, me: input.user.name }),
        selectable: canDecide,
      })
    : input.items.map((flag) => flagItemBytes(flag, { form: false, maxChars: 1200, selectable: canDecide }));
  return [
    Buffer.from(markup.slice(0, at), 'utf8'),
    ...cards,
    Buffer.from(markup.slice(at + LIST_SLOT.length), 'utf8'),
  ];
}

/** Where the cards go; holds "<", so no escaped text can contain it. */
const LIST_SLOT = '<@cards@>';
