/**
 * Two dashboard instances on one PostgreSQL database, as behind a load-balancing proxy: a session
 * made on one works on the other (no sticky sessions needed), a logout on one ends it on both,
 * a flash message set by one answer is shown by the other, wrong passwords count across both, and a
 * flag one moderator is reviewing shows as held on the other instance.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LOGIN_COOKIE } from '../src/dashboard/server.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/types.ts';
import { addRoleAccounts, hiddenCsrf, login, PASSWORDS, testDashboard } from './_dashboard.ts';
import { postgresAvailable, testDatabase } from './_postgres.ts';
import { makeFlag } from './_review-fixtures.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function instance(url: string) {
  const store: Store = await openStore(url, { use: 'serve', pruneEveryMs: 0 });
  cleanups.push(() => store.close());
  const app = await testDashboard(store, { loginLimits: { freeFailures: 2 } });
  cleanups.push(() => app.close());
  return { store, app };
}

describe.runIf(postgresAvailable('dashboard instances'))('dashboards on one database', () => {
  it('a session made on one instance works on the other, and a logout on either ends it', async () => {
    const url = await testDatabase();
    const a = await instance(url);
    const b = await instance(url);
    await addRoleAccounts(a.store);

    const session = await login(a.app, 'moderator', PASSWORDS.moderator);
    const onB = await b.app.inject({ method: 'GET', url: '/queue', headers: { cookie: session.cookie } });
    expect(onB.statusCode).toBe(200);
    expect(onB.body).toContain('moderator');
    // The CSRF token belongs to the session, so a form from A posts on B.
    expect(hiddenCsrf(onB.body)).toBe(session.csrf);

    const logout = await b.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: session.cookie },
      payload: { _csrf: session.csrf },
    });
    expect(logout.statusCode).toBe(303);
    const afterA = await a.app.inject({ method: 'GET', url: '/queue', headers: { cookie: session.cookie } });
    expect(afterA.statusCode).toBe(303);
    expect(afterA.headers.location).toMatch(/^\/login/);
  });

  it('a flash message set by an answer on one instance is shown once, by the other', async () => {
    const url = await testDatabase();
    const a = await instance(url);
    const b = await instance(url);
    await addRoleAccounts(a.store);
    const admin = await login(a.app, 'admin', PASSWORDS.admin);
    // Disabling an account answers with a redirect and a flash message for the next page.
    const done = await a.app.inject({
      method: 'POST',
      url: '/moderators/disable',
      headers: { cookie: admin.cookie },
      payload: { _csrf: admin.csrf, name: 'viewer' },
    });
    expect(done.statusCode).toBe(303);
    const next = await b.app.inject({ method: 'GET', url: '/moderators', headers: { cookie: admin.cookie } });
    expect(next.body).toContain('viewer disabled.');
    const again = await a.app.inject({
      method: 'GET',
      url: '/moderators',
      headers: { cookie: admin.cookie },
    });
    expect(again.body).not.toContain('viewer disabled.');
  });

  it('wrong passwords count across instances: moving to the other one does not reset the delay', async () => {
    const url = await testDatabase();
    const a = await instance(url);
    const b = await instance(url);
    await addRoleAccounts(a.store);
    const wrong = async (app: typeof a.app) => {
      const form = await app.inject({ method: 'GET', url: '/login' });
      const cookie = form.cookies.find((c) => c.name === LOGIN_COOKIE)!;
      return app.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie: `${LOGIN_COOKIE}=${cookie.value}` },
        payload: { name: 'admin', password: 'not it', _csrf: hiddenCsrf(form.body) },
      });
    };
    // Two free failures (lowered for the test), one on each instance; the third waits, on either.
    expect((await wrong(a.app)).statusCode).toBe(401);
    expect((await wrong(b.app)).statusCode).toBe(401);
    const third = await wrong(a.app);
    expect(third.statusCode).toBe(429);
    const fourth = await wrong(b.app);
    expect(fourth.statusCode).toBe(429);
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a flag claimed on one instance is held on the other', async () => {
    const url = await testDatabase();
    const a = await instance(url);
    const b = await instance(url);
    await addRoleAccounts(a.store);
    const flag = makeFlag({ n: 1 });
    await a.store.addFlag(flag);
    const moderator = await login(a.app, 'moderator', PASSWORDS.moderator);
    const admin = await login(b.app, 'admin', PASSWORDS.admin);
    const claimed = await a.app.inject({
      method: 'POST',
      url: '/claim',
      headers: { cookie: moderator.cookie },
      payload: { _csrf: moderator.csrf, id: flag.id },
    });
    expect(claimed.statusCode).toBe(303);
    // On the other instance, the admin tries to claim it too and is told who holds it.
    const refused = await b.app.inject({
      method: 'POST',
      url: '/claim',
      headers: { cookie: admin.cookie },
      payload: { _csrf: admin.csrf, id: flag.id },
    });
    expect(refused.statusCode).toBe(303);
    const page = await b.app.inject({
      method: 'GET',
      url: refused.headers.location!,
      headers: { cookie: admin.cookie },
    });
    expect(page.body).toContain('moderator is already reviewing');
  });
});
