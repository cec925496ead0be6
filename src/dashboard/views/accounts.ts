/** Admin pages: moderator accounts, and everyone's own password change. */
import type { Moderator } from '../../store/types.ts';
import type { Role } from '../accounts.ts';
import { html } from '../html.ts';
import { formatTime } from './flag.ts';
import { csrfField, page } from './layout.ts';

export function accountsPage(input: {
  user: { name: string; role: Role };
  csrf: string;
  flash?: string | undefined;
  moderators: Moderator[];
  created?: { name: string; password: string } | undefined;
}): string {
  const rows = input.moderators
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (m) => html`<tr>
<td>${m.name}</td><td>${m.role}</td><td>${m.disabled ? 'disabled' : m.mustChangePassword ? 'must change password' : 'active'}</td><td>${formatTime(m.createdAt)}</td>
<td>${
        m.name === input.user.name
          ? html`<span class="muted">you</span>`
          : html`<form method="post" action="/moderators/${m.disabled ? 'enable' : 'disable'}">${csrfField(input.csrf)}<input type="hidden" name="name" value="${m.name}"><button type="submit">${m.disabled ? 'Enable' : 'Disable'}</button></form>
<form method="post" action="/moderators/reset">${csrfField(input.csrf)}<input type="hidden" name="name" value="${m.name}"><button type="submit">New password</button></form>`
      }</td></tr>`,
    );
  const body = html`<h1>Accounts</h1>
${
  input.created
    ? html`<div class="flash" role="status"><p>One-time password for <strong>${input.created.name}</strong> (shown once; they choose a new one at first login):</p><p class="password" id="otp">${input.created.password}</p></div>`
    : ''
}
<table><tr><th>Name</th><th>Role</th><th>Status</th><th>Created</th><th></th></tr>${rows}</table>
<h2>Add an account</h2>
<form class="filters" method="post" action="/moderators">
${csrfField(input.csrf)}
<label>Name<input name="name" required maxlength="32" pattern="[a-zA-Z0-9][a-zA-Z0-9._\\-]{0,31}"></label>
<label>Role<select name="role"><option value="moderator">moderator: reads and decides</option><option value="viewer">viewer: reads only</option><option value="admin">admin: also manages accounts</option></select></label>
<button type="submit" class="primary">Add</button>
</form>`;
  return page(
    { title: 'Accounts', user: input.user, csrf: input.csrf, nav: 'accounts', flash: input.flash },
    body,
  );
}

export function passwordPage(input: {
  user: { name: string; role: Role };
  csrf: string;
  forced: boolean;
  error?: string | undefined;
}): string {
  const body = html`<form class="login stack" method="post" action="/account/password">
<h1>Choose a new password</h1>
${input.forced ? html`<p>Your password was a one-time password. Choose your own to continue.</p>` : ''}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${csrfField(input.csrf)}
<input type="text" name="username" autocomplete="username" value="${input.user.name}" hidden>
<label>Current password <input name="current" type="password" autocomplete="current-password" required></label>
<label>New password (12 characters or more) <input name="password" type="password" autocomplete="new-password" minlength="12" required></label>
<label>New password again <input name="confirm" type="password" autocomplete="new-password" minlength="12" required></label>
<button class="primary" type="submit">Save</button>
</form>`;
  return page({ title: 'Password', user: input.user, csrf: input.csrf, nav: 'password' }, body);
}
