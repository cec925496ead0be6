/** Mastodon's adapter and mention source, loaded through the registry entry's `load()`. */
import { type Env, mastodonCredentials } from '../../config/env.ts';
import type { LengthSettings } from '../../core/platform.ts';
import type { MentionSourcesFactory, PlatformAdapter, PlatformRuntime } from '../types.ts';
import { MastodonAdapter } from './adapter.ts';
import { createMastodonRest, instanceInfo, mapMastodonError } from './client.ts';
import { MastodonSource } from './mentions.ts';
import { createMastodonTimelineClient } from './timeline.ts';

export async function createAdapter(runtime: PlatformRuntime): Promise<PlatformAdapter> {
  const credentials = mastodonCredentials(runtime.env);
  if (!credentials) throw new Error('Mastodon credentials are not set');
  return new MastodonAdapter({
    ...credentials,
    visibility: runtime.env.MASTODON_VISIBILITY,
    defaultLimits: {
      maxCharacters: runtime.env.MASTODON_MAX_CHARACTERS,
      charactersReservedPerUrl: runtime.env.MASTODON_CHARACTERS_RESERVED_PER_URL,
    },
    logger: runtime.logger,
    now: () => runtime.clock.now(),
  });
}

/** The instance's own limits (`GET /api/v2/instance`), for `validate`. */
export async function lengthSettings(env: Env): Promise<LengthSettings | undefined> {
  const credentials = mastodonCredentials(env);
  if (!credentials) return undefined;
  const rest = createMastodonRest({ ...credentials, timeoutMs: 10_000 });
  try {
    return instanceInfo(await rest.v2.instance.fetch()).limits;
  } catch (error) {
    throw mapMastodonError(error, 'reading the instance limits', new Date());
  }
}

/** One source for every campaign's tags: the hashtag stream, caught up from the timeline. */
export const createMentionSources: MentionSourcesFactory = async (runtime, options) => {
  const { env, logger } = runtime;
  const { campaigns, store, clock } = options;
  const ownAccounts: string[] = [];
  const credentials = mastodonCredentials(env);
  if (!credentials) {
    logger.warn(
      { code: 'PLATFORM_NOT_CONFIGURED', campaigns: campaigns.map((c) => c.id) },
      'Mastodon mentions are not monitored: set MASTODON_URL and MASTODON_ACCESS_TOKEN in .env',
    );
    return { sources: [], ownAccounts };
  }
  const ownAccountIds: string[] = [];
  try {
    const adapter =
      options.adapter instanceof MastodonAdapter ? options.adapter : await createAdapter(runtime);
    if (!(adapter instanceof MastodonAdapter)) throw new Error('no Mastodon adapter in live mode');
    const me = await adapter.ownAccount();
    ownAccountIds.push(me.id);
    ownAccounts.push(me.id, me.acct, `${me.acct}@${new URL(credentials.url).host}`);
  } catch (error) {
    // Mentions still flow; the account's own posts are then recognised by their text only.
    const code = (error as { code?: string }).code ?? 'PLATFORM_ERROR';
    logger.warn({ err: error, code }, 'Mastodon account check failed: own posts are recognised by text only');
  }
  const source = new MastodonSource({
    hashtags: campaigns.flatMap((c) => c.monitorHashtags),
    client: createMastodonTimelineClient({ ...credentials, clock }),
    accessToken: credentials.accessToken,
    store,
    logger,
    ownAccountIds,
    streaming: env.MASTODON_STREAMING !== 'off',
    intervalMs: env.MASTODON_POLL_INTERVAL_SECONDS * 1000,
    clock,
  });
  return { sources: [source], ownAccounts };
};
