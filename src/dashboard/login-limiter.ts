/**
 * Slows password guessing without locking anyone out.
 *
 * - Per (account, address): the first FREE_FAILURES wrong passwords cost nothing (typos); after
 *   that each attempt from that address for that account waits a delay that doubles with every
 *   further failure, from 1 s up to 15 minutes. Another address (the owner at home while someone
 *   guesses from elsewhere) is not affected, and neither is another account.
 * - Globally: at most GLOBAL_MAX_FAILURES wrong passwords per GLOBAL_WINDOW_MS across all
 *   accounts and addresses, which slows a guesser spread over many addresses. Past the cap, only
 *   a browser that has logged in to that account before (a device cookie, checked by the caller)
 *   still gets its password checked.
 *
 * Pure apart from the injected clock; the counts live where the store keeps sessions (in memory
 * with the file store, so a restart forgets them; in the database with PostgreSQL).
 */
import type { SessionStorage } from '../store/sessions.ts';

export const FREE_FAILURES = 5;
export const FIRST_DELAY_MS = 1000;
export const MAX_DELAY_MS = 15 * 60 * 1000;
/** A pair's failures are forgotten this long after its last one. */
export const FORGET_MS = 24 * 60 * 60 * 1000;
export const GLOBAL_MAX_FAILURES = 30;
export const GLOBAL_WINDOW_MS = 15 * 60 * 1000;

export interface LimiterOptions {
  freeFailures?: number;
  globalMaxFailures?: number;
}

/** The wait after `failures` wrong passwords for one (account, address); 0 while they are free. */
export function delayAfter(failures: number, free = FREE_FAILURES): number {
  if (failures < free) return 0;
  const doublings = failures - free;
  return doublings >= 30 ? MAX_DELAY_MS : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** doublings);
}

/**
 * The least time `guesses` wrong passwords from one address against one account take: the sum of
 * the delays between them. The documented guessing time is this for 1,000 guesses.
 */
export function minimumGuessingMs(guesses: number, free = FREE_FAILURES): number {
  let total = 0;
  for (let failures = 1; failures < guesses; failures++) total += delayAfter(failures, free);
  return total;
}

export class LoginLimiter {
  private readonly storage: SessionStorage;
  private readonly free: number;
  private readonly globalMax: number;
  private readonly now: () => number;
  private failuresSinceSweep = 0;

  constructor(now: () => number, storage: SessionStorage, options: LimiterOptions = {}) {
    this.now = now;
    this.storage = storage;
    this.free = options.freeFailures ?? FREE_FAILURES;
    this.globalMax = options.globalMaxFailures ?? GLOBAL_MAX_FAILURES;
  }

  /**
   * Seconds until a password from `ip` for `name` will be checked, or 0 when it is checked now.
   * `knownDevice`: the browser holds a device cookie for this account (it passes the global cap).
   */
  async retryAfter(ip: string, name: string, knownDevice = false): Promise<number> {
    const at = this.now();
    let waitMs = 0;
    const pair = await this.storage.failurePair(this.key(ip, name));
    if (pair && at - pair.lastFailure < FORGET_MS) {
      waitMs = Math.max(0, pair.lastFailure + delayAfter(pair.failures, this.free) - at);
    }
    if (!knownDevice) {
      const recent = await this.storage.recentFailures(at - GLOBAL_WINDOW_MS, this.globalMax);
      if (recent.length >= this.globalMax) waitMs = Math.max(waitMs, recent[0]! + GLOBAL_WINDOW_MS - at);
    }
    return Math.ceil(waitMs / 1000);
  }

  async fail(ip: string, name: string): Promise<void> {
    const at = this.now();
    await this.storage.recordFailure(this.key(ip, name), at, FORGET_MS);
    if (++this.failuresSinceSweep >= 1000) {
      this.failuresSinceSweep = 0;
      await this.storage.sweepFailures(at - FORGET_MS, at - GLOBAL_WINDOW_MS);
    }
  }

  async succeed(ip: string, name: string): Promise<void> {
    await this.storage.clearFailures(this.key(ip, name));
  }

  private key(ip: string, name: string): string {
    // JSON, not a separator character: a typed name may hold any character (NUL included).
    return JSON.stringify([name.toLowerCase(), ip]);
  }
}
