/** Bounded exponential backoff with jitter for 5xx and network failures. Pure. */

export const BACKOFF = {
  baseMs: 30_000,
  capMs: 15 * 60_000,
  /** Attempts in all (the first call included) before the slot is given up. */
  maxAttempts: 6,
} as const;

/** Delay before attempt `attempt + 1`, after `attempt` failures: base·2^(n−1), capped, ±20 % jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const raw = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}
