/** The page frame: head, navigation, keyboard help, flash message. */
import type { Role } from '../accounts.ts';
import { type Html, html } from '../html.ts';

export interface PageFrame {
  title: string;
  user?: { name: string; role: Role } | undefined;
  csrf?: string | undefined;
  nav?: 'queue' | 'overview' | 'accounts' | 'password' | undefined;
  flash?: string | undefined;
  /** Keyboard help and the resolve prompt (queue and item pages). */
  keyboard?: boolean;
  /** Offer to undo the last decisions for `seconds` more, then come back to `returnTo`. */
  undo?: { seconds: number; returnTo: string } | undefined;
}

function undoForm(frame: PageFrame): Html | string {
  const undo = frame.undo;
  if (!undo) return '';
  return html`<form id="undo" class="undo" method="post" action="/undo" data-seconds="${undo.seconds}">${csrfField(frame.csrf)}<input type="hidden" name="return" value="${undo.returnTo}"><button type="submit">Undo</button> <span class="muted"><kbd>u</kbd> &middot; <span class="undo-left">${undo.seconds}</span> s left</span></form>`;
}

export function csrfField(token: string | undefined): Html {
  return html`<input type="hidden" name="_csrf" value="${token ?? ''}">`;
}

const HELP = html`<div id="help" role="dialog" aria-labelledby="help-title" hidden>
<h2 id="help-title">Keyboard shortcuts</h2>
<table class="keys">
<tr><td><kbd>j</kbd> / <kbd>k</kbd></td><td>next / previous item</td></tr>
<tr><td><kbd>v</kbd></td><td>reveal or hide the text</td></tr>
<tr><td><kbd>x</kbd></td><td>select the item (for bulk decisions)</td></tr>
<tr><td><kbd>a</kbd></td><td>acknowledge (I am looking at it)</td></tr>
<tr><td><kbd>e</kbd></td><td>escalate</td></tr>
<tr><td><kbd>r</kbd> then <kbd>1</kbd>/<kbd>2</kbd>/<kbd>3</kbd></td><td>resolve: reported to police / to platform / no action</td></tr>
<tr><td><kbd>d</kbd></td><td>dismiss (false positive)</td></tr>
<tr><td><kbd>o</kbd></td><td>open the item</td></tr>
<tr><td><kbd>u</kbd></td><td>undo the last decision (for 30 seconds)</td></tr>
<tr><td><kbd>c</kbd></td><td>claim the item (others see you are reviewing it)</td></tr>
<tr><td><kbd>t</kbd></td><td>take the next unclaimed item</td></tr>
<tr><td><kbd>n</kbd></td><td>item page: jump to the note field</td></tr>
<tr><td><kbd>]</kbd> / <kbd>[</kbd></td><td>item page: next / previous item in the queue</td></tr>
<tr><td><kbd>?</kbd></td><td>this help; <kbd>Esc</kbd> closes it</td></tr>
</table>
<p class="muted">With items selected, <kbd>a</kbd> <kbd>e</kbd> <kbd>r</kbd> <kbd>d</kbd> decide for the whole selection.</p>
<button type="button" data-help>Close</button>
</div>
<div id="keyprompt" role="status" hidden></div>`;

function navLink(href: string, label: string, current: boolean): Html {
  return current
    ? html`<a href="${href}" aria-current="page">${label}</a>`
    : html`<a href="${href}">${label}</a>`;
}

export function page(frame: PageFrame, body: Html): string {
  const u = frame.user;
  const header = u
    ? html`<header class="top">
${navLink('/queue', 'Review queue', frame.nav === 'queue')}
${navLink('/overview', 'Overview', frame.nav === 'overview')}
${u.role === 'admin' ? navLink('/moderators', 'Accounts', frame.nav === 'accounts') : ''}
<span class="who">${u.name} (${u.role}) &middot; <a href="/account/password">password</a></span>
${frame.keyboard ? html`<button type="button" data-help title="Keyboard shortcuts (?)">?</button>` : ''}
<form method="post" action="/logout">${csrfField(frame.csrf)}<button type="submit" id="logout">Log out</button></form>
</header>`
    : html`<header class="top"><span>solidarity-bot review</span></header>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${frame.title} &middot; solidarity review</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body>
${header}
<main id="main">
${frame.flash ? html`<p class="flash" role="status">${frame.flash}</p>` : ''}
${undoForm(frame)}
${body}
</main>
${frame.keyboard ? HELP : ''}
</body>
</html>
`.value;
}
