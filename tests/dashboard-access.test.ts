/**
 * Dashboard access and page safety through Fastify's inject: login required everywhere, roles,
 * CSRF, login rate limit, cookie flags, headers, errors without internals.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addModerator, resetPassword } from '../src/dashboard/accounts.ts';
import { dashboardRoutes, LOGIN_COOKIE, SESSION_COOKIE } from '../src/dashboard/server.ts';
import type { Store } from '../src/store/index.ts';
import {
  addRoleAccounts,
  hiddenCsrf,
  type LoggedIn,
  login,
  PASSWORDS,
  tempStore,
  testDashboard,
} from './_dashboard.ts';
import { captureLog } from './_log.ts';
import { makeFlag } from './_review-fixtures.ts';

let store: Store;
let cleanup: () => Promise<void>;
let app: FastifyInstance;
let clock: number;

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
  await addRoleAccounts(store);
  for (let n = 0; n < 5; n++) await store.addFlag(makeFlag({ n }));
  clock = Date.parse('2026-11-25T21:00:00.000Z');
  app = await testDashboard(store, { now: () => clock });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await cleanup();
});

const PUBLIC = new Set([
  'GET /login',
  'POST /login',
  'GET /healthz',
  'GET /favicon.ico',
  'GET /assets/:file',
]);

/** GETs a page as `who`. */
function get(who: LoggedIn, url: string) {
  return app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
}

/** POSTs a form as `who`; `csrf` null sends no token at all. */
function post(
  who: LoggedIn | undefined,
  url: string,
  payload: Record<string, string | string[]>,
  csrf: string | null | undefined = who?.csrf,
) {
  return app.inject({
    method: 'POST',
    url,
    headers: who ? { cookie: who.cookie } : {},
    payload: csrf === null || csrf === undefined ? payload : { _csrf: csrf, ...payload },
  });
}

const flagId = () => makeFlag({ n: 1 }).id;

describe('every route needs a login', () => {
  it('only /login, /healthz, /favicon.ico and /assets are public', () => {
    const routes = dashboardRoutes(app);
    expect(routes.length).toBeGreaterThan(15);
    const publicOnes = routes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`);
    expect(new Set(publicOnes)).toEqual(PUBLIC);
  });

  it('without a session, pages redirect to login and actions are refused', async () => {
    for (const route of dashboardRoutes(app).filter((r) => !r.public)) {
      const url = route.url.replace(':file', 'x');
      const res = await app.inject({
        method: route.method as 'GET',
        url,
        payload: route.method === 'POST' ? {} : undefined,
      });
      if (route.method === 'GET') {
        expect(res.statusCode, url).toBe(303);
        expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
      } else {
        expect(res.statusCode, url).toBe(401);
      }
    }
    expect((await store.getFlag(flagId()))!.events).toEqual([]);
  });

  it('a made-up session cookie is no session', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/queue',
      headers: { cookie: `${SESSION_COOKIE}=forged` },
    });
    expect(res.statusCode).toBe(303);
  });

  it('unknown paths are 404 for a signed-in user and reveal nothing to others', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    const res = await get(mod, '/nope');
    expect(res.statusCode).toBe(404);
    const anon = await app.inject({ method: 'GET', url: '/nope' });
    expect(anon.statusCode).toBe(401);
  });
});

describe('roles', () => {
  it('viewers read the queue but have no decision forms and cannot decide or export', async () => {
    const viewer = await login(app, 'viewer', PASSWORDS.viewer);
    const page = await get(viewer, '/queue');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(flagId());
    expect(page.body).not.toContain('action="/decide"');
    const decide = await post(viewer, '/decide', { id: flagId(), action: 'dismiss' });
    expect(decide.statusCode).toBe(403);
    const bulk = await post(viewer, '/decide-bulk', { ids: [flagId()], action: 'dismiss' });
    expect(bulk.statusCode).toBe(403);
    const exp = await post(viewer, '/evidence', { ids: [flagId()], format: 'json' });
    expect(exp.statusCode).toBe(403);
    expect((await store.getFlag(flagId()))!.events).toEqual([]);
  });

  it('moderators decide; the event records who and when; the state is derived', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    // The card is rendered (and cached) before the decision and must show the new state after it.
    const card = (body: string) => body.slice(body.indexOf(`data-id="${flagId()}"`)).split('</li>')[0]!;
    const before = await get(mod, '/queue?state=all');
    expect(card(before.body)).toContain('<span class="state">open</span>');
    const res = await post(mod, '/decide', {
      id: flagId(),
      action: 'resolve',
      outcome: 'reported-to-police',
      note: 'crime ref 123',
      return: '/queue',
    });
    expect(res.statusCode).toBe(303);
    const flag = (await store.getFlag(flagId()))!;
    expect(flag.state).toBe('resolved');
    const after = await get(mod, '/queue?state=all');
    expect(card(after.body)).toContain('<span class="state">resolved</span>');
    expect(flag.events[0]).toMatchObject({
      action: 'resolve',
      by: 'moderator',
      outcome: 'reported-to-police',
      note: 'crime ref 123',
      at: '2026-11-25T21:00:00.000Z',
    });
  });

  it('a decision not allowed in the state is refused with a message, not recorded', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    await post(mod, '/decide', { id: flagId(), action: 'dismiss' });
    await post(mod, '/decide', { id: flagId(), action: 'escalate' });
    expect((await store.getFlag(flagId()))!.events.map((e) => e.action)).toEqual(['dismiss']);
    const page = await get(mod, '/queue');
    expect(page.body).toContain('Not recorded');
  });

  it('bulk decisions apply where allowed and say how many were skipped', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    const ids = [0, 1, 2].map((n) => makeFlag({ n }).id);
    await post(mod, '/decide', { id: ids[0]!, action: 'resolve', outcome: 'no-action' });
    const res = await post(mod, '/decide-bulk', { ids, action: 'dismiss', note: 'quotes condemning it' });
    expect(res.statusCode).toBe(303);
    expect(await Promise.all(ids.map(async (id) => (await store.getFlag(id))!.state))).toEqual([
      'resolved',
      'dismissed',
      'dismissed',
    ]);
    const page = await get(mod, '/queue?state=all');
    expect(page.body).toContain('dismiss: 2 flag(s) recorded; 1 skipped');
  });

  it('only admins reach accounts', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    expect((await get(mod, '/moderators')).statusCode).toBe(403);
    expect((await post(mod, '/moderators', { name: 'eve', role: 'admin' })).statusCode).toBe(403);
    expect(await store.getModerator('eve')).toBeUndefined();
    const admin = await login(app, 'admin', PASSWORDS.admin);
    const added = await post(admin, '/moderators', { name: 'Robin', role: 'viewer' });
    expect(added.statusCode).toBe(200);
    const otp = /id="otp">([^<]+)</.exec(added.body)![1]!;
    expect(otp).toHaveLength(20);
    expect(await store.getModerator('robin')).toMatchObject({ role: 'viewer', mustChangePassword: true });
  });

  it('a one-time password must be changed before anything else', async () => {
    const { oneTimePassword } = await addModerator(store, {
      name: 'kim',
      role: 'moderator',
      now: '2026-11-25T10:00:00.000Z',
    });
    const kim = await login(app, 'kim', oneTimePassword!);
    const queue = await get(kim, '/queue');
    expect(queue.headers.location).toBe('/account/password');
    expect((await post(kim, '/decide', { id: flagId(), action: 'dismiss' })).statusCode).toBe(403);
    const changed = await post(kim, '/account/password', {
      current: oneTimePassword!,
      password: 'a new long passphrase',
      confirm: 'a new long passphrase',
    });
    expect(changed.headers.location).toBe('/queue');
    expect((await get(kim, '/queue')).statusCode).toBe(200);
    expect((await store.getModerator('kim'))!.mustChangePassword).toBeUndefined();
  });

  it('a new password (set by its owner, or reset from the command line) ends other sessions', async () => {
    const first = await login(app, 'viewer', PASSWORDS.viewer);
    const second = await login(app, 'viewer', PASSWORDS.viewer);
    const changed = await post(second, '/account/password', {
      current: PASSWORDS.viewer,
      password: 'another long passphrase',
      confirm: 'another long passphrase',
    });
    expect(changed.headers.location).toBe('/queue');
    expect((await get(first, '/queue')).statusCode).toBe(303);
    expect((await get(second, '/queue')).statusCode).toBe(200);
    await resetPassword(store, 'viewer', '2026-11-25T21:00:00.000Z');
    expect((await get(second, '/queue')).statusCode).toBe(303);
  });

  it('disabling an account ends its sessions', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    const admin = await login(app, 'admin', PASSWORDS.admin);
    await post(admin, '/moderators/disable', { name: 'moderator' });
    expect((await store.getModerator('moderator'))!.disabled).toBe(true);
    expect((await get(mod, '/queue')).statusCode).toBe(303);
    await expect(login(app, 'moderator', PASSWORDS.moderator)).rejects.toThrow(/login failed: 401/);
  });
});

describe('CSRF', () => {
  it('state-changing requests without the session token fail', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    const other = await login(app, 'admin', PASSWORDS.admin);
    const attempts = [
      await post(mod, '/decide', { id: flagId(), action: 'dismiss' }, null),
      await post(mod, '/decide', { id: flagId(), action: 'dismiss' }, ''),
      await post(mod, '/decide', { id: flagId(), action: 'dismiss' }, 'x'.repeat(32)),
      await post(mod, '/decide', { id: flagId(), action: 'dismiss' }, other.csrf),
      await post(mod, '/decide-bulk', { ids: [flagId()], action: 'dismiss' }, null),
      await post(mod, '/evidence', { ids: [flagId()], format: 'csv' }, null),
      await post(mod, '/logout', {}, null),
    ];
    expect(attempts.map((r) => r.statusCode)).toEqual([403, 403, 403, 403, 403, 403, 403]);
    expect((await store.getFlag(flagId()))!.events).toEqual([]);
    expect((await post(mod, '/decide', { id: flagId(), action: 'dismiss' })).statusCode).toBe(303);
    expect((await store.getFlag(flagId()))!.state).toBe('dismissed');
  });

  it('the token may come in the x-csrf-token header', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    const res = await app.inject({
      method: 'POST',
      url: '/decide',
      headers: { cookie: mod.cookie, 'x-csrf-token': mod.csrf },
      payload: { id: flagId(), action: 'acknowledge' },
    });
    expect(res.statusCode).toBe(303);
    expect((await store.getFlag(flagId()))!.state).toBe('acknowledged');
  });

  it('the login form needs its own token (double-submit cookie)', async () => {
    const form = await app.inject({ method: 'GET', url: '/login' });
    const token = hiddenCsrf(form.body);
    const noCookie = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { name: 'admin', password: PASSWORDS.admin, _csrf: token },
    });
    expect(noCookie.statusCode).toBe(403);
    expect(noCookie.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
  });
});

describe('login', () => {
  async function attempt(name: string, password: string, remoteAddress = '127.0.0.1') {
    const form = await app.inject({ method: 'GET', url: '/login', remoteAddress });
    const cookie = form.cookies.find((c) => c.name === LOGIN_COOKIE)!;
    return app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress,
      headers: { cookie: `${LOGIN_COOKIE}=${cookie.value}` },
      payload: { name, password, _csrf: hiddenCsrf(form.body) },
    });
  }

  it('wrong passwords slow down that address for that account, never the owner elsewhere', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await attempt('moderator', `wrong guess ${i}`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await attempt('moderator', PASSWORDS.moderator);
    expect(right.statusCode).toBe(429);
    expect(Number(right.headers['retry-after'])).toBe(1);
    // The owner from another address gets in at once: no lock-out.
    expect((await attempt('moderator', PASSWORDS.moderator, '198.51.100.20')).statusCode).toBe(303);
    clock += 1000;
    expect((await attempt('moderator', PASSWORDS.moderator)).statusCode).toBe(303);
  });

  it('the delay grows with each further wrong password from the same address', async () => {
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await attempt('viewer', `wrong guess ${i}`);
      if (res.statusCode === 429) {
        waits.push(Number(res.headers['retry-after']));
        clock += Number(res.headers['retry-after']) * 1000;
        expect((await attempt('viewer', `wrong again ${i}`)).statusCode).toBe(401);
      }
    }
    expect(waits).toEqual([1, 2, 4, 8]);
  });

  it('past the global cap, only a browser that logged in to the account before still gets in', async () => {
    const capped = await testDashboard(store, { now: () => clock, loginLimits: { globalMaxFailures: 3 } });
    const tryLogin = async (password: string, remoteAddress: string, device?: string) => {
      const form = await capped.inject({ method: 'GET', url: '/login', remoteAddress });
      const cookie = form.cookies.find((c) => c.name === LOGIN_COOKIE)!;
      return capped.inject({
        method: 'POST',
        url: '/login',
        remoteAddress,
        headers: { cookie: `${LOGIN_COOKIE}=${cookie.value}${device ? `; ${device}` : ''}` },
        payload: { name: 'moderator', password, _csrf: hiddenCsrf(form.body) },
      });
    };
    const first = await tryLogin(PASSWORDS.moderator, '198.51.100.1');
    const device = first.cookies.find((c) => c.name === 'sb_device')!;
    expect(device.httpOnly).toBe(true);
    for (let i = 0; i < 3; i++) expect((await tryLogin('wrong', `203.0.113.${i}`)).statusCode).toBe(401);
    expect((await tryLogin(PASSWORDS.moderator, '198.51.100.2')).statusCode).toBe(429);
    const known = await tryLogin(PASSWORDS.moderator, '198.51.100.2', `sb_device=${device.value}`);
    expect(known.statusCode).toBe(303);
    await capped.close();
  });

  it('an unknown name and a wrong password get the same answer', async () => {
    const a = await attempt('nobody', 'whatever password');
    const b = await attempt('viewer', 'whatever password');
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.body.replace(/value="[^"]*"/g, '')).toBe(b.body.replace(/value="[^"]*"/g, ''));
  });

  it('the session cookie is HttpOnly, SameSite=Strict, path /, and not Secure over plain HTTP', async () => {
    const res = await attempt('viewer', PASSWORDS.viewer);
    const header = [res.headers['set-cookie']].flat().find((h) => h?.startsWith(`${SESSION_COOKIE}=`))!;
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Strict/);
    expect(header).toMatch(/; Path=\//);
    expect(header).not.toMatch(/; Secure/);
  });

  it('DASHBOARD_SECURE_COOKIE=true marks cookies Secure and sends HSTS', async () => {
    const secureApp = await testDashboard(store, {
      env: { DASHBOARD_HOST: '127.0.0.1', DASHBOARD_PORT: 0, DASHBOARD_SECURE_COOKIE: 'true' },
    });
    const form = await secureApp.inject({ method: 'GET', url: '/login' });
    expect([form.headers['set-cookie']].flat().join('\n')).toMatch(/; Secure/);
    expect(form.headers['strict-transport-security']).toBe('max-age=31536000');
    await secureApp.close();
  });

  it('X-Forwarded-* headers count only from trusted proxies, and only the address the proxy saw', async () => {
    const log = captureLog();
    const fail = async (target: FastifyInstance, xff: string, name: string) => {
      const form = await target.inject({ method: 'GET', url: '/login' });
      const cookie = form.cookies.find((c) => c.name === LOGIN_COOKIE)!;
      return target.inject({
        method: 'POST',
        url: '/login',
        headers: {
          cookie: `${LOGIN_COOKIE}=${cookie.value}`,
          'x-forwarded-for': xff,
          'x-forwarded-proto': 'https',
        },
        payload: { name, password: 'wrong password', _csrf: hiddenCsrf(form.body) },
      });
    };
    // Not trusted: a spoofed address does not escape the limit on the real one.
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await fail(app, `203.0.113.${i}`, 'moderator')).statusCode);
    expect(codes.at(-1)).toBe(429);

    for (const setting of ['true', '1', '127.0.0.1'] as const) {
      log.lines.length = 0;
      const proxied = await testDashboard(store, {
        now: () => clock,
        logger: log.logger,
        env: {
          DASHBOARD_HOST: '127.0.0.1',
          DASHBOARD_PORT: 0,
          DASHBOARD_SECURE_COOKIE: 'auto',
          DASHBOARD_TRUST_PROXY: setting,
        },
      });
      // The client forges a new leftmost address each time; the proxy appends the one it saw.
      const forged: number[] = [];
      for (let i = 0; i < 12; i++)
        forged.push((await fail(proxied, `10.66.${i}.1, 203.0.113.50`, 'viewer')).statusCode);
      expect(forged.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(forged.slice(5).every((c) => c === 429)).toBe(true);
      const ips = new Set(log.lines.filter((l) => l['msg'] === 'login failed').map((l) => l['ip']));
      expect([...ips]).toEqual(['203.0.113.50']);
      // One client's wrong passwords do not slow another client behind the same proxy.
      expect((await fail(proxied, '203.0.113.8', 'viewer')).statusCode).toBe(401);
      // HTTPS at the proxy makes cookies Secure.
      const form = await proxied.inject({
        method: 'GET',
        url: '/login',
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect([form.headers['set-cookie']].flat().join('\n')).toMatch(/; Secure/);
      await proxied.close();
    }
  });

  it('next= only goes to a local path', async () => {
    const form = await app.inject({ method: 'GET', url: '/login' });
    const cookie = form.cookies.find((c) => c.name === LOGIN_COOKIE)!;
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await app.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie: `${LOGIN_COOKIE}=${cookie.value}` },
        payload: { name: 'viewer', password: PASSWORDS.viewer, _csrf: hiddenCsrf(form.body), next },
      });
      expect(res.headers.location).toBe('/queue');
    }
  });

  it('logout ends the session', async () => {
    const v = await login(app, 'viewer', PASSWORDS.viewer);
    expect((await post(v, '/logout', {})).headers.location).toBe('/login');
    expect((await get(v, '/queue')).statusCode).toBe(303);
  });
});

describe('headers and errors', () => {
  it('pages carry a strict CSP and security headers, and no inline script, style or handlers', async () => {
    const admin = await login(app, 'admin', PASSWORDS.admin);
    for (const url of [
      '/login',
      '/queue',
      `/flag?id=${encodeURIComponent(flagId())}`,
      '/overview',
      '/moderators',
      '/account/password',
    ]) {
      const res = await app.inject({
        method: 'GET',
        url,
        headers: url === '/login' ? {} : { cookie: admin.cookie },
      });
      expect(res.statusCode, url).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).not.toMatch(/<script(?![^>]*\bsrc="\/assets\/dashboard\.js")/);
      expect(res.body).not.toMatch(/\sstyle=/);
      expect(res.body).not.toMatch(/\son[a-z]+=/i);
    }
  });

  it('a failure inside shows an error id, never the message or a stack trace', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    store.queuePage = () => {
      throw new Error('secret detail /srv/data/db.json');
    };
    const res = await get(mod, '/queue');
    expect(res.statusCode).toBe(500);
    expect(res.body).toMatch(/error [0-9a-f]{12}/);
    expect(res.body).not.toContain('secret detail');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a malformed body is refused without internals', async () => {
    const mod = await login(app, 'moderator', PASSWORDS.moderator);
    const res = await app.inject({
      method: 'POST',
      url: '/decide',
      headers: { cookie: mod.cookie, 'content-type': 'application/json' },
      payload: '{"broken":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toMatch(/SyntaxError|Unexpected|at .*\.js/);
  });
});
