/**
 * The compact queue: one line per flag (severity, score, rules, author, age, campaign, state, who
 * holds it, who decided last), so 25 and more fit on a laptop screen. The card view stays as the
 * detail view; a row's "open" link leads to the flag's page.
 */

import type { Flag } from '../../core/review.ts';
import { effectiveEvents } from '../../moderation/review.ts';
import type { Claim } from '../claims.ts';
import { type Html, html, raw } from '../html.ts';
import { shown } from './flag.ts';

export interface RowContext {
  now: number;
  /** The live claim on a flag, if any. */
  holder: (flagId: string) => Claim | undefined;
  me: string;
  selectable: boolean;
}

/** "4 min", "3 h", "2 d": how long ago, for a glance (the item page's claim line). */
export function age(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
}

/** The rules of a flag, each once; the model's word features count as one "model" rule. */
export function ruleNames(flag: Flag): string[] {
  return [...new Set(flag.verdict.reasons.map((r) => (r.rule.startsWith('model.') ? 'model' : r.rule)))];
}

export function authorUrl(flag: Flag): string {
  const m = flag.mention;
  return `/author?platform=${encodeURIComponent(m.platform)}&id=${encodeURIComponent(m.authorId)}`;
}

/** "escalate by alice, 2026-11-25 12:03" for the last decision that counts, or "" when none. */
export function lastDecision(flag: Flag): string {
  const events = effectiveEvents(flag.events);
  const last = events[events.length - 1];
  return last ? `${last.action} by ${last.by}, ${shortTime(last.at)}` : '';
}

/** "2026-11-25 12:03" (UTC): absolute, so a row can be cached; the page script shows it as an age. */
function shortTime(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/**
 * One row as cached bytes: the parts around the claim cell (the only part that changes without the
 * flag changing). Cached by flag id, its events and the options, like the cards.
 */
function rowParts(flag: Flag, selectable: boolean): RowBytes {
  const last = flag.events.length > 0 ? flag.events[flag.events.length - 1]!.id : '';
  const key = `${flag.id}\u0000${flag.events.length}\u0000${last}\u0000${selectable ? 1 : 0}`;
  let parts = ROWS.get(key);
  if (parts === undefined) {
    const v = flag.verdict;
    const m = flag.mention;
    const rules = ruleNames(flag).join(', ');
    const decided = lastDecision(flag);
    const before = html`<li class="row item sev-${v.severity}" data-id="${flag.id}" tabindex="-1">${
      selectable
        ? html`<input type="checkbox" class="sel" name="ids" value="${flag.id}" form="bulk" aria-label="Select">`
        : html`<span></span>`
    }<span class="c-sev">${v.severity}</span><span class="c-score">${v.score.toFixed(2)}</span><span class="c-rules" title="${rules}">${rules}</span><a class="c-author" dir="auto" href="${authorUrl(flag)}">@${shown(m.authorHandle)}</a><time class="c-age" datetime="${m.createdAt}">${shortTime(m.createdAt)}</time><span class="c-campaign">${shown(flag.campaign)}</span><span class="c-state">${flag.state}</span>`;
    const after = html`<span class="c-last" title="${decided}">${decided}</span><a class="details" href="/flag?id=${encodeURIComponent(flag.id)}">open</a></li>`;
    const head = Buffer.from(before.value, 'utf8');
    const tail = Buffer.from(after.value, 'utf8');
    // Most rows are unclaimed: kept whole as well, so the page is one buffer per row.
    parts = { head, tail, unclaimed: Buffer.concat([head, NO_CLAIM, tail]) };
    if (ROWS.size >= MAX_ROWS) ROWS.delete(ROWS.keys().next().value!);
    ROWS.set(key, parts);
  }
  return parts;
}

interface RowBytes {
  head: Buffer;
  tail: Buffer;
  unclaimed: Buffer;
}

const ROWS = new Map<string, RowBytes>();
const MAX_ROWS = 5000;
const NO_CLAIM = Buffer.from('<span class="c-claim"></span>');
const LIST_START = Buffer.from('<ol class="rows" aria-label="Flags, one per line">');
const LIST_END = Buffer.from('</ol>');

function claimCell(claim: Claim, c: RowContext): Buffer {
  const cell =
    claim.by === c.me
      ? html`<span class="c-claim" title="you are reviewing it"><strong>you</strong></span>`
      : html`<span class="c-claim" title="${claim.by} is reviewing it">&#9873; ${claim.by}</span>`;
  return Buffer.from(cell.value, 'utf8');
}

/** The rows as byte parts, for a page written in parts (see sendParts). */
export function compactRowsParts(items: readonly Flag[], c: RowContext): Buffer[] {
  const out: Buffer[] = [LIST_START];
  for (const flag of items) {
    const row = rowParts(flag, c.selectable);
    const claim = c.holder(flag.id);
    if (claim) out.push(row.head, claimCell(claim, c), row.tail);
    else out.push(row.unclaimed);
  }
  out.push(LIST_END);
  return out;
}

export function compactRows(items: readonly Flag[], c: RowContext): Html {
  return raw(Buffer.concat(compactRowsParts(items, c)).toString('utf8'));
}
