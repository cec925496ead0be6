/**
 * What every route group of the dashboard shares: the store, clock, sessions, login limiter and
 * the helpers that answer with a page. Built once by `buildDashboard` and passed to each plugin as
 * its options, so a plugin holds only its own routes and schemas.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Flag } from '../../core/review.ts';
import type { Logger } from '../../logger.ts';
import { UNDO_WINDOW_MS } from '../../moderation/review.ts';
import type { Store } from '../../store/types.ts';
import type { ClaimTable } from '../claims.ts';
import type { LoginLimiter } from '../login-limiter.ts';
import type { Session, SessionTable } from '../sessions.ts';
import { errorPage } from '../views/errors.ts';

export const SESSION_COOKIE = 'sb_session';
export const LOGIN_COOKIE = 'sb_login';
export const MAX_BULK = 500;

export interface DashboardContext {
  store: Store;
  log: Logger;
  now: () => number;
  newId: () => string;
  sessions: SessionTable;
  limiter: LoginLimiter;
  claims: ClaimTable;
  /** Campaign ids for the filter and overview menus. */
  campaigns: () => string[];
  /** Whether cookies get the Secure attribute for this request. */
  isSecure: (request: FastifyRequest) => boolean;
  /** Re-reads a store that is a read view of a running bot's data (at most every 2 s). */
  refresh?: (() => Promise<void>) | undefined;
}

/** Plugin options: every route group receives the shared context. */
export interface GroupOptions {
  ctx: DashboardContext;
}

export function send(reply: FastifyReply, status: number, body: string | Buffer) {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

export function fail(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
) {
  return send(
    reply,
    status,
    errorPage(status, title, message, request.auth?.user, request.auth?.session.csrf),
  );
}

/**
 * Sends a page made of byte parts in one corked write (a single writev), without joining them
 * into one buffer first. The headers set so far (security headers included) go with it.
 */
export function sendParts(reply: FastifyReply, parts: Buffer[]) {
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
}

export function takeFlash(session: Session): Session['flash'] {
  const flash = session.flash;
  delete session.flash;
  return flash;
}

/** The undo offer for a page: seconds left on the session's last decisions, or undefined. */
export function undoOffer(
  ctx: DashboardContext,
  session: Session,
  returnTo: string,
): { seconds: number; returnTo: string } | undefined {
  const undoable = session.undoable;
  if (!undoable) return undefined;
  const left = undoable.at + UNDO_WINDOW_MS - ctx.now();
  if (left <= 1000) {
    delete session.undoable;
    return undefined;
  }
  return { seconds: Math.floor(left / 1000), returnTo };
}

/** A flag named for a person: "the post by @handle (flag id)". */
export function flagName(flag: Flag): string {
  return `the post by @${flag.mention.authorHandle} (${flag.id})`;
}

/** Only a local path (not "//host") is followed after a form, so a link cannot send anyone elsewhere. */
export function safeReturn(path: unknown, fallback = '/queue'): string {
  return typeof path === 'string' && /^\/(?![/\\])[^\s]*$/.test(path) && path.length < 2000 ? path : fallback;
}

export const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** One form value or several (checkboxes of the same name). */
export const stringList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
