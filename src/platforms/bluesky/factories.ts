/** Bluesky's adapter and mention sources, loaded through the registry entry's `load()`. */
import { blueskyCredentials } from '../../config/env.ts';
import { SolidarityError } from '../../errors.ts';
import type { Store } from '../../store/types.ts';
import type { MentionSourcesFactory, PlatformAdapter, PlatformRuntime } from '../types.ts';
import { BlueskyAdapter } from './adapter.ts';
import { searchBackfill } from './backfill.ts';
import { type BlueskyBackfill, JetstreamSource } from './jetstream.ts';
import { createHandleLookup } from './profiles.ts';

export async function createAdapter(
  runtime: PlatformRuntime,
  state: Pick<Store, 'getState' | 'setState'> | undefined,
): Promise<PlatformAdapter> {
  const credentials = blueskyCredentials(runtime.env);
  if (!credentials) throw new Error('Bluesky credentials are not set');
  if (!state) {
    throw new SolidarityError('UNEXPECTED', 'The Bluesky adapter needs the store to keep its session.');
  }
  return new BlueskyAdapter({
    ...credentials,
    state,
    logger: runtime.logger,
    now: () => runtime.clock.now(),
  });
}

/** Jetstream for the campaigns' tags, with search backfill when the account can log in. */
export const createMentionSources: MentionSourcesFactory = async (runtime, options) => {
  const { env, logger } = runtime;
  const { campaigns, store, clock } = options;
  const ownAccounts: string[] = [];
  const credentials = blueskyCredentials(env);
  let backfill: BlueskyBackfill | undefined;
  if (credentials) {
    ownAccounts.push(credentials.identifier);
    try {
      // One account, one session: the publishing adapter's, saved in the store. Logging in
      // again here would spend the PDS's few logins at every start.
      const adapter = options.adapter ?? (await createAdapter(runtime, store));
      if (!(adapter instanceof BlueskyAdapter)) throw new Error('no Bluesky adapter in live mode');
      const client = await adapter.searchClient();
      ownAccounts.push(client.did);
      backfill = searchBackfill({ client, logger, clock });
    } catch (error) {
      // Live mentions do not need the login; only backfill after long downtime does.
      const code = (error as { code?: string }).code ?? 'PLATFORM_ERROR';
      logger.warn(
        { err: error, code },
        'Bluesky login for search failed: monitoring runs without backfill after long downtime',
      );
    }
  }
  const source = new JetstreamSource({
    url: env.JETSTREAM_URL,
    hashtags: campaigns.flatMap((c) => c.monitorHashtags),
    store,
    logger,
    clock,
    retentionMs: env.JETSTREAM_RETENTION_HOURS * 3_600_000,
    lookupHandles: createHandleLookup(env.BLUESKY_APPVIEW_URL),
    ...(backfill ? { backfill } : {}),
  });
  return { sources: [source], ownAccounts };
};
