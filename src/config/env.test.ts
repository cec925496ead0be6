import { describe, expect, it } from 'vitest';
import { isLocalMode } from '../platforms/registry.ts';
import { blueskyCredentials, loadEnv, xCredentials } from './env.ts';

const load = (vars: Record<string, string>) => loadEnv(vars, { dotenvPath: null });

describe('environment', () => {
  it('uses documented defaults and local mode without credentials', () => {
    const env = load({});
    expect(env.DASHBOARD_HOST).toBe('127.0.0.1');
    expect(env.DASHBOARD_PORT).toBe(3000);
    expect(isLocalMode(env)).toBe(true);
  });

  it('treats empty values (a copied .env.example) as unset', () => {
    const env = load({ X_API_BASE_URL: '', DASHBOARD_PORT: '', X_API_KEY: ' ' });
    expect(env.DASHBOARD_PORT).toBe(3000);
    expect(env.X_API_BASE_URL).toBeUndefined();
    expect(isLocalMode(env)).toBe(true);
  });

  it('names the variable with a bad value, and hides secrets in the message', () => {
    expect(() => load({ DASHBOARD_PORT: 'eighty' })).toThrow(/Some environment variables/);
    try {
      load({ DASHBOARD_PORT: 'eighty', SOLIDARITY_MODE: 'sometimes' });
    } catch (error) {
      const text = (error as { describe(): string }).describe();
      expect(text).toMatch(/ENV_INVALID/);
      expect(text).toMatch(/DASHBOARD_PORT="eighty"/);
      expect(text).toMatch(/SOLIDARITY_MODE="sometimes"/);
    }
  });

  it('refuses half-set credentials, naming what is missing', () => {
    expect(() => xCredentials(load({ X_API_KEY: 'k', X_API_SECRET: 's' }))).toThrow(
      /X credentials are only partly set/,
    );
    try {
      xCredentials(load({ X_API_KEY: 'k' }));
    } catch (error) {
      expect((error as { details: string[] }).details).toEqual([
        'X_API_SECRET is missing',
        'X_ACCESS_TOKEN is missing',
        'X_ACCESS_SECRET is missing',
      ]);
    }
    expect(() => blueskyCredentials(load({ BLUESKY_IDENTIFIER: 'me.bsky.social' }))).toThrow(
      /BLUESKY_APP_PASSWORD/,
    );
  });

  it('goes live when a platform has credentials, unless forced local', () => {
    const live = { BLUESKY_IDENTIFIER: 'me.bsky.social', BLUESKY_APP_PASSWORD: 'xxxx-xxxx-xxxx-xxxx' };
    expect(isLocalMode(load(live))).toBe(false);
    expect(isLocalMode(load({ ...live, SOLIDARITY_MODE: 'local' }))).toBe(true);
  });
});
