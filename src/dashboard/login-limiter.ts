/**
 * Limits wrong passwords: at most MAX_FAILURES per window per client address and per account
 * name, then every attempt (right or wrong) is refused until the window ends. Counting per name
 * stops a guesser who spreads over many addresses; per address stops one trying many names.
 */
export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;

interface Bucket {
  failures: number;
  windowStart: number;
}

export class LoginLimiter {
  private readonly buckets = new Map<string, Bucket>();

  private readonly now: () => number;
  private readonly maxFailures: number;
  private readonly windowMs: number;

  constructor(now: () => number, maxFailures = MAX_FAILURES, windowMs = WINDOW_MS) {
    this.now = now;
    this.maxFailures = maxFailures;
    this.windowMs = windowMs;
  }

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfter(ip: string, name: string): number {
    const at = this.now();
    let wait = 0;
    for (const key of this.keys(ip, name)) {
      const b = this.buckets.get(key);
      if (!b) continue;
      if (at - b.windowStart >= this.windowMs) {
        this.buckets.delete(key);
        continue;
      }
      if (b.failures >= this.maxFailures)
        wait = Math.max(wait, Math.ceil((b.windowStart + this.windowMs - at) / 1000));
    }
    return wait;
  }

  fail(ip: string, name: string): void {
    const at = this.now();
    for (const key of this.keys(ip, name)) {
      const b = this.buckets.get(key);
      if (!b || at - b.windowStart >= this.windowMs) this.buckets.set(key, { failures: 1, windowStart: at });
      else b.failures++;
    }
    if (this.buckets.size > 10_000) this.sweep(at);
  }

  succeed(ip: string, name: string): void {
    for (const key of this.keys(ip, name)) this.buckets.delete(key);
  }

  private keys(ip: string, name: string): string[] {
    return [`ip:${ip}`, `name:${name.toLowerCase()}`];
  }

  private sweep(at: number): void {
    for (const [key, b] of this.buckets) if (at - b.windowStart >= this.windowMs) this.buckets.delete(key);
  }
}
