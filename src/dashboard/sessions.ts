/**
 * Dashboard sessions. The cookie carries a random token; sessions are kept under its SHA-256 so
 * the token itself is not kept. Each session has its own CSRF token. Where they are kept is the
 * store's choice (SessionStorage): in memory with the file store (a restart logs everyone out,
 * the safe direction), in the database with PostgreSQL (every dashboard instance accepts them).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SessionRecord, SessionStorage } from '../store/sessions.ts';

export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 24 * 60 * 60 * 1000;
/** A session's last-seen time is written at most this often (a database write per page is waste). */
const TOUCH_EVERY_MS = 60 * 1000;

export type Session = SessionRecord;

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class SessionTable {
  private readonly storage: SessionStorage;
  private readonly now: () => number;
  /** What each session looked like when read, to write back only what a request changed. */
  private readonly seen = new WeakMap<Session, string>();

  constructor(now: () => number, storage: SessionStorage) {
    this.now = now;
    this.storage = storage;
  }

  async create(name: string, credential: string): Promise<{ token: string; session: Session }> {
    const at = this.now();
    await this.storage.sweep(at - SESSION_IDLE_MS, at - SESSION_MAX_MS);
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      name,
      credential,
      csrf: randomBytes(24).toString('base64url'),
      createdAt: at,
      lastSeenAt: at,
    };
    await this.storage.put(keyOf(token), session);
    this.seen.set(session, JSON.stringify(session));
    return { token, session };
  }

  /** The live session for a cookie token, touched; undefined when unknown or expired. */
  async get(token: string | undefined): Promise<Session | undefined> {
    if (!token || token.length > 100) return undefined;
    const key = keyOf(token);
    const session = await this.storage.get(key);
    if (!session) return undefined;
    const at = this.now();
    if (at - session.lastSeenAt > SESSION_IDLE_MS || at - session.createdAt > SESSION_MAX_MS) {
      await this.storage.delete(key);
      return undefined;
    }
    const touch = at - session.lastSeenAt >= TOUCH_EVERY_MS;
    session.lastSeenAt = at;
    if (touch && this.storage.shared) await this.storage.put(key, session);
    this.seen.set(session, JSON.stringify(session));
    return session;
  }

  /** Writes back what a request changed in its session (a flash message, the undo offer). */
  async save(token: string, session: Session): Promise<void> {
    if (!this.storage.shared) return; // In memory the object itself is the stored session.
    const now = JSON.stringify(session);
    if (this.seen.get(session) === now) return;
    await this.storage.put(keyOf(token), session);
    this.seen.set(session, now);
  }

  /** The key that signs device cookies. */
  deviceKey(): Promise<Buffer> {
    return this.storage.deviceKey();
  }

  async destroy(token: string | undefined): Promise<void> {
    if (token) await this.storage.delete(keyOf(token));
  }

  /** Ends every session of one moderator (disabled account, password changed elsewhere). */
  async destroyFor(name: string, exceptToken?: string): Promise<void> {
    await this.storage.deleteFor(name, exceptToken ? keyOf(exceptToken) : undefined);
  }
}
