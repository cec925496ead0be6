/**
 * Starts monitoring for the `start` command: picks the sources from the mode and credentials
 * (local: replay of SOLIDARITY_SAMPLE_MENTIONS; live: Jetstream for campaigns on Bluesky, X
 * recent search for campaigns on X when X credentials are set) and runs them into the store.
 */
import type { Campaign } from '../campaign/schema.ts';
import { blueskyCredentials, xCredentials } from '../config/env.ts';
import { type Context, createAdapters } from '../context.ts';
import { terminalText } from '../moderation/display.ts';
import type { Flag } from '../moderation/types.ts';
import { BlueskyAdapter } from '../platforms/bluesky/adapter.ts';
import { createHandleLookup } from '../platforms/bluesky/profiles.ts';
import type { Adapters } from '../platforms/types.ts';
import { createXSearchClient } from '../platforms/x/search.ts';
import type { Store } from '../store/types.ts';
import { searchBackfill } from './bluesky-backfill.ts';
import { monitoredCampaign } from './campaigns.ts';
import type { HijackAlert } from './hijack.ts';
import { type BlueskyBackfill, JetstreamSource } from './jetstream.ts';
import { LocalReplaySource } from './local.ts';
import { type MonitorHandle, runMonitor } from './monitor.ts';
import type { MentionSource, Scorer } from './types.ts';
import { XSearchSource } from './x.ts';

export interface StartMonitoringOptions {
  store: Store;
  scorer: Scorer;
  /** Print a line per flag and alert on the terminal (ids and rules, never the text). */
  announce?: boolean;
  /**
   * The bot's publishing adapters: Bluesky search (backfill) runs on the Bluesky adapter's session.
   * Without them, an adapter is made on the store, which resumes the same saved session.
   */
  adapters?: Adapters;
}

/** The terminal line for a new flag; every part from outside is escaped for the terminal. */
export function flagLine(flag: Flag): string {
  const rules = flag.verdict.reasons.map((r) => r.rule).filter((r) => !r.startsWith('model.'));
  return terminalText(
    `  flagged for review  ${flag.campaign}  ${flag.mention.platform} @${flag.mention.authorHandle}  ` +
      `score ${flag.verdict.score.toFixed(2)} (${flag.verdict.severity})  ${[...new Set(rules)].join(', ') || 'model'}  [${flag.id}]`,
  );
}

function alertLine(alert: HijackAlert): string {
  return (
    `  HIJACK ALERT  ${alert.campaign}  #${alert.hashtag}: ${Math.round(alert.windowShare * 100)}% of recent mentions ` +
    `flagged (usually ${Math.round(alert.baselineShare * 100)}%)`
  );
}

export async function startMonitoring(
  ctx: Context,
  campaigns: readonly Campaign[],
  options: StartMonitoringOptions,
): Promise<MonitorHandle> {
  const { env, logger } = ctx;
  const { store } = options;
  const clock = () => ctx.clock.now().getTime();
  const sources: MentionSource[] = [];
  const ownAccounts: string[] = [];

  if (ctx.mode === 'local') {
    sources.push(
      new LocalReplaySource({
        path: env.SOLIDARITY_SAMPLE_MENTIONS,
        store,
        logger: logger.child({ name: 'monitor.local' }),
        intervalMs: env.SOLIDARITY_SAMPLE_INTERVAL_MS,
        clock,
      }),
    );
  } else {
    const onBluesky = campaigns.filter((c) => c.platforms.includes('bluesky'));
    if (onBluesky.length > 0) {
      const credentials = blueskyCredentials(env);
      let backfill: BlueskyBackfill | undefined;
      if (credentials) {
        ownAccounts.push(credentials.identifier);
        try {
          // One account, one session: the publishing adapter's, saved in the store. Logging in
          // again here would spend the PDS's few logins at every start.
          const adapter =
            options.adapters?.bluesky ?? (await createAdapters(ctx, ['bluesky'], store)).bluesky;
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
      sources.push(
        new JetstreamSource({
          url: env.JETSTREAM_URL,
          hashtags: onBluesky.flatMap((c) => c.monitorHashtags),
          store,
          logger,
          clock,
          retentionMs: env.JETSTREAM_RETENTION_HOURS * 3_600_000,
          lookupHandles: createHandleLookup(env.BLUESKY_APPVIEW_URL),
          ...(backfill ? { backfill } : {}),
        }),
      );
    }
    const onX = campaigns.filter((c) => c.platforms.includes('x'));
    const xCreds = xCredentials(env);
    // An OAuth 1.0a access token starts with the numeric id of the account it belongs to.
    const xUserId = xCreds ? /^(\d+)-/.exec(xCreds.accessToken)?.[1] : undefined;
    if (xUserId) ownAccounts.push(xUserId);
    if (onX.length > 0 && (env.X_BEARER_TOKEN || xCreds)) {
      const client = createXSearchClient({
        ...(env.X_BEARER_TOKEN ? { bearerToken: env.X_BEARER_TOKEN } : {}),
        ...(xCreds ? { credentials: xCreds } : {}),
        ...(env.X_API_BASE_URL ? { baseUrl: env.X_API_BASE_URL } : {}),
        clock,
      });
      for (const campaign of onX) {
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
    } else if (onX.length > 0) {
      logger.warn(
        { code: 'PLATFORM_NOT_CONFIGURED', campaigns: onX.map((c) => c.id) },
        'X mentions are not monitored: set X_BEARER_TOKEN (or the four X OAuth keys) in .env',
      );
    }
  }

  const monitored = [];
  for (const campaign of campaigns) {
    const confirmed = await store.listJournal({ campaign: campaign.id, state: 'confirmed' });
    monitored.push(
      monitoredCampaign(campaign, {
        ownAccounts,
        postedTexts: confirmed.map((j) => j.text),
        now: ctx.clock.now(),
      }),
    );
  }
  return runMonitor({
    store,
    scorer: options.scorer,
    campaigns: monitored,
    sources,
    logger,
    clock,
    ...(options.announce
      ? {
          pipeline: {
            onFlag: (f: Flag) => ctx.print(flagLine(f)),
            onAlert: (a: HijackAlert) => ctx.print(alertLine(a)),
          },
        }
      : {}),
  });
}
