/** Helpers for dashboard tests: an app on a store with one account per role, and logging in by inject. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../src/dashboard/passwords.ts';
import { buildDashboard, type DashboardDeps, LOGIN_COOKIE, SESSION_COOKIE } from '../src/dashboard/server.ts';
import { silentLogger } from '../src/logger.ts';
import { openStore, type Store } from '../src/store/index.ts';
import type { Moderator } from '../src/store/types.ts';

export const PASSWORDS = {
  admin: 'admin passphrase one',
  moderator: 'moderator passphrase two',
  viewer: 'viewer passphrase three',
} as const;

let hashed: Moderator[] | undefined;

/** Accounts "admin", "moderator" and "viewer" (hashed once per test file: scrypt is slow on purpose). */
export async function addRoleAccounts(store: Store): Promise<void> {
  if (!hashed) {
    const made: Moderator[] = [];
    for (const role of ['admin', 'moderator', 'viewer'] as const) {
      made.push({
        name: role,
        role,
        passwordHash: await hashPassword(PASSWORDS[role]),
        createdAt: '2026-11-25T10:00:00.000Z',
      });
    }
    hashed = made;
  }
  for (const moderator of hashed) await store.putModerator({ ...moderator });
}

/** The real file store in `dir`, held as a running bot holds it (fsync off: these tests are not about crashes). */
export function openBotStore(dir: string): Promise<Store> {
  return openStore({ backend: 'file', dir }, { use: 'bot', fsync: false, pruneEveryMs: 0 });
}

/** The real file store in a temp folder, held as a running bot holds it. */
export async function tempStore(): Promise<{ store: Store; dir: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'solidarity-review-'));
  const store = await openBotStore(dir);
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const LOCAL_ENV: DashboardDeps['env'] = {
  DASHBOARD_HOST: '127.0.0.1',
  DASHBOARD_PORT: 0,
  DASHBOARD_SECURE_COOKIE: 'auto',
};

export async function testDashboard(
  store: Store,
  extra: Partial<DashboardDeps> = {},
): Promise<FastifyInstance> {
  return buildDashboard({ store, logger: silentLogger(), env: LOCAL_ENV, ...extra });
}

export function hiddenCsrf(html: string): string {
  const match = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!match) throw new Error('no CSRF field on the page');
  return match[1]!;
}

export interface LoggedIn {
  cookie: string;
  csrf: string;
}

/** Logs in through the login form and returns the session cookie header and the page's CSRF token. */
export async function login(app: FastifyInstance, name: string, password: string): Promise<LoggedIn> {
  const form = await app.inject({ method: 'GET', url: '/login' });
  const loginCookie = form.cookies.find((c) => c.name === LOGIN_COOKIE)!;
  const res = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: `${LOGIN_COOKIE}=${loginCookie.value}` },
    payload: { name, password, _csrf: hiddenCsrf(form.body) },
  });
  const session = res.cookies.find((c) => c.name === SESSION_COOKIE);
  if (res.statusCode !== 303 || !session) throw new Error(`login failed: ${res.statusCode}`);
  const cookie = `${SESSION_COOKIE}=${session.value}`;
  // A one-time password sends the user to the password page first; it carries the token too.
  const next = res.headers.location === '/account/password' ? '/account/password' : '/queue';
  const landing = await app.inject({ method: 'GET', url: next, headers: { cookie } });
  return { cookie, csrf: hiddenCsrf(landing.body) };
}
