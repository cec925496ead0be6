/**
 * One author across campaigns: when the bot first saw them, their flags (any state) and their
 * other mentions, and a form to decide on all their open flags at once.
 */

import type { Flag } from '../../core/review.ts';
import { OUTCOME_LABELS, RESOLVE_OUTCOMES, UNRESOLVED_STATES } from '../../moderation/review.ts';
import type { Role } from '../accounts.ts';
import { html } from '../html.ts';
import { compactRows, type RowContext } from './compact.ts';
import { formatTime, shown } from './flag.ts';
import { csrfField, page } from './layout.ts';

export interface AuthorMention {
  at: string;
  campaign: string;
  url: string;
  flagged: boolean;
  score: number;
}

export function authorPage(input: {
  user: { name: string; role: Role };
  csrf: string;
  flash?: string | undefined;
  platform: string;
  authorId: string;
  handle: string;
  flags: Flag[];
  mentions: AuthorMention[];
  /** How many mentions in all (the list is cut to the latest). */
  mentionCount: number;
  firstSeen?: string | undefined;
  rows: Omit<RowContext, 'selectable'>;
  undo?: { seconds: number } | undefined;
  returnTo: string;
}): string {
  const canDecide = input.user.role !== 'viewer';
  const open = input.flags.filter((f) => (UNRESOLVED_STATES as readonly string[]).includes(f.state));
  const campaigns = [
    ...new Set([...input.flags.map((f) => f.campaign), ...input.mentions.map((m) => m.campaign)]),
  ];
  const bulk =
    canDecide && open.length > 0
      ? html`<form id="bulk" class="bulkbar" method="post" action="/decide-bulk">
${csrfField(input.csrf)}<input type="hidden" name="return" value="${input.returnTo}">
${open.map((f) => html`<input type="hidden" name="ids" value="${f.id}">`)}
<span>All ${open.length} open flag(s) of this author:</span>
<button type="submit" name="action" value="acknowledge">Acknowledge</button>
<button type="submit" name="action" value="escalate">Escalate</button>
<select name="outcome" aria-label="Outcome for resolve"><option value="">Outcome&hellip;</option>${RESOLVE_OUTCOMES.map((o) => html`<option value="${o}">${OUTCOME_LABELS[o]}</option>`)}</select>
<button type="submit" name="action" value="resolve">Resolve</button>
<input name="note" maxlength="2000" placeholder="Note / reason" aria-label="Note for these flags">
<button type="submit" name="action" value="dismiss" class="danger">Dismiss</button>
</form>`
      : '';
  const body = html`<p><a href="/queue">&larr; Review queue</a></p>
<h1 dir="auto">@${shown(input.handle)}</h1>
<table class="facts">
<tr><th>Platform / id</th><td>${input.platform} &middot; ${shown(input.authorId)}</td></tr>
<tr><th>First seen</th><td id="first-seen">${input.firstSeen ? formatTime(input.firstSeen) : 'not in the activity log'}</td></tr>
<tr><th>Flags</th><td>${input.flags.length} (${open.length} open)</td></tr>
<tr><th>Mentions seen</th><td>${input.mentionCount}</td></tr>
<tr><th>Campaigns</th><td>${shown(campaigns.join(', '))}</td></tr>
</table>
${bulk}
<h2>Flags</h2>
${input.flags.length ? compactRows(input.flags, { ...input.rows, selectable: false }) : html`<p class="muted">No flags.</p>`}
<h2>Mentions (latest ${input.mentions.length})</h2>
${
  input.mentions.length
    ? html`<table class="mentions"><tr><th>Seen</th><th>Campaign</th><th>Score</th><th>Post</th></tr>${input.mentions.map(
        (m) =>
          html`<tr><td>${formatTime(m.at)}</td><td>${shown(m.campaign)}</td><td>${m.score.toFixed(2)}${m.flagged ? ' (flagged)' : ''}</td><td>${shown(m.url)}</td></tr>`,
      )}</table>`
    : html`<p class="muted">No mentions in the activity log (unflagged mentions are kept a few days).</p>`
}`;
  return page(
    {
      title: 'Author',
      user: input.user,
      csrf: input.csrf,
      nav: 'queue',
      flash: input.flash,
      keyboard: true,
      undo: input.undo ? { seconds: input.undo.seconds, returnTo: input.returnTo } : undefined,
    },
    body,
  );
}
