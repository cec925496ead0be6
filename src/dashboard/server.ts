/**
 * The review dashboard: a Fastify app with server-rendered pages. Every route but /login,
 * /assets and /healthz needs a session; every POST needs the session's CSRF token; viewers read,
 * moderators decide, admins also manage accounts. The dashboard never talks to a platform: it has
 * no adapter, so it cannot reply to, like, repost or report anything.
 *
 * Routes live in plugins per group under routes/ (auth and CSRF, queue, overview, claims,
 * decisions, evidence, accounts); this file builds the shared context, registers them and serves assets.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Env } from '../config/env.ts';
import { SolidarityError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { memorySessionStorage } from '../store/sessions.ts';
import type { Moderator, Store } from '../store/types.ts';
import type { Role } from './accounts.ts';
import { ClaimTable } from './claims.ts';
import { type LimiterOptions, LoginLimiter } from './login-limiter.ts';
import accountRoutes from './routes/accounts.ts';
import authRoutes from './routes/auth.ts';
import claimRoutes from './routes/claims.ts';
import { type DashboardContext, fail, type GroupOptions, send } from './routes/context.ts';
import decisionRoutes from './routes/decisions.ts';
import evidenceRoutes from './routes/evidence.ts';
import overviewRoutes from './routes/overview.ts';
import queueRoutes from './routes/queue.ts';
import { type Session, SessionTable } from './sessions.ts';
import { errorPage } from './views/errors.ts';

export { LOGIN_COOKIE, SESSION_COOKIE } from './routes/context.ts';

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
  /** Login limiter settings (free failures per account and address, global cap); tests lower them. */
  loginLimits?: LimiterOptions;
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

// A Map, not an object: a lookup by a request's file name must never reach Object.prototype
// ("constructor", "__proto__", "toString").
const ASSETS = new Map<string, { type: string; body: string }>([
  [
    'dashboard.js',
    {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(new URL('./assets/dashboard.js', import.meta.url), 'utf8'),
    },
  ],
  [
    'dashboard.css',
    {
      type: 'text/css; charset=utf-8',
      body: readFileSync(new URL('./assets/dashboard.css', import.meta.url), 'utf8'),
    },
  ],
]);

/**
 * The route groups, in order. The auth group comes first: its hooks guard every later group.
 * A new group is one plugin file under routes/ and one line here.
 */
export const ROUTE_GROUPS: ReadonlyArray<FastifyPluginAsync<GroupOptions>> = [
  authRoutes,
  queueRoutes,
  overviewRoutes,
  claimRoutes,
  decisionRoutes,
  evidenceRoutes,
  accountRoutes,
];

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

/**
 * DASHBOARD_TRUST_PROXY as Fastify's trustProxy. Only the proxies we are told about are trusted,
 * so the client address is the one the last trusted proxy saw (the rightmost untrusted entry of
 * X-Forwarded-For), never the leftmost entry, which the client writes itself. `true` means one
 * proxy; a number is a hop count; anything else is a list of proxy addresses or CIDR ranges.
 */
export function trustProxySetting(
  value: string | undefined,
): false | string[] | ((address: string, hop: number) => boolean) {
  const text = (value ?? 'false').trim();
  if (text === 'false' || text === '') return false;
  const hops = text === 'true' ? 1 : /^\d+$/.test(text) ? Number(text) : undefined;
  if (hops !== undefined) return (_address, hop) => hop < hops;
  return text.split(',').map((a) => a.trim());
}

export async function buildDashboard(deps: DashboardDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ name: 'dashboard' });
  // Kept with the data when the store can (a database: every instance shares them), else here.
  const sessionStorage = deps.store.sessions ?? memorySessionStorage();
  const ctx: DashboardContext = {
    store: deps.store,
    log,
    now,
    newId: deps.newId ?? randomUUID,
    sessions: new SessionTable(now, sessionStorage),
    limiter: new LoginLimiter(now, sessionStorage, deps.loginLimits),
    claims: new ClaimTable(now, sessionStorage),
    campaigns: () => deps.campaigns?.() ?? [],
    isSecure: (request) =>
      deps.env.DASHBOARD_SECURE_COOKIE === 'true' ||
      (deps.env.DASHBOARD_SECURE_COOKIE === 'auto' && request.protocol === 'https'),
    refresh: deps.refresh,
  };

  // Behind the operator's own reverse proxy, its X-Forwarded-* headers give the client address
  // and scheme; never trusted otherwise, since anyone could send them.
  const app = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    trustProxy: trustProxySetting(deps.env.DASHBOARD_TRUST_PROXY),
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

  app.get('/healthz', { config: { public: true } }, async (_request, reply) =>
    reply.type('text/plain').send('ok\n'),
  );

  app.get('/favicon.ico', { config: { public: true } }, async (_request, reply) => reply.code(204).send());

  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { config: { public: true } },
    async (request, reply) => {
      const asset = ASSETS.get(request.params.file);
      if (!asset) return send(reply, 404, errorPage(404, 'Not found', 'There is no such file.'));
      return reply.header('cache-control', 'no-cache').type(asset.type).send(asset.body);
    },
  );

  for (const group of ROUTE_GROUPS) await app.register(group, { ctx });
  return app;
}

/**
 * The warning for a dashboard listening beyond this machine: it speaks plain HTTP, so passwords
 * and session cookies cross the network readable unless a reverse proxy with TLS is in front.
 * Undefined for loopback addresses.
 */
export function plainHttpWarning(host: string): string | undefined {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)) return undefined;
  const where = h === '0.0.0.0' || h === '::' || h === '' ? 'every network interface' : h;
  return (
    `The review dashboard listens on ${where} over plain HTTP: passwords and sessions cross the network unencrypted. ` +
    'Put a reverse proxy with HTTPS in front (docs/moderator-guide.md, "Reverse proxy and TLS"), or keep DASHBOARD_HOST=127.0.0.1.'
  );
}

/** Starts the dashboard on DASHBOARD_HOST:DASHBOARD_PORT (port 0 picks a free one). */
export async function startDashboard(
  deps: DashboardDeps,
): Promise<{ url: string; close: () => Promise<void>; app: FastifyInstance; warning?: string }> {
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
  const log = deps.logger.child({ name: 'dashboard' });
  log.info({ url }, 'dashboard listening');
  const warning = plainHttpWarning(host);
  if (warning) log.warn({ host }, 'dashboard listens beyond this machine over plain HTTP');
  return { url, app, close: () => app.close(), ...(warning ? { warning } : {}) };
}
