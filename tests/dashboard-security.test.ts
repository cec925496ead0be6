/**
 * Dashboard fixes found by trying it as an attacker and as a moderator: asset lookups by
 * prototype names, account names in another case, over-long notes, weak passwords, and a note
 * about plain HTTP on every interface.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainHttpWarning } from '../src/dashboard/server.ts';
import type { Store } from '../src/store/index.ts';
import { addRoleAccounts, type LoggedIn, login, PASSWORDS, tempStore, testDashboard } from './_dashboard.ts';
import { captureLog } from './_log.ts';
import { makeFlag } from './_review-fixtures.ts';

let store: Store;
let cleanup: () => Promise<void>;
let app: FastifyInstance;
const log = captureLog();

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
  await addRoleAccounts(store);
  for (let n = 0; n < 3; n++) await store.addFlag(makeFlag({ n }));
  log.lines.length = 0;
  app = await testDashboard(store, { logger: log.logger });
});

afterEach(async () => {
  await app.close();
  await cleanup();
});

function post(who: LoggedIn, url: string, payload: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie },
    payload: { _csrf: who.csrf, ...payload },
  });
}

async function flash(who: LoggedIn, url: string): Promise<string> {
  const page = await app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
  return /<p class="flash" role="status">([^<]*)<\/p>/.exec(page.body)?.[1] ?? '';
}

describe('dashboard security', () => {
  it('assets are looked up by own names only: prototype names are 404 and log nothing', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const res = await app.inject({ method: 'GET', url: `/assets/${name}` });
      expect(res.statusCode, name).toBe(404);
    }
    expect(log.lines.filter((l) => Number(l['level']) >= 50)).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/assets/dashboard.css' })).statusCode).toBe(200);
  });

  it('an admin cannot disable or reset their own account by writing the name in another case', async () => {
    const admin = await login(app, 'admin', PASSWORDS.admin);
    for (const action of ['disable', 'reset']) {
      const res = await post(admin, `/moderators/${action}`, { name: ' ADMIN ' });
      expect(res.statusCode).toBe(303);
      expect(await flash(admin, '/moderators')).toContain('Change your own account from the password page');
    }
    expect((await store.getModerator('admin'))?.disabled).toBeUndefined();
    expect((await store.getModerator('admin'))?.mustChangePassword).toBeUndefined();
    // Another account in another case is found, and its sessions end.
    const viewer = await login(app, 'viewer', PASSWORDS.viewer);
    await post(admin, '/moderators/disable', { name: 'VIEWER' });
    expect((await store.getModerator('viewer'))?.disabled).toBe(true);
    const after = await app.inject({ method: 'GET', url: '/queue', headers: { cookie: viewer.cookie } });
    expect(after.statusCode).toBe(303);
  });

  it('a note over 2,000 characters says so, and nothing is recorded', async () => {
    const moderator = await login(app, 'moderator', PASSWORDS.moderator);
    const id = makeFlag({ n: 1 }).id;
    const res = await post(moderator, '/decide', {
      id,
      action: 'acknowledge',
      note: 'x'.repeat(2500),
      return: '/queue',
    });
    expect(res.statusCode).toBe(303);
    const message = await flash(moderator, '/queue');
    expect(message).toContain('the note is 2500 characters; the limit is 2000');
    expect(message).not.toContain('pick an action');
    expect((await store.getFlag(id))?.events).toEqual([]);
  });

  it('zero-width characters in a handle and an id show as labels on the page', async () => {
    const flag = makeFlag({ n: 50, handle: 'mod\u200Berator.example' });
    flag.mention.authorId = 'did:plc:a\u2060b';
    await store.addFlag(flag);
    const viewer = await login(app, 'viewer', PASSWORDS.viewer);
    const page = await app.inject({
      method: 'GET',
      url: `/flag?id=${encodeURIComponent(flag.id)}`,
      headers: { cookie: viewer.cookie },
    });
    expect(page.body).toContain('mod<span class="ctl">U+200B</span>erator.example');
    expect(page.body).toContain('did:plc:a<span class="ctl">U+2060</span>b');
    expect(page.body).not.toMatch(/[\u200B\u2060]/);
  });

  it('a weak new password is refused with a clear message', async () => {
    const moderator = await login(app, 'moderator', PASSWORDS.moderator);
    const res = await post(moderator, '/account/password', {
      current: PASSWORDS.moderator,
      password: 'moderatormoderator',
      confirm: 'moderatormoderator',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The password is mostly the account name.');
  });
});

describe('listening beyond this machine', () => {
  it('plain HTTP on every interface or a LAN address gets a warning naming the fix; loopback none', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', '[::]']) {
      const warning = plainHttpWarning(host);
      expect(warning, host).toMatch(/plain HTTP/);
      expect(warning).toContain('reverse proxy with HTTPS');
      expect(warning).toContain('docs/moderator-guide.md');
    }
    expect(plainHttpWarning('0.0.0.0')).toContain('every network interface');
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) {
      expect(plainHttpWarning(host), host).toBeUndefined();
    }
  });
});
