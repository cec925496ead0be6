/** One flag as HTML: the blurred text with highlighted matches, its reasons, and the decision form. */
import { displayPieces, highlightSegments, truncateSegments } from '../../moderation/display.ts';
import { allowedActions, deriveState, OUTCOME_LABELS, RESOLVE_OUTCOMES } from '../../moderation/review.ts';
import type { Flag } from '../../moderation/types.ts';
import { type Html, html, safeHref } from '../html.ts';
import { csrfField } from './layout.ts';

/**
 * Any text that came from outside (handles, ids, URLs shown as text, hashtags, notes): escaped,
 * with control and bidi characters shown as labels and lone surrogates replaced.
 */
export function shown(text: string): Html {
  return html`${displayPieces(text).map((p) => (p.control ? html`<span class="ctl">${p.text}</span>` : p.text))}`;
}

/** The mention text, escaped, with matched spans in <mark> and control characters shown as labels. */
export function flagText(flag: Flag, maxChars = Number.POSITIVE_INFINITY): Html {
  const all = highlightSegments(flag.mention.text, flag.verdict.reasons);
  const { segments, cut } = truncateSegments(all, maxChars);
  const parts = segments.map((segment) => {
    const inner = displayPieces(segment.text).map((p) =>
      p.control ? html`<span class="ctl" title="hidden control character">${p.text}</span>` : p.text,
    );
    return segment.rules.length > 0
      ? html`<mark title="${segment.rules.join(', ')}">${inner}</mark>`
      : html`${inner}`;
  });
  const more =
    cut > 0 ? html` <span class="more">… ${cut} more characters: open the item to read all</span>` : '';
  return html`${parts}${more}`;
}

export function formatTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

function originalLink(flag: Flag): Html {
  const href = safeHref(flag.mention.url);
  return href
    ? html`<a class="original" href="${href}" target="_blank" rel="noopener noreferrer nofollow" referrerpolicy="no-referrer">original post</a>`
    : html`<span class="original">link not shown (not http/https)</span>`;
}

export function reasonsList(flag: Flag): Html {
  if (flag.verdict.reasons.length === 0) return html``;
  return html`<ul class="reasons">${flag.verdict.reasons.map(
    (r) =>
      html`<li><code>${shown(r.rule)}</code> ${shown(r.explanation)}${r.span ? html` — matched “<mark>${shown(r.span.text)}</mark>”` : ''}</li>`,
  )}</ul>`;
}

export function decisionForm(flag: Flag, csrf: string, returnTo: string): Html {
  const allowed = new Set(allowedActions(deriveState(flag.events)));
  const button = (action: string, label: string, key: string, cls = '') =>
    allowed.has(action as never)
      ? html`<button type="submit" name="action" value="${action}" class="${cls}" title="${key ? `shortcut: ${key}` : ''}">${label}</button>`
      : '';
  return html`<form class="decide" method="post" action="/decide">
${csrfField(csrf)}<input type="hidden" name="id" value="${flag.id}"><input type="hidden" name="return" value="${returnTo}">
<input name="note" maxlength="2000" placeholder="Note or dismiss reason (optional)" aria-label="Note">
${button('acknowledge', 'Acknowledge', 'a')}
${button('escalate', 'Escalate', 'e')}
${
  allowed.has('resolve')
    ? html`<select name="outcome" aria-label="Outcome"><option value="">Outcome…</option>${RESOLVE_OUTCOMES.map((o) => html`<option value="${o}">${OUTCOME_LABELS[o]}</option>`)}</select>
${button('resolve', 'Resolve', 'r')}`
    : ''
}
${button('dismiss', 'Dismiss', 'd', 'danger')}
${button('reopen', 'Reopen', '')}
${button('comment', 'Comment', '')}
</form>`;
}

export interface ItemOptions {
  index: number;
  csrf: string;
  canDecide: boolean;
  returnTo: string;
  /** Queue items show a cut text; the item page shows all of it. */
  maxChars?: number;
  selectable?: boolean;
}

/** Stable, HTML-id-safe key for a flag id (ids hold ':' and '/'). */
export function domId(index: number): string {
  return `item-${index}`;
}

export function flagItem(flag: Flag, o: ItemOptions): Html {
  const v = flag.verdict;
  const m = flag.mention;
  const state = deriveState(flag.events);
  return html`<li class="item sev-${v.severity}" id="${domId(o.index)}" data-id="${flag.id}" tabindex="-1">
<div class="meta">
${o.selectable ? html`<input type="checkbox" class="sel" name="ids" value="${flag.id}" form="bulk" aria-label="Select this flag">` : ''}
<span class="sev">${v.severity}</span>
<span class="score">score ${v.score.toFixed(2)}</span>
<span>sentiment ${v.sentiment.toFixed(2)}</span>
<span class="state">${state}</span>
<span>${shown(flag.campaign)}</span>
<span>${m.platform}</span>
<span class="author" dir="auto">@${shown(m.authorHandle)} <span class="muted">(${shown(m.authorId)})</span></span>
<time datetime="${m.createdAt}">${formatTime(m.createdAt)}</time>
${originalLink(flag)}
<a class="details" href="/flag?id=${encodeURIComponent(flag.id)}">details</a>
</div>
<div class="textwrap">
<input type="checkbox" class="reveal" id="reveal-${o.index}"><label class="revealbtn" for="reveal-${o.index}"></label>
<div class="flagtext" dir="auto">${flagText(flag, o.maxChars)}</div>
${reasonsList(flag)}
</div>
${o.canDecide ? decisionForm(flag, o.csrf, o.returnTo) : ''}
</li>`;
}
