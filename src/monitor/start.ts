/**
 * Starts monitoring for the `start` command: picks the sources from the mode and the platform
 * registry (local: the outbox entry's replay of SOLIDARITY_SAMPLE_MENTIONS; live: each network's
 * sources for the campaigns that post there, e.g. Jetstream for Bluesky, recent search for X when
 * X credentials are set) and runs them into the store.
 */
import type { Campaign } from '../campaign/schema.ts';
import { type Context, runtimeOf } from '../context.ts';
import type { MentionSource } from '../core/mention.ts';
import type { Flag } from '../core/review.ts';
import { terminalText } from '../moderation/display.ts';
import { NETWORK_PLATFORMS, OUTBOX_PLATFORM } from '../platforms/registry.ts';
import type { Adapters } from '../platforms/types.ts';
import type { Store } from '../store/types.ts';
import { monitoredCampaign } from './campaigns.ts';
import type { HijackAlert } from './hijack.ts';
import { type MonitorHandle, runMonitor } from './monitor.ts';
import type { Scorer } from './types.ts';

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
  const { logger } = ctx;
  const { store } = options;
  const clock = () => ctx.clock.now().getTime();
  const sources: MentionSource[] = [];
  const ownAccounts: string[] = [];

  // Local mode: the outbox platform's replay stands in for every network. Live: each network's
  // sources for the campaigns that post there (the registry entry's factories).
  const runtime = runtimeOf(ctx);
  const watched = ctx.mode === 'local' ? [OUTBOX_PLATFORM] : NETWORK_PLATFORMS;
  for (const info of watched) {
    const on = ctx.mode === 'local' ? campaigns : campaigns.filter((c) => c.platforms.includes(info.id));
    if (!info.outbox && on.length === 0) continue;
    const made = await (await info.load()).createMentionSources(runtime, {
      campaigns: on,
      store,
      adapter: options.adapters?.[info.id],
      clock,
    });
    sources.push(...made.sources);
    ownAccounts.push(...made.ownAccounts);
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
