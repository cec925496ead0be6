/**
 * Dashboard sessions, held in memory: a restart logs everyone out, which is the safe direction.
 * The cookie carries a random token; the map is keyed by its SHA-256 so the token itself is not
 * kept. Each session has its own CSRF token.
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 24 * 60 * 60 * 1000;

export interface Session {
  name: string;
  /** The password hash the session was opened with: a new password (or a reset) ends the session. */
  credential: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  /** One message shown on the next page, then cleared (e.g. "Dismissed 5 flags"). */
  flash?: string;
  /** The moderator's last decisions, offered for undo for a short while (UNDO_WINDOW_MS). */
  undoable?: { events: Array<{ flagId: string; eventId: string }>; at: number };
}

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class SessionTable {
  private readonly sessions = new Map<string, Session>();

  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  create(name: string, credential: string): { token: string; session: Session } {
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    const session: Session = {
      name,
      credential,
      csrf: randomBytes(24).toString('base64url'),
      createdAt: at,
      lastSeenAt: at,
    };
    this.sessions.set(keyOf(token), session);
    return { token, session };
  }

  /** The live session for a cookie token, touched; undefined when unknown or expired. */
  get(token: string | undefined): Session | undefined {
    if (!token || token.length > 100) return undefined;
    const key = keyOf(token);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    const at = this.now();
    if (at - session.lastSeenAt > SESSION_IDLE_MS || at - session.createdAt > SESSION_MAX_MS) {
      this.sessions.delete(key);
      return undefined;
    }
    session.lastSeenAt = at;
    return session;
  }

  destroy(token: string | undefined): void {
    if (token) this.sessions.delete(keyOf(token));
  }

  /** Ends every session of one moderator (disabled account, password changed elsewhere). */
  destroyFor(name: string, except?: Session): void {
    for (const [key, session] of this.sessions) {
      if (session.name === name && session !== except) this.sessions.delete(key);
    }
  }

  private sweep(): void {
    const at = this.now();
    for (const [key, s] of this.sessions) {
      if (at - s.lastSeenAt > SESSION_IDLE_MS || at - s.createdAt > SESSION_MAX_MS) this.sessions.delete(key);
    }
  }
}
