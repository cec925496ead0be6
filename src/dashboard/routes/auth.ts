/**
 * Authentication and CSRF: the security headers on every answer, the session, CSRF and role check
 * before every route not marked public, and the login and logout routes. Registered without
 * encapsulation so its hooks guard the routes of every other group.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can } from '../accounts.ts';
import { dummyPasswordHash, verifyPassword } from '../passwords.ts';
import { securityHeaders, tokensEqual } from '../security.ts';
import { SESSION_MAX_MS } from '../sessions.ts';
import { loginPage } from '../views/login.ts';
import { fail, type GroupOptions, LOGIN_COOKIE, SESSION_COOKIE, safeReturn, send } from './context.ts';

const LOGIN_BODY = z.object({
  name: z.string().max(100).default(''),
  password: z.string().max(1000).default(''),
  _csrf: z.string().max(200).optional(),
  next: z.string().max(2000).optional(),
});

/** Set on a successful login; lets that browser past the global login cap for that account. */
export const DEVICE_COOKIE = 'sb_device';
const DEVICE_MAX_AGE_S = 365 * 24 * 3600;

function clientIp(request: FastifyRequest): string {
  return request.ip || 'unknown';
}

async function authRoutes(app: FastifyInstance, { ctx }: GroupOptions): Promise<void> {
  const { store, sessions, limiter, log, now } = ctx;
  // Device cookies are signed with a key that lives as long as the process: a restart asks every
  // browser to log in once more before it passes the global cap again.
  const deviceKey = randomBytes(32);
  const deviceToken = (name: string) => `${createHmac('sha256', deviceKey).update(name).digest('base64url')}`;

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(securityHeaders(ctx.isSecure(request)));
  });

  let refreshedAt = 0;
  let refreshing: Promise<void> | undefined;

  // Authentication and roles, for every route not marked public (unknown paths included).
  app.addHook('preHandler', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config.public) return;
    if (ctx.refresh && now() - refreshedAt > 2000) {
      refreshing ??= ctx.refresh().finally(() => {
        refreshedAt = now();
        refreshing = undefined;
      });
      await refreshing;
    }
    const token = request.cookies[SESSION_COOKIE];
    const session = sessions.get(token);
    const moderator = session ? await store.getModerator(session.name) : undefined;
    if (!session || !moderator || moderator.disabled || moderator.passwordHash !== session.credential) {
      if (session) sessions.destroy(token);
      if (request.method === 'GET' && request.is404 !== true) {
        const next = encodeURIComponent(request.url);
        return reply.redirect(`/login?next=${next}`, 303);
      }
      return fail(request, reply, 401, 'Log in first', 'Your session has ended. Log in again.');
    }
    request.auth = {
      token: token!,
      session,
      moderator,
      user: { name: moderator.name, role: moderator.role },
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const body = request.body as Record<string, unknown> | undefined;
      const sent =
        (body && typeof body['_csrf'] === 'string' ? body['_csrf'] : undefined) ??
        (request.headers['x-csrf-token'] as string | undefined);
      if (!tokensEqual(sent, session.csrf)) {
        log.warn(
          { moderator: moderator.name, url: request.routeOptions.url },
          'request refused: CSRF token missing or wrong',
        );
        return fail(
          request,
          reply,
          403,
          'Form expired',
          'This form has expired or did not come from this dashboard. Go back, reload the page and try again.',
        );
      }
    }
    const path = request.routeOptions.url ?? '';
    if (moderator.mustChangePassword && path !== '/account/password' && path !== '/logout') {
      if (request.method === 'GET') return reply.redirect('/account/password', 303);
      return fail(request, reply, 403, 'New password needed', 'Choose your own password first.');
    }
    const needed = config.role ?? 'viewer';
    if (!can(moderator.role, needed)) {
      return fail(
        request,
        reply,
        403,
        'Not allowed',
        `This needs the ${needed} role; your account is ${moderator.role}.`,
      );
    }
  });

  const showLogin = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: { error?: string; name?: string; next?: string } = {},
  ) => {
    const csrf = randomBytes(24).toString('base64url');
    reply.setCookie(LOGIN_COOKIE, csrf, {
      path: '/login',
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.isSecure(request),
    });
    return send(reply, status, loginPage({ csrf, ...extra }));
  };

  app.get<{ Querystring: { next?: string } }>(
    '/login',
    { config: { public: true } },
    async (request, reply) => {
      if (sessions.get(request.cookies[SESSION_COOKIE])) return reply.redirect('/queue', 303);
      return showLogin(request, reply, 200, { next: safeReturn(request.query.next, '') });
    },
  );

  app.post('/login', { config: { public: true } }, async (request, reply) => {
    const parsed = LOGIN_BODY.safeParse(request.body ?? {});
    if (!parsed.success) return showLogin(request, reply, 400, { error: 'Fill in your name and password.' });
    const { password, _csrf, next } = parsed.data;
    const name = parsed.data.name.trim().toLowerCase();
    const keep = { name, next: safeReturn(next, '') };
    if (!tokensEqual(_csrf, request.cookies[LOGIN_COOKIE])) {
      return showLogin(request, reply, 403, { ...keep, error: 'The login form expired. Try again.' });
    }
    const ip = clientIp(request);
    const knownDevice = tokensEqual(request.cookies[DEVICE_COOKIE], deviceToken(name));
    const wait = limiter.retryAfter(ip, name, knownDevice);
    if (wait > 0) {
      log.warn({ ip, moderator: name, wait }, 'login refused: too many wrong passwords');
      reply.header('retry-after', String(wait));
      return showLogin(request, reply, 429, {
        ...keep,
        error: `Too many wrong passwords. Try again in ${wait < 120 ? `${wait} second(s)` : `${Math.ceil(wait / 60)} minute(s)`}.`,
      });
    }
    const moderator = await store.getModerator(name);
    const hash = moderator && !moderator.disabled ? moderator.passwordHash : await dummyPasswordHash();
    const ok = (await verifyPassword(password, hash)) && moderator !== undefined && !moderator.disabled;
    if (!ok) {
      limiter.fail(ip, name);
      log.info({ ip, moderator: name }, 'login failed');
      return showLogin(request, reply, 401, {
        ...keep,
        error: 'Name or password is wrong (or the account is disabled).',
      });
    }
    limiter.succeed(ip, name);
    const { token } = sessions.create(moderator.name, moderator.passwordHash);
    reply.clearCookie(LOGIN_COOKIE, { path: '/login' });
    reply.setCookie(DEVICE_COOKIE, deviceToken(moderator.name), {
      path: '/login',
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.isSecure(request),
      maxAge: DEVICE_MAX_AGE_S,
    });
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.isSecure(request),
      maxAge: SESSION_MAX_MS / 1000,
    });
    log.info({ moderator: moderator.name, role: moderator.role }, 'login');
    if (moderator.mustChangePassword) return reply.redirect('/account/password', 303);
    return reply.redirect(safeReturn(next), 303);
  });

  app.post('/logout', async (request, reply) => {
    sessions.destroy(request.auth!.token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    log.info({ moderator: request.auth!.user.name }, 'logout');
    return reply.redirect('/login', 303);
  });
}

// Not encapsulated (what fastify-plugin marks): the hooks above must run for every group's routes.
Object.assign(authRoutes, { [Symbol.for('skip-override')]: true });

export default authRoutes;
