import { SolidarityError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { isOutbox, type Platform, platformInfo } from './registry.ts';
import type { CredentialCheck, PlatformAdapter } from './types.ts';

/**
 * Checks every live adapter's credentials once at start-up. Rejected credentials stop the bot
 * with the platform's auth error (X_AUTH_FAILED, BLUESKY_AUTH_FAILED…: exit code 4) naming the env vars; an unreachable
 * network is only a warning (the scheduler retries when a slot falls due).
 */
export async function verifyCredentials(
  adapters: Partial<Record<Platform, PlatformAdapter>>,
  logger: Logger,
): Promise<Map<Platform, CredentialCheck>> {
  const checks = new Map<Platform, CredentialCheck>();
  const seen = new Set<PlatformAdapter>();
  for (const [platform, adapter] of Object.entries(adapters) as Array<[Platform, PlatformAdapter]>) {
    // The local outbox needs no credentials (and stands in for every platform in local mode).
    if (seen.has(adapter) || !adapter.checkCredentials || isOutbox(adapter.name)) continue;
    seen.add(adapter);
    const check = await adapter.checkCredentials();
    checks.set(platform, check);
    if (check.ok) {
      logger.info({ platform, account: check.account }, 'credentials accepted');
      continue;
    }
    if (check.problem === 'auth') {
      const info = platformInfo(platform);
      throw new SolidarityError(
        info.credentials?.authError ?? 'PLATFORM_ERROR',
        `${info.label} rejected the credentials in .env: ${check.message}`,
        check.hint ? { hint: check.hint } : {},
      );
    }
    logger.warn(
      { platform, message: check.message },
      'platform unreachable at start-up; will retry at the next slot',
    );
  }
  return checks;
}
