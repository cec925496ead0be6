import { describe, expect, it } from 'vitest';
import { sessionStorageBackends } from '../../tests/_session-storage.ts';
import {
  delayAfter,
  GLOBAL_MAX_FAILURES,
  GLOBAL_WINDOW_MS,
  LoginLimiter,
  MAX_DELAY_MS,
  minimumGuessingMs,
} from './login-limiter.ts';

/** A guesser that retries as soon as it may; returns the simulated time its guesses took. */
async function guess(
  limiter: LoginLimiter,
  clock: { t: number },
  ip: string,
  name: string,
  n: number,
): Promise<number> {
  const start = clock.t;
  for (let i = 0; i < n; i++) {
    const wait = await limiter.retryAfter(ip, name);
    clock.t += wait * 1000;
    expect(await limiter.retryAfter(ip, name)).toBe(0);
    await limiter.fail(ip, name);
    clock.t += 1; // the guess itself
  }
  return clock.t - start;
}

const backends = sessionStorageBackends('login limiter');

describe.each(backends)('login limiter (%s)', (_name, storage) => {
  it('1,000 guesses from one address against one account take at least the documented time, and the owner gets in meanwhile', async () => {
    const clock = { t: Date.parse('2026-12-01T00:00:00Z') };
    const limiter = new LoginLimiter(() => clock.t, await storage());
    const documented = minimumGuessingMs(1000);
    expect(documented).toBeGreaterThanOrEqual(10 * 24 * 3600 * 1000); // "more than 10 days"
    let ownerChecks = 0;
    const start = clock.t;
    for (let i = 0; i < 1000; i++) {
      clock.t += (await limiter.retryAfter('203.0.113.9', 'adam')) * 1000;
      await limiter.fail('203.0.113.9', 'adam');
      clock.t += 1;
      if (i % 100 === 0) {
        // The owner, from home: the password would be checked now, no wait.
        expect(await limiter.retryAfter('198.51.100.4', 'adam')).toBe(0);
        ownerChecks++;
      }
    }
    expect(clock.t - start).toBeGreaterThanOrEqual(documented);
    expect(ownerChecks).toBe(10);
  });

  it('the first wrong passwords are free, then the delay doubles up to 15 minutes', async () => {
    expect([1, 4, 5, 6, 7].map((f) => delayAfter(f))).toEqual([0, 0, 1000, 2000, 4000]);
    expect(delayAfter(50)).toBe(MAX_DELAY_MS);
    const clock = { t: 0 };
    const limiter = new LoginLimiter(() => clock.t, await storage());
    for (let i = 0; i < 5; i++) await limiter.fail('a', 'adam');
    expect(await limiter.retryAfter('a', 'adam')).toBe(1);
    expect(await limiter.retryAfter('a', 'eve')).toBe(0);
    await limiter.succeed('a', 'adam');
    expect(await limiter.retryAfter('a', 'adam')).toBe(0);
  });

  it('a guesser spread over many addresses meets the global cap; a known device still gets in', async () => {
    const clock = { t: 0 };
    const limiter = new LoginLimiter(() => clock.t, await storage());
    for (let i = 0; i < GLOBAL_MAX_FAILURES; i++) await limiter.fail(`10.0.${i}.1`, 'adam');
    expect(await limiter.retryAfter('10.9.9.9', 'adam')).toBeGreaterThan(0);
    expect(await limiter.retryAfter('198.51.100.4', 'adam', true)).toBe(0);
    const clock2 = { t: 0 };
    const spread = new LoginLimiter(() => clock2.t, await storage());
    for (let i = 0; i < 1000; i++) await guess(spread, clock2, `10.${i >> 8}.${i & 255}.1`, 'adam', 1);
    // 1,000 guesses over 1,000 addresses: at most GLOBAL_MAX_FAILURES per window.
    expect(clock2.t).toBeGreaterThanOrEqual(Math.floor(1000 / GLOBAL_MAX_FAILURES - 1) * GLOBAL_WINDOW_MS);
  });

  it('two instances sharing the storage count one guesser together', async () => {
    const clock = { t: 0 };
    const shared = await storage();
    const a = new LoginLimiter(() => clock.t, shared);
    const b = new LoginLimiter(() => clock.t, shared);
    for (let i = 0; i < 3; i++) await a.fail('203.0.113.9', 'adam');
    for (let i = 0; i < 3; i++) await b.fail('203.0.113.9', 'adam');
    // Six failures over both: past the five free ones on either instance.
    expect(await a.retryAfter('203.0.113.9', 'adam')).toBe(2);
    expect(await b.retryAfter('203.0.113.9', 'adam')).toBe(2);
  });
});
