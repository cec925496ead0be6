import { type Html, html } from '../html.ts';
import { csrfField, page } from './layout.ts';

export function loginPage(options: {
  csrf: string;
  error?: string | undefined;
  name?: string;
  next?: string;
}): string {
  const body: Html = html`<form class="login" method="post" action="/login">
<h1>Log in</h1>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
${csrfField(options.csrf)}
<input type="hidden" name="next" value="${options.next ?? ''}">
<label>Name <input name="name" autocomplete="username" required autofocus value="${options.name ?? ''}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button class="primary" type="submit">Log in</button>
<p class="muted">Accounts are made by an admin: <code>solidarity moderator add NAME --role moderator</code>.</p>
</form>`;
  return page({ title: 'Log in' }, body);
}
