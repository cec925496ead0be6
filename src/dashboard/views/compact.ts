/**
 * The compact queue: one line per flag (severity, score, rules, author, age, campaign, state, who
 * holds it, who decided last), so 25 and more fit on a laptop screen. The card view stays as the
 * detail view; a row's "open" link leads to the flag's page.
 */
import { effectiveEvents } from '../../moderation/review.ts';
import type { Flag } from '../../moderation/types.ts';
import type { Claim } from '../claims.ts';
import { type Html, html } from '../html.ts';
import { shown } from './flag.ts';

export interface RowContext {
  now: number;
  /** The live claim on a flag, if any. */
  holder: (flagId: string) => Claim | undefined;
  me: string;
  selectable: boolean;
}

/** "4 min", "3 h", "2 d": how long ago, for a glance. */
export function age(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
}

/** The rules of a flag, each once; the model's word features count as one "model" rule. */
export function ruleNames(flag: Flag): string[] {
  return [...new Set(flag.verdict.reasons.map((r) => (r.rule === 'model.feature' ? 'model' : r.rule)))];
}

export function authorUrl(flag: Flag): string {
  const m = flag.mention;
  return `/author?platform=${encodeURIComponent(m.platform)}&id=${encodeURIComponent(m.authorId)}`;
}

/** "escalate by alice, 5 min ago" for the last decision that counts, or "" when none. */
export function lastDecision(flag: Flag, now: number): string {
  const events = effectiveEvents(flag.events);
  const last = events[events.length - 1];
  return last ? `${last.action} by ${last.by}, ${age(now - Date.parse(last.at))} ago` : '';
}

function row(flag: Flag, c: RowContext): Html {
  const v = flag.verdict;
  const m = flag.mention;
  const claim = c.holder(flag.id);
  const rules = ruleNames(flag).join(', ');
  const last = lastDecision(flag, c.now);
  return html`<li class="row item sev-${v.severity}" data-id="${flag.id}" tabindex="-1">${
    c.selectable
      ? html`<input type="checkbox" class="sel" name="ids" value="${flag.id}" form="bulk" aria-label="Select">`
      : html`<span></span>`
  }<span class="c-sev">${v.severity}</span><span class="c-score">${v.score.toFixed(2)}</span><span class="c-rules" title="${rules}">${rules}</span><a class="c-author" dir="auto" href="${authorUrl(flag)}" title="other flags and mentions of this author">@${shown(m.authorHandle)}</a><time class="c-age" datetime="${m.createdAt}" title="${m.createdAt}">${age(c.now - Date.parse(m.createdAt))}</time><span class="c-campaign">${shown(flag.campaign)}</span><span class="c-state">${flag.state}</span><span class="c-claim">${
    claim ? (claim.by === c.me ? html`<strong>you</strong>` : html`&#9873; ${claim.by}`) : ''
  }</span><span class="c-last" title="${last}">${last}</span><a class="details" href="/flag?id=${encodeURIComponent(flag.id)}">open</a></li>`;
}

export function compactRows(items: readonly Flag[], c: RowContext): Html {
  return html`<ol class="rows" aria-label="Flags, one per line">${items.map((f) => row(f, c))}</ol>`;
}
