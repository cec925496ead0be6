/**
 * The review dashboard: a Fastify app with server-rendered pages. Every route but /login,
 * /assets and /healthz needs a session; every POST needs the session's CSRF token; viewers read,
 * moderators decide, admins also manage accounts. The dashboard never talks to a platform: it has
 * no adapter, so it cannot reply to, like, repost or report anything.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Env } from '../config/env.ts';
import { isSolidarityError, SolidarityError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { evidenceCsv, evidenceJson } from '../moderation/evidence.ts';
import {
  decide,
  RESOLVE_OUTCOMES,
  REVIEW_ACTIONS,
  REVIEW_STATES,
  UNRESOLVED_STATES,
} from '../moderation/review.ts';
import type { Flag, ReviewState } from '../moderation/types.ts';
import { SHARE_TAPS_KEY, type ShareTaps } from '../site/taps.ts';
import type { Moderator, QueueQuery, Store } from '../store/types.ts';
import { addModerator, can, changePassword, type Role, resetPassword, setDisabled } from './accounts.ts';
import { LoginLimiter } from './login-limiter.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import { securityHeaders, tokensEqual } from './security.ts';
import { SESSION_MAX_MS, type Session, SessionTable } from './sessions.ts';
import { accountsPage, passwordPage } from './views/accounts.ts';
import { errorPage } from './views/errors.ts';
import { evidencePrintPage, itemPage } from './views/item.ts';
import { loginPage } from './views/login.ts';
import { type AlertRow, OVERVIEW_RANGES, overviewPage } from './views/overview.ts';
import { QUEUE_PAGE_SIZE, type QueueFilters, queuePage } from './views/queue.ts';

export const SESSION_COOKIE = 'sb_session';
export const LOGIN_COOKIE = 'sb_login';
const MAX_BULK = 500;

export interface DashboardDeps {
  store: Store;
  logger: Logger;
  env: Pick<Env, 'DASHBOARD_HOST' | 'DASHBOARD_PORT' | 'DASHBOARD_SECURE_COOKIE'> &
    Partial<Pick<Env, 'DASHBOARD_TRUST_PROXY'>>;
  /** Campaign ids for the filter and overview menus (the loaded campaign files). */
  campaigns?: () => string[];
  /** Injected clock (ms since epoch) for sessions, rate limits and event times. */
  now?: () => number;
  newId?: () => string;
  /**
   * Re-reads the store before a request, at most every 2 s (a dashboard whose store is a
   * read view of a running bot's data).
   */
  refresh?: () => Promise<void>;
  /** Login attempts allowed per 15 minutes per address and per name. */
  maxLoginFailures?: number;
}

interface Auth {
  token: string;
  session: Session;
  moderator: Moderator;
  user: { name: string; role: Role };
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: Auth;
  }
  interface FastifyContextConfig {
    /** Reachable without a session. */
    public?: boolean;
    /** Least role needed (default viewer). */
    role?: Role;
  }
}

const ASSETS: Record<string, { type: string; body: string }> = {
  'dashboard.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('./assets/dashboard.js', import.meta.url), 'utf8'),
  },
  'dashboard.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('./assets/dashboard.css', import.meta.url), 'utf8'),
  },
};

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const QUEUE_QUERY = z.object({
  campaign: optionalText(100),
  platform: z.enum(['', 'bluesky', 'x', 'local']).optional(),
  severity: z.enum(['', 'low', 'medium', 'high']).optional(),
  state: z.enum(['', 'unresolved', 'all', ...REVIEW_STATES]).optional(),
  hashtag: optionalText(100).transform((v) => v?.replace(/^#/, '').toLowerCase()),
  rule: optionalText(100),
  sort: z.enum(['', 'newest', 'score']).optional(),
  after: optionalText(500),
});

const stringList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const DECIDE_BODY = z.object({
  action: z.enum(REVIEW_ACTIONS as [string, ...string[]]),
  note: optionalText(2000),
  outcome: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(RESOLVE_OUTCOMES as [string, ...string[]]).optional(),
  ),
  return: z.string().max(2000).optional(),
});

/** Only a local path (not "//host") is followed after a form, so a link cannot send anyone elsewhere. */
function safeReturn(path: unknown, fallback = '/queue'): string {
  return typeof path === 'string' && /^\/(?![/\\])[^\s]*$/.test(path) && path.length < 2000 ? path : fallback;
}

function clientIp(request: FastifyRequest): string {
  return request.ip || 'unknown';
}

export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
  role: Role;
}

const ROUTES = new WeakMap<FastifyInstance, RouteInfo[]>();

/** Every route the dashboard serves, with whether it is public and the role it needs. */
export function dashboardRoutes(app: FastifyInstance): RouteInfo[] {
  return [...(ROUTES.get(app) ?? [])];
}

export async function buildDashboard(deps: DashboardDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const log = deps.logger.child({ name: 'dashboard' });
  const sessions = new SessionTable(now);
  const limiter = new LoginLimiter(now, deps.maxLoginFailures);
  const store = deps.store;
  const campaigns = () => deps.campaigns?.() ?? [];
  const isSecure = (request: FastifyRequest) =>
    deps.env.DASHBOARD_SECURE_COOKIE === 'true' ||
    (deps.env.DASHBOARD_SECURE_COOKIE === 'auto' && request.protocol === 'https');

  // Behind the operator's own reverse proxy, its X-Forwarded-* headers give the client address
  // and scheme; never trusted otherwise, since anyone could send them.
  const app = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    trustProxy: deps.env.DASHBOARD_TRUST_PROXY === 'true',
  });
  const routes: RouteInfo[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method !== 'HEAD')
        routes.push({
          method,
          url: route.url,
          public: Boolean(route.config?.public),
          role: route.config?.role ?? 'viewer',
        });
    }
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);

  /**
   * Sends a page made of byte parts in one corked write (a single writev), without joining them
   * into one buffer first. The headers set so far (security headers included) go with it.
   */
  const sendParts = (reply: FastifyReply, parts: Buffer[]) => {
    let length = 0;
    for (const part of parts) length += part.length;
    reply.hijack();
    const raw = reply.raw;
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) raw.setHeader(name, value);
    }
    raw.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': length });
    raw.cork();
    for (const part of parts) raw.write(part);
    raw.end();
    raw.uncork();
    return reply;
  };

  const send = (reply: FastifyReply, status: number, body: string | Buffer) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);

  const fail = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    title: string,
    message: string,
  ) => send(reply, status, errorPage(status, title, message, request.auth?.user, request.auth?.session.csrf));

  const takeFlash = (session: Session) => {
    const flash = session.flash;
    delete session.flash;
    return flash;
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(securityHeaders(isSecure(request)));
  });

  let refreshedAt = 0;
  let refreshing: Promise<void> | undefined;

  // Authentication and roles, for every route not marked public (unknown paths included).
  app.addHook('preHandler', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config.public) return;
    if (deps.refresh && now() - refreshedAt > 2000) {
      refreshing ??= deps.refresh().finally(() => {
        refreshedAt = now();
        refreshing = undefined;
      });
      await refreshing;
    }
    const token = request.cookies[SESSION_COOKIE];
    const session = sessions.get(token);
    const moderator = session ? store.getModerator(session.name) : undefined;
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

  app.setNotFoundHandler(async (request, reply) =>
    fail(request, reply, 404, 'Not found', 'There is no page here.'),
  );

  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      const id = randomBytes(6).toString('hex');
      log.error({ err: error, errorId: id, url: request.routeOptions.url }, 'dashboard request failed');
      return fail(
        request,
        reply,
        500,
        'Something went wrong',
        `The dashboard could not do this (error ${id} in the bot's log).`,
      );
    }
    return fail(
      request,
      reply,
      status,
      'Request refused',
      'The request could not be read. Reload the page and try again.',
    );
  });

  // --- public routes ---------------------------------------------------------------------------

  app.get('/healthz', { config: { public: true } }, async (_request, reply) =>
    reply.type('text/plain').send('ok\n'),
  );

  app.get('/favicon.ico', { config: { public: true } }, async (_request, reply) => reply.code(204).send());

  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { config: { public: true } },
    async (request, reply) => {
      const asset = ASSETS[request.params.file];
      if (!asset) return send(reply, 404, errorPage(404, 'Not found', 'There is no such file.'));
      return reply.header('cache-control', 'no-cache').type(asset.type).send(asset.body);
    },
  );

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
      secure: isSecure(request),
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

  const LOGIN_BODY = z.object({
    name: z.string().max(100).default(''),
    password: z.string().max(1000).default(''),
    _csrf: z.string().max(200).optional(),
    next: z.string().max(2000).optional(),
  });

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
    const wait = limiter.retryAfter(ip, name);
    if (wait > 0) {
      log.warn({ ip, moderator: name }, 'login refused: too many wrong passwords');
      reply.header('retry-after', String(wait));
      return showLogin(request, reply, 429, {
        ...keep,
        error: `Too many wrong passwords. Try again in ${Math.ceil(wait / 60)} minute(s).`,
      });
    }
    const moderator = store.getModerator(name);
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
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: isSecure(request),
      maxAge: SESSION_MAX_MS / 1000,
    });
    log.info({ moderator: moderator.name, role: moderator.role }, 'login');
    if (moderator.mustChangePassword) return reply.redirect('/account/password', 303);
    return reply.redirect(safeReturn(next), 303);
  });

  // --- signed-in routes --------------------------------------------------------------------------

  app.post('/logout', async (request, reply) => {
    sessions.destroy(request.auth!.token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    log.info({ moderator: request.auth!.user.name }, 'logout');
    return reply.redirect('/login', 303);
  });

  app.get('/', async (_request, reply) => reply.redirect('/queue', 303));

  app.get('/queue', async (request, reply) => {
    const parsed = QUEUE_QUERY.safeParse(request.query);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(', ');
      return fail(
        request,
        reply,
        400,
        'Bad filter',
        `These filters have values the queue does not know: ${fields}.`,
      );
    }
    const q = parsed.data;
    const filters: QueueFilters = {
      campaign: q.campaign,
      platform: q.platform || undefined,
      severity: q.severity || undefined,
      state: q.state || 'unresolved',
      hashtag: q.hashtag,
      rule: q.rule,
      sort: q.sort === 'score' ? 'score' : 'newest',
      after: q.after,
    };
    const state: QueueQuery['state'] =
      filters.state === 'all'
        ? undefined
        : filters.state === 'unresolved'
          ? [...UNRESOLVED_STATES]
          : (filters.state as ReviewState);
    const query: QueueQuery = { limit: QUEUE_PAGE_SIZE, sort: filters.sort };
    for (const key of ['campaign', 'platform', 'severity', 'hashtag', 'rule', 'after'] as const) {
      if (filters[key]) query[key] = filters[key];
    }
    if (state) query.state = state;
    let result: ReturnType<Store['queuePage']>;
    try {
      result = store.queuePage(query);
    } catch (error) {
      if (filters.after) {
        return fail(
          request,
          reply,
          400,
          'Out-of-date link',
          'This page link no longer works. Start from the first page.',
        );
      }
      throw error;
    }
    const auth = request.auth!;
    return sendParts(
      reply,
      queuePage({
        user: auth.user,
        csrf: auth.session.csrf,
        flash: takeFlash(auth.session),
        filters,
        campaigns: [...campaigns(), ...result.items.map((f) => f.campaign)],
        items: result.items,
        total: result.total,
        next: result.next,
      }),
    );
  });

  app.get<{ Querystring: { id?: string } }>('/flag', async (request, reply) => {
    const id = typeof request.query.id === 'string' ? request.query.id : '';
    const flag = id ? store.getFlag(id) : undefined;
    if (!flag) return fail(request, reply, 404, 'No such flag', 'No flag in the queue has this id.');
    const auth = request.auth!;
    return send(
      reply,
      200,
      itemPage({ user: auth.user, csrf: auth.session.csrf, flash: takeFlash(auth.session), flag }),
    );
  });

  const applyDecision = async (flag: Flag, body: z.infer<typeof DECIDE_BODY>, by: string) => {
    const event = decide(
      flag,
      { action: body.action as never, by, note: body.note, outcome: body.outcome as never },
      { id: newId(), at: new Date(now()).toISOString() },
    );
    await store.addReviewEvent(event);
    log.info(
      { moderator: by, flagId: flag.id, action: event.action, outcome: event.outcome },
      'review decision',
    );
  };

  app.post('/decide', { config: { role: 'moderator' } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const parsed = DECIDE_BODY.safeParse(raw);
    const auth = request.auth!;
    const back = safeReturn(raw['return']);
    if (!parsed.success) {
      auth.session.flash = 'That decision was not understood (pick an action, and an outcome to resolve).';
      return reply.redirect(back, 303);
    }
    const id = typeof raw['id'] === 'string' ? raw['id'] : '';
    const flag = store.getFlag(id);
    if (!flag) return fail(request, reply, 404, 'No such flag', 'No flag in the queue has this id.');
    try {
      await applyDecision(flag, parsed.data, auth.user.name);
      auth.session.flash = `${parsed.data.action} recorded.`;
    } catch (error) {
      if (
        !isSolidarityError(error) ||
        (error.code !== 'REVIEW_NOT_ALLOWED' && error.code !== 'INPUT_INVALID')
      )
        throw error;
      auth.session.flash = `Not recorded: ${error.message}${error.hint ? ` ${error.hint}` : ''}`;
    }
    return reply.redirect(back, 303);
  });

  app.post('/decide-bulk', { config: { role: 'moderator' } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const parsed = DECIDE_BODY.safeParse(raw);
    const ids = stringList.safeParse(raw['ids']);
    const auth = request.auth!;
    const back = safeReturn(raw['return']);
    if (!parsed.success || !ids.success) {
      auth.session.flash = 'That bulk decision was not understood.';
      return reply.redirect(back, 303);
    }
    if (ids.data.length === 0) {
      auth.session.flash = 'Select some flags first (x, or the checkboxes).';
      return reply.redirect(back, 303);
    }
    if (ids.data.length > MAX_BULK) {
      auth.session.flash = `At most ${MAX_BULK} flags at once.`;
      return reply.redirect(back, 303);
    }
    let applied = 0;
    const skipped: string[] = [];
    for (const id of ids.data) {
      const flag = store.getFlag(id);
      if (!flag) {
        skipped.push('not found');
        continue;
      }
      try {
        await applyDecision(flag, parsed.data, auth.user.name);
        applied++;
      } catch (error) {
        if (!isSolidarityError(error)) throw error;
        skipped.push(flag.state);
      }
    }
    auth.session.flash =
      `${parsed.data.action}: ${applied} flag(s) recorded` +
      (skipped.length
        ? `; ${skipped.length} skipped (not allowed in their state: ${[...new Set(skipped)].join(', ')}).`
        : '.');
    return reply.redirect(back, 303);
  });

  app.post('/evidence', { config: { role: 'moderator' } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const ids = stringList.safeParse(raw['ids']);
    const format = z.enum(['csv', 'json', 'print']).safeParse(raw['format'] ?? 'csv');
    if (!ids.success || !format.success || ids.data.length === 0 || ids.data.length > MAX_BULK) {
      return fail(
        request,
        reply,
        400,
        'Nothing to export',
        `Select between 1 and ${MAX_BULK} flags, and CSV, JSON or printable.`,
      );
    }
    const flags: Flag[] = [];
    for (const id of new Set(ids.data)) {
      const flag = store.getFlag(id);
      if (!flag)
        return fail(request, reply, 404, 'No such flag', 'A selected flag is no longer in the queue.');
      flags.push(flag);
    }
    const by = request.auth!.user.name;
    const at = new Date(now()).toISOString();
    log.info({ moderator: by, count: flags.length, format: format.data }, 'evidence exported');
    const stamp = at.slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    if (format.data === 'print')
      return send(reply, 200, evidencePrintPage({ flags, exportedAt: at, exportedBy: by }));
    const isCsv = format.data === 'csv';
    return reply
      .header('content-disposition', `attachment; filename="evidence-${stamp}.${format.data}"`)
      .type(isCsv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .send(isCsv ? evidenceCsv(flags) : evidenceJson(flags, { exportedAt: at, exportedBy: by }));
  });

  app.get<{ Querystring: { campaign?: string; hours?: string } }>('/overview', async (request, reply) => {
    const campaign =
      typeof request.query.campaign === 'string' && request.query.campaign.trim()
        ? request.query.campaign.trim().slice(0, 100)
        : undefined;
    const hoursBack = OVERVIEW_RANGES[String(request.query.hours ?? '24')] ?? 24;
    const end = Math.ceil(now() / 3_600_000) * 3_600_000;
    const from = new Date(end - hoursBack * 3_600_000).toISOString();
    const to = new Date(end).toISOString();
    const stats = await store.stats(campaign ? { from, to, campaign } : { from, to });
    const alerts: AlertRow[] = [];
    for await (const event of store.events({ since: from, until: to, types: ['alert.hijack'] })) {
      if (event.type !== 'alert.hijack' || (campaign && event.campaign !== campaign)) continue;
      alerts.push({
        at: event.at,
        campaign: event.campaign,
        hashtag: event.hashtag,
        windowShare: event.windowShare,
        baselineShare: event.baselineShare,
      });
      if (alerts.length >= 500) break;
    }
    const auth = request.auth!;
    return send(
      reply,
      200,
      overviewPage({
        user: auth.user,
        csrf: auth.session.csrf,
        campaign,
        campaigns: campaigns(),
        hoursBack,
        from,
        to,
        stats,
        alerts,
        shareTaps: store.getState<ShareTaps>(SHARE_TAPS_KEY),
      }),
    );
  });

  // --- accounts ----------------------------------------------------------------------------------

  const accounts = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    created?: { name: string; password: string },
  ) => {
    const auth = request.auth!;
    return send(
      reply,
      status,
      accountsPage({
        user: auth.user,
        csrf: auth.session.csrf,
        flash: takeFlash(auth.session),
        moderators: store.listModerators(),
        created,
      }),
    );
  };

  app.get('/moderators', { config: { role: 'admin' } }, async (request, reply) =>
    accounts(request, reply, 200),
  );

  app.post('/moderators', { config: { role: 'admin' } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const auth = request.auth!;
    try {
      const result = await addModerator(store, {
        name: String(raw['name'] ?? ''),
        role: String(raw['role'] ?? ''),
        now: new Date(now()).toISOString(),
      });
      log.info(
        { moderator: auth.user.name, added: result.moderator.name, role: result.moderator.role },
        'moderator added',
      );
      return accounts(request, reply, 200, {
        name: result.moderator.name,
        password: result.oneTimePassword!,
      });
    } catch (error) {
      if (!isSolidarityError(error)) throw error;
      auth.session.flash = error.message + (error.hint ? ` ${error.hint}` : '');
      return reply.redirect('/moderators', 303);
    }
  });

  for (const action of ['disable', 'enable', 'reset'] as const) {
    app.post(`/moderators/${action}`, { config: { role: 'admin' } }, async (request, reply) => {
      const raw = (request.body ?? {}) as Record<string, unknown>;
      const name = String(raw['name'] ?? '');
      const auth = request.auth!;
      try {
        if (name === auth.user.name) {
          throw new SolidarityError(
            'MODERATOR_INVALID',
            'Change your own account from the password page, not here.',
          );
        }
        if (action === 'reset') {
          const password = await resetPassword(store, name, new Date(now()).toISOString());
          sessions.destroyFor(name);
          log.info({ moderator: auth.user.name, target: name }, 'moderator password reset');
          return accounts(request, reply, 200, { name, password });
        }
        const updated = await setDisabled(store, name, action === 'disable');
        if (action === 'disable') sessions.destroyFor(updated.name);
        log.info({ moderator: auth.user.name, target: updated.name }, `moderator ${action}d`);
        auth.session.flash = `${updated.name} ${action}d.`;
      } catch (error) {
        if (!isSolidarityError(error)) throw error;
        auth.session.flash = error.message + (error.hint ? ` ${error.hint}` : '');
      }
      return reply.redirect('/moderators', 303);
    });
  }

  app.get('/account/password', async (request, reply) => {
    const auth = request.auth!;
    return send(
      reply,
      200,
      passwordPage({
        user: auth.user,
        csrf: auth.session.csrf,
        forced: Boolean(auth.moderator.mustChangePassword),
      }),
    );
  });

  app.post('/account/password', async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const auth = request.auth!;
    const again = (status: number, error: string) =>
      send(
        reply,
        status,
        passwordPage({
          user: auth.user,
          csrf: auth.session.csrf,
          forced: Boolean(auth.moderator.mustChangePassword),
          error,
        }),
      );
    const current = String(raw['current'] ?? '');
    const password = String(raw['password'] ?? '');
    if (!(await verifyPassword(current, auth.moderator.passwordHash)))
      return again(400, 'The current password is wrong.');
    if (password !== String(raw['confirm'] ?? '')) return again(400, 'The two new passwords differ.');
    if (password === current) return again(400, 'Choose a password different from the current one.');
    try {
      await changePassword(store, auth.user.name, password, new Date(now()).toISOString());
    } catch (error) {
      if (!isSolidarityError(error)) throw error;
      return again(400, error.message);
    }
    sessions.destroyFor(auth.user.name, auth.session);
    auth.session.credential = store.getModerator(auth.user.name)?.passwordHash ?? '';
    log.info({ moderator: auth.user.name }, 'password changed');
    auth.session.flash = 'Password changed.';
    return reply.redirect('/queue', 303);
  });

  return app;
}

/** Starts the dashboard on DASHBOARD_HOST:DASHBOARD_PORT (port 0 picks a free one). */
export async function startDashboard(
  deps: DashboardDeps,
): Promise<{ url: string; close: () => Promise<void>; app: FastifyInstance }> {
  const app = await buildDashboard(deps);
  const host = deps.env.DASHBOARD_HOST;
  try {
    await app.listen({ host, port: deps.env.DASHBOARD_PORT });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new SolidarityError(
      'DASHBOARD_LISTEN',
      `The dashboard cannot listen on ${host}:${deps.env.DASHBOARD_PORT} (${code ?? (error as Error).message}).`,
      {
        hint:
          code === 'EADDRINUSE'
            ? 'Another program uses that port: stop it, or set DASHBOARD_PORT to a free port in .env.'
            : 'Check DASHBOARD_HOST and DASHBOARD_PORT in .env.',
        cause: error,
      },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : deps.env.DASHBOARD_PORT;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  deps.logger.child({ name: 'dashboard' }).info({ url }, 'dashboard listening');
  return { url, app, close: () => app.close() };
}
