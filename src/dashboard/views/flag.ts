import { createHash } from 'node:crypto';
import type { Flag } from '../../core/review.ts';
/** One flag as HTML: the blurred text with highlighted matches, its reasons, and the decision form. */
import {
  displayPieces,
  highlightSegments,
  onlyFunctionWords,
  truncateSegments,
} from '../../moderation/display.ts';
import {
  allowedActions,
  deriveState,
  effectiveEvents,
  OUTCOME_LABELS,
  RESOLVE_OUTCOMES,
} from '../../moderation/review.ts';
import { escapeHtml, type Html, html, raw, safeHref } from '../html.ts';

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
    cut > 0
      ? html` <span class="more">&hellip; ${cut} more characters: open the item to read all</span>`
      : '';
  return html`${parts}${more}`;
}

/** "last: escalate by alice, 2026-11-25 12:03 UTC" (an absolute time: cards are cached). */
function lastDecisionLabel(flag: Flag): Html | string {
  const events = effectiveEvents(flag.events);
  const last = events[events.length - 1];
  return last
    ? html`<span class="last">last: ${last.action} by ${shown(last.by)}, ${formatTime(last.at)}</span>`
    : '';
}

export function formatTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

function originalLink(flag: Flag): Html {
  const href = safeHref(flag.mention.url);
  return href
    ? html`<a class="original" href="${href}" target="_blank" rel="noreferrer nofollow">original post</a>`
    : html`<span class="original muted" title="only http and https addresses become links">no web link</span>`;
}

/** Matched spans longer than this are cut in the reasons list (the text above shows them whole). */
const SPAN_SHOWN_CHARS = 80;

/** "matched “…”" for the reasons list: a long span is cut as the text is cut, with its length. */
function matched(text: string): Html {
  if (text.length <= SPAN_SHOWN_CHARS)
    return html` &mdash; matched &ldquo;<mark>${shown(text)}</mark>&rdquo;`;
  let piece = text.slice(0, SPAN_SHOWN_CHARS);
  if (/[\uD800-\uDBFF]$/.test(piece)) piece = piece.slice(0, -1);
  return html` &mdash; matched &ldquo;<mark>${shown(piece)}</mark>&hellip;&rdquo; <span class="muted">(${text.length} characters)</span>`;
}

/** A span worth showing as evidence: in the text, and not only function words. */
function evidenceSpan(flag: Flag, span: { start: number; end: number; text: string } | undefined) {
  if (!span || onlyFunctionWords(span.text)) return undefined;
  return flag.mention.text.slice(span.start, span.end) === span.text ? span : undefined;
}

/**
 * The reasons, one line each. The model's word features, however many the scorer lists, make
 * one line ("model: words that marked hate … “a”, “b”"), and only spans with a content word are
 * highlighted.
 */
export function reasonsList(flag: Flag): Html {
  const reasons = flag.verdict.reasons;
  if (reasons.length === 0) return html``;
  const model = reasons.filter((r) => r.rule.startsWith('model'));
  const lines = reasons
    .filter((r) => !r.rule.startsWith('model'))
    .map((r) => {
      const span = evidenceSpan(flag, r.span);
      return html`<li><code>${shown(r.rule)}</code> ${shown(r.explanation)}${span ? matched(span.text) : ''}</li>`;
    });
  if (model.length === 1) {
    const r = model[0]!;
    const span = evidenceSpan(flag, r.span);
    lines.push(
      html`<li><code>${shown(r.rule)}</code> ${shown(r.explanation)}${span ? matched(span.text) : ''}</li>`,
    );
  } else if (model.length > 1) {
    const words = [
      ...new Set(model.map((r) => evidenceSpan(flag, r.span)?.text).filter((t): t is string => Boolean(t))),
    ];
    lines.push(
      html`<li class="model"><code>model</code> words that marked hate in the labelled data${
        words.length
          ? html`: ${words.map((w, i) => html`${i > 0 ? ', ' : ''}&ldquo;<mark>${shown(w.length > SPAN_SHOWN_CHARS ? `${w.slice(0, SPAN_SHOWN_CHARS)}…` : w)}</mark>&rdquo;`)}`
          : ''
      }</li>`,
    );
  }
  return html`<ul class="reasons">${lines}</ul>`;
}

function decisionForm(flag: Flag): Html {
  const allowed = new Set(allowedActions(deriveState(flag.events)));
  const button = (action: string, label: string, cls?: string) =>
    allowed.has(action as never)
      ? cls
        ? html`<button type="submit" name="action" value="${action}" class="${cls}">${label}</button>`
        : html`<button type="submit" name="action" value="${action}">${label}</button>`
      : '';
  return html`<form class="decide" method="post" action="/decide">
<input type="hidden" name="_csrf" value="${raw(CSRF_SLOT)}"><input type="hidden" name="id" value="${flag.id}"><input type="hidden" name="return" value="${raw(RETURN_SLOT)}">
<input name="note" maxlength="2000" placeholder="Note or dismiss reason (optional)" aria-label="Note">
${button('acknowledge', 'Acknowledge')}
${button('escalate', 'Escalate')}
${
  allowed.has('resolve')
    ? html`<select name="outcome" aria-label="Outcome"><option value="">Outcome&hellip;</option>${RESOLVE_OUTCOMES.map((o) => html`<option value="${o}">${OUTCOME_LABELS[o]}</option>`)}</select>
${button('resolve', 'Resolve')}`
    : ''
}
${button('dismiss', 'Dismiss', 'danger')}
${button('reopen', 'Reopen')}
${button('comment', 'Comment')}
</form>`;
}

/**
 * Placeholders for the per-session parts of a cached item (CSRF token, return path). They hold
 * "<", which escaped text can never contain, so mention text cannot forge them.
 */
export const CSRF_SLOT = '<@csrf@>';
export const RETURN_SLOT = '<@return@>';

export interface ItemOptions {
  /** Include the decision form (the item page; queue cards decide through the bulk bar). */
  form: boolean;
  /** Queue items show a cut text; the item page shows all of it. */
  maxChars?: number;
  selectable?: boolean;
}

/** An HTML-id-safe key for a flag, stable across pages (ids hold ':' and '/'). */
export function domId(flagId: string): string {
  return `f-${createHash('sha256').update(flagId).digest('base64url').slice(0, 16)}`;
}

/**
 * One flag as an HTML fragment, UTF-8 encoded, with CSRF_SLOT and RETURN_SLOT left in when it
 * has a form (fill them with `fillSlots`). Fragments are cached by what they show (flag id, its
 * events, text length, options), so a busy queue page is mostly copied bytes, not re-rendered
 * markup; a decision adds an event, which changes the key.
 */
export function flagItemBytes(flag: Flag, o: ItemOptions): Buffer {
  const last = flag.events.length > 0 ? flag.events[flag.events.length - 1]!.id : '';
  const options = `${o.form ? 1 : 0}${o.selectable ? 1 : 0}${o.maxChars ?? 0}`;
  // Fast path: the same flag object as last time (the store hands out its own), unchanged, so
  // its key need not be built again. Only the key is remembered per object; the bytes live in
  // the bounded FRAGMENTS map.
  const seen = BY_OBJECT.get(flag);
  let key: string;
  if (
    seen &&
    seen.options === options &&
    seen.events === flag.events.length &&
    seen.last === last &&
    seen.textLength === flag.mention.text.length
  ) {
    key = seen.key;
  } else {
    key = `${flag.id}\u0000${flag.events.length}\u0000${last}\u0000${flag.mention.text.length}\u0000${options}`;
    BY_OBJECT.set(flag, {
      options,
      events: flag.events.length,
      last,
      textLength: flag.mention.text.length,
      key,
    });
  }
  let bytes = FRAGMENTS.get(key);
  if (bytes === undefined) {
    bytes = Buffer.from(renderItem(flag, o).value, 'utf8');
    if (FRAGMENTS.size >= MAX_FRAGMENTS) FRAGMENTS.delete(FRAGMENTS.keys().next().value!);
    FRAGMENTS.set(key, bytes);
  }
  return bytes;
}

export function flagItem(flag: Flag, o: ItemOptions): string {
  return flagItemBytes(flag, o).toString('utf8');
}

const FRAGMENTS = new Map<string, Buffer>();
const MAX_FRAGMENTS = 5000;
let BY_OBJECT = new WeakMap<
  Flag,
  { options: string; events: number; last: string; textLength: number; key: string }
>();

/** Empties the card cache (benchmarks measure rendering from cold with it). */
export function clearFragmentCache(): void {
  FRAGMENTS.clear();
  BY_OBJECT = new WeakMap();
}

export function fillSlots(markup: string, csrf: string, returnTo: string): string {
  return markup.replaceAll(CSRF_SLOT, escapeHtml(csrf)).replaceAll(RETURN_SLOT, escapeHtml(returnTo));
}

function renderItem(flag: Flag, o: ItemOptions): Html {
  const v = flag.verdict;
  const m = flag.mention;
  const state = deriveState(flag.events);
  const id = domId(flag.id);
  return html`<li class="item sev-${v.severity}" id="${id}" data-id="${flag.id}" tabindex="-1">
<div class="meta">
${o.selectable ? html`<input type="checkbox" class="sel" name="ids" value="${flag.id}" form="bulk" aria-label="Select">` : ''}
<span class="sev">${v.severity}</span>
<span class="score">score ${v.score.toFixed(2)}</span>
<span>sentiment ${v.sentiment.toFixed(2)}</span>
<span class="state">${state}</span>
<span>${shown(flag.campaign)}</span>
<span>${m.platform}</span>
<span class="author" dir="auto">@${shown(m.authorHandle)} <span class="muted">(${shown(m.authorId)})</span></span>
<time datetime="${m.createdAt}">${formatTime(m.createdAt)}</time>
${lastDecisionLabel(flag)}
${originalLink(flag)}
<a class="details" href="/flag?id=${encodeURIComponent(flag.id)}">details</a>
</div>
<div class="textwrap">
<input type="checkbox" class="reveal" id="r-${id}" aria-label="Reveal the text"><label class="revealbtn" for="r-${id}"></label>
<div class="flagtext" dir="auto">${flagText(flag, o.maxChars)}</div>
${reasonsList(flag)}
</div>
${o.form ? decisionForm(flag) : ''}
</li>`;
}
