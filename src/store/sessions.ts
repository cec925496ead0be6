/**
 * Where the dashboard keeps its sessions, login failures, review claims and device-cookie key. The file store
 * keeps them in the process's memory (a restart logs everyone out, the safe direction); a
 * database keeps them with the data, so a session opened on one dashboard instance works on every
 * other and a guesser cannot reset the limits by moving between instances.
 */
import { randomBytes } from 'node:crypto';

/** One dashboard session, keyed by the SHA-256 of its cookie token (the token itself is not kept). */
export interface SessionRecord {
  name: string;
  /** The password hash the session was opened with: a new password (or a reset) ends the session. */
  credential: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  /** One message shown on the next page, then cleared (e.g. "Dismissed 5 flags"). */
  flash?: string;
  /** The moderator's last decisions, offered for undo for a short while. */
  undoable?: { events: Array<{ flagId: string; eventId: string }>; at: number };
}

/** Who is reviewing a flag: held while its holder is active on it (times in ms). */
export interface ClaimRecord {
  by: string;
  since: number;
  lastActive: number;
}

/** Wrong passwords from one address for one account. */
export interface FailurePair {
  failures: number;
  lastFailure: number;
}

export interface SessionStorage {
  /** True when sessions outlive the process and are shared with other instances. */
  readonly shared: boolean;
  get(key: string): Promise<SessionRecord | undefined>;
  /** Creates or replaces the session under `key`. */
  put(key: string, session: SessionRecord): Promise<void>;
  delete(key: string): Promise<void>;
  /** Ends every session of one moderator, but the one under `exceptKey`. */
  deleteFor(name: string, exceptKey?: string): Promise<void>;
  /** Removes sessions idle since `idleBefore` or opened before `createdBefore`. */
  sweep(idleBefore: number, createdBefore: number): Promise<void>;

  /** Login failures of one (account, address) pair. */
  failurePair(pair: string): Promise<FailurePair | undefined>;
  /**
   * Counts a wrong password at `at`: the pair's count goes up by one (or starts again at one when
   * its last failure is `forgetMs` old), and the time joins the global list of recent failures.
   */
  recordFailure(pair: string, at: number, forgetMs: number): Promise<void>;
  clearFailures(pair: string): Promise<void>;
  /** The newest `limit` failure times after `since`, oldest first. */
  recentFailures(since: number, limit: number): Promise<number[]>;
  /** Forgets pairs whose last failure is before `pairsBefore` and global times before `timesBefore`. */
  sweepFailures(pairsBefore: number, timesBefore: number): Promise<void>;

  /** Live claims (active after `idleBefore`) on these flags. */
  claims(flagIds: readonly string[], idleBefore: number): Promise<Map<string, ClaimRecord>>;
  /**
   * Claims a flag for `by` at `at`, unless someone else's live claim holds it (`takeOver`: even
   * then); in one step, so two instances cannot both get it. Returns the claim that holds it after.
   */
  takeClaim(
    flagId: string,
    by: string,
    at: number,
    idleBefore: number,
    takeOver: boolean,
  ): Promise<ClaimRecord>;
  /** Keeps `by`'s live claim alive. */
  touchClaim(flagId: string, by: string, at: number, idleBefore: number): Promise<void>;
  releaseClaim(flagId: string, by: string): Promise<void>;

  /** The key that signs device cookies (the same for every instance that shares this storage). */
  deviceKey(): Promise<Buffer>;
}

/** In this process's memory: what the file store gives the dashboard. */
export function memorySessionStorage(): SessionStorage {
  const sessions = new Map<string, SessionRecord>();
  const pairs = new Map<string, FailurePair>();
  const claims = new Map<string, ClaimRecord>();
  // Oldest first; bounded by the callers' sweep and by MAX_TIMES.
  const times: number[] = [];
  const MAX_TIMES = 10_000;
  const key = randomBytes(32);
  return {
    shared: false,
    async get(k) {
      return sessions.get(k);
    },
    async put(k, session) {
      sessions.set(k, session);
    },
    async delete(k) {
      sessions.delete(k);
    },
    async deleteFor(name, exceptKey) {
      for (const [k, s] of sessions) if (s.name === name && k !== exceptKey) sessions.delete(k);
    },
    async sweep(idleBefore, createdBefore) {
      for (const [k, s] of sessions) {
        if (s.lastSeenAt < idleBefore || s.createdAt < createdBefore) sessions.delete(k);
      }
    },
    async failurePair(pair) {
      const p = pairs.get(pair);
      return p ? { ...p } : undefined;
    },
    async recordFailure(pair, at, forgetMs) {
      const p = pairs.get(pair);
      if (!p || at - p.lastFailure >= forgetMs) pairs.set(pair, { failures: 1, lastFailure: at });
      else {
        p.failures++;
        p.lastFailure = at;
      }
      times.push(at);
      if (times.length > MAX_TIMES) times.shift();
    },
    async clearFailures(pair) {
      pairs.delete(pair);
    },
    async recentFailures(since, limit) {
      const recent = times.filter((t) => t > since);
      return recent.slice(Math.max(0, recent.length - limit));
    },
    async sweepFailures(pairsBefore, timesBefore) {
      for (const [k, p] of pairs) if (p.lastFailure < pairsBefore) pairs.delete(k);
      while (times.length > 0 && times[0]! < timesBefore) times.shift();
    },
    async claims(flagIds, idleBefore) {
      const live = new Map<string, ClaimRecord>();
      for (const id of flagIds) {
        const c = claims.get(id);
        if (c && c.lastActive > idleBefore) live.set(id, { ...c });
      }
      return live;
    },
    async takeClaim(flagId, by, at, idleBefore, takeOver) {
      const current = claims.get(flagId);
      const live = current && current.lastActive > idleBefore ? current : undefined;
      if (live && live.by !== by && !takeOver) return { ...live };
      const claim = { by, since: live?.by === by ? live.since : at, lastActive: at };
      claims.set(flagId, claim);
      if (claims.size > 10_000) {
        for (const [id, c] of claims) if (c.lastActive <= idleBefore) claims.delete(id);
      }
      return { ...claim };
    },
    async touchClaim(flagId, by, at, idleBefore) {
      const c = claims.get(flagId);
      if (c && c.by === by && c.lastActive > idleBefore) c.lastActive = at;
    },
    async releaseClaim(flagId, by) {
      if (claims.get(flagId)?.by === by) claims.delete(flagId);
    },
    async deviceKey() {
      return key;
    },
  };
}
