import type { Role } from '../accounts.ts';
import { html } from '../html.ts';
import { page } from './layout.ts';

/** A plain error page: what happened and what to do, never a stack trace. */
export function errorPage(
  status: number,
  title: string,
  message: string,
  user?: { name: string; role: Role },
  csrf?: string,
): string {
  return page(
    { title, user, csrf },
    html`<h1>${title}</h1><p class="error" role="alert">${message}</p><p><a href="/queue">Back to the review queue</a></p><p class="muted">HTTP ${status}</p>`,
  );
}
