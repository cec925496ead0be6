/** X's adapter and mention sources, loaded through the registry entry's `load()`. */
import { xCredentials } from '../../config/env.ts';
import type { MentionSource } from '../../core/mention.ts';
import type { MentionSourcesFactory, PlatformAdapter, PlatformRuntime } from '../types.ts';
import { XAdapter } from './adapter.ts';
import { XSearchSource } from './mentions.ts';
import { createXSearchClient } from './search.ts';

export async function createAdapter(runtime: PlatformRuntime): Promise<PlatformAdapter> {
  const credentials = xCredentials(runtime.env);
  if (!credentials) throw new Error('X credentials are not set');
  return new XAdapter({
    credentials,
    logger: runtime.logger,
    now: () => runtime.clock.now(),
    ...(runtime.env.X_API_BASE_URL ? { baseUrl: runtime.env.X_API_BASE_URL } : {}),
  });
}

/** One recent-search source per campaign (each has its own read budget and since_id). */
export const createMentionSources: MentionSourcesFactory = async (runtime, options) => {
  const { env, logger } = runtime;
  const { campaigns, store, clock } = options;
  const ownAccounts: string[] = [];
  const sources: MentionSource[] = [];
  const xCreds = xCredentials(env);
  // An OAuth 1.0a access token starts with the numeric id of the account it belongs to.
  const xUserId = xCreds ? /^(\d+)-/.exec(xCreds.accessToken)?.[1] : undefined;
  if (xUserId) ownAccounts.push(xUserId);
  if (campaigns.length > 0 && (env.X_BEARER_TOKEN || xCreds)) {
    const client = createXSearchClient({
      ...(env.X_BEARER_TOKEN ? { bearerToken: env.X_BEARER_TOKEN } : {}),
      ...(xCreds ? { credentials: xCreds } : {}),
      ...(env.X_API_BASE_URL ? { baseUrl: env.X_API_BASE_URL } : {}),
      clock,
    });
    for (const campaign of campaigns) {
      sources.push(
        new XSearchSource({
          campaign: { id: campaign.id, hashtags: campaign.monitorHashtags },
          client,
          store,
          logger,
          budgetPerDay: env.X_READ_BUDGET_PER_DAY,
          pricePerRead: env.X_PRICE_PER_READ_USD,
          intervalMs: env.X_SEARCH_INTERVAL_SECONDS * 1000,
          clock,
        }),
      );
    }
  } else if (campaigns.length > 0) {
    logger.warn(
      { code: 'PLATFORM_NOT_CONFIGURED', campaigns: campaigns.map((c) => c.id) },
      'X mentions are not monitored: set X_BEARER_TOKEN (or the four X OAuth keys) in .env',
    );
  }
  return { sources, ownAccounts };
};
