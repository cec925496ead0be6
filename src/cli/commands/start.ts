import { loadCampaigns } from '../../campaign/load.ts';
import { formatWithOffset } from '../../campaign/time.ts';
import { createAdapters } from '../../context.ts';
import { startDashboard } from '../../dashboard/server.ts';
import { isSolidarityError, SolidarityError } from '../../errors.ts';
import { startMonitoring } from '../../monitor/start.ts';
import { verifyCredentials } from '../../platforms/credentials.ts';
import type { Adapters } from '../../platforms/types.ts';
import { Publisher, platformStopKey } from '../../scheduler/publish.ts';
import { campaignReloader } from '../../scheduler/reload.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { score } from '../../scoring/index.ts';
import { openStore } from '../../store/index.ts';
import { retentionFromEnv } from '../../store/retention.ts';
import { type Command, type ParsedArgs, stringOption, writeLine } from '../command.ts';
import { commandContext, LOG_OPTIONS } from '../command-context.ts';
import { untilSignal } from '../signals.ts';
import { announceActivity } from '../terminal.ts';

export const startCommand: Command = {
  name: 'start',
  summary: 'Run the bot: schedule and post every campaign in campaigns/ (local mode without credentials)',
  usage: 'start [--upcoming N] [--verbose] [--log-file none]',
  description:
    'Loads and validates every campaign file in SOLIDARITY_CAMPAIGNS_DIR (default campaigns/), prints\n' +
    'the upcoming posts and posts each slot when it falls due. Without credentials in .env (or with\n' +
    'SOLIDARITY_MODE=local) posts go to data/outbox.jsonl and the terminal. Stops cleanly on Ctrl-C.\n' +
    'It also watches the campaign hashtags (local mode: replays SOLIDARITY_SAMPLE_MENTIONS), scores\n' +
    'every mention and puts flagged ones in the review queue; each flag is announced here by id.',
  options: {
    ...LOG_OPTIONS,
    upcoming: {
      type: 'string',
      valueName: 'N',
      description: 'how many upcoming slots per campaign to print (default 3)',
    },
  },
  async run(args, io) {
    // Listen first, so a Ctrl-C during start-up also stops cleanly.
    const perCampaign = upcomingCount(args);
    const stopSignal = untilSignal(io);
    const ctx = commandContext(io, args);
    const campaigns = loadCampaigns(ctx.campaignsDir);
    // The bot is the one writer of the data folder: a second bot stops here with STORE_LOCKED.
    const store = await openStore({
      dir: ctx.dataDir,
      mode: 'writer',
      role: 'bot',
      logger: ctx.logger,
      clock: () => ctx.clock.now(),
      retention: retentionFromEnv(ctx.env),
    });
    let scheduler: Scheduler;
    let adapters: Adapters;
    try {
      // Live adapters keep state in the store (the Bluesky session); monitoring shares them.
      adapters = await createAdapters(
        ctx,
        campaigns.flatMap((c) => c.platforms),
        store,
      );
      // Rejected credentials stop here with exit code 4, naming the env vars.
      const checks = await verifyCredentials(adapters, ctx.logger);
      for (const [platform, check] of checks) {
        if (!check.ok || platform === 'local' || ctx.mode === 'local') continue;
        writeLine(io.stdout, `${platform}: ${check.message}`);
        if (store.getState(platformStopKey(platform))) await store.setState(platformStopKey(platform), null);
      }
      // Exactly-once posting through the journal; pause / stop-all are read before every post.
      const publisher = new Publisher({ store, adapters, clock: ctx.clock, logger: ctx.logger });
      scheduler = new Scheduler({
        campaigns,
        clock: ctx.clock,
        logger: ctx.logger,
        publisher,
        reloadCampaigns: campaignReloader(campaigns, ctx.logger, (c) =>
          ctx.print(`  reloaded  ${c.id}: ${c.file} changed${c.paused ? ' (paused: true in the file)' : ''}`),
        ),
        cursor: {
          get: () => store.getCursor('scheduler.lastTick'),
          set: (value) => store.setCursor('scheduler.lastTick', value),
        },
      });
    } catch (error) {
      await store.close();
      throw error;
    }

    const modeText =
      ctx.mode === 'local'
        ? 'local mode: posts go to data/outbox.jsonl and this terminal (no accounts needed)'
        : 'live mode: posting to the networks with the credentials in .env';
    writeLine(io.stdout, `solidarity-bot: ${campaigns.length} campaign(s), ${modeText}`);
    // One line per slot (its platforms together); the full text of the first one as a preview in
    // local mode, so a newcomer sees what a post looks like before the first slot comes.
    const drafts = scheduler.upcoming(perCampaign);
    const slots = new Map<string, { at: string; campaign: string; platforms: string[] }>();
    for (const draft of drafts) {
      const campaign = campaigns.find((c) => c.id === draft.campaign)!;
      const key = `${draft.campaign}@${draft.slotAt.toISOString()}`;
      const slot = slots.get(key) ?? {
        at: formatWithOffset(draft.slotAt, campaign.timezone),
        campaign: draft.campaign,
        platforms: [],
      };
      slot.platforms.push(draft.platform);
      slots.set(key, slot);
    }
    writeLine(io.stdout, 'Upcoming posts:');
    for (const slot of [...slots.values()].sort((a, b) => (a.at < b.at ? -1 : 1)))
      writeLine(io.stdout, `  ${slot.at}  ${slot.campaign} → ${slot.platforms.join(', ')}`);
    const demo = drafts[0];
    if (ctx.mode === 'local' && demo) {
      writeLine(
        io.stdout,
        `Preview, not posted yet (${demo.campaign} → ${demo.platform}, ${demo.measure.length}/${demo.measure.limit}): ${demo.text}`,
      );
    }
    for (const c of campaigns.filter((c) => c.paused))
      writeLine(io.stdout, `  (${c.id} is paused: nothing is posted)`);
    ctx.logger.info({ campaigns: campaigns.map((c) => c.id), mode: ctx.mode }, 'bot started');

    // The review dashboard runs inside the bot, on its store. A dashboard that cannot listen (port
    // taken) is reported and the bot goes on posting without it.
    const dashboard = await startDashboard({
      store,
      logger: ctx.logger,
      env: ctx.env,
      campaigns: () => campaigns.map((c) => c.id),
    }).catch((error: unknown) => {
      if (!isSolidarityError(error) || error.code !== 'DASHBOARD_LISTEN') throw error;
      writeLine(io.stderr, `${error.describe()}\nThe bot runs on without the review dashboard.`);
      return undefined;
    });
    if (dashboard) {
      const accounts = store.listModerators().filter((m) => !m.disabled).length;
      writeLine(
        io.stdout,
        `Review dashboard: ${dashboard.url}` +
          (accounts === 0 ? '  (add an account: npx solidarity moderator add NAME --role admin)' : ''),
      );
    }

    // Slots missed while the bot was down, and intents a crash left unconfirmed.
    for (const r of await scheduler.recover()) {
      if (r.outcome === 'skipped' || r.outcome === 'needs-attention') {
        writeLine(
          io.stdout,
          `  ${r.outcome}: ${r.draft.campaign} → ${r.draft.platform} ${r.draft.slotAt.toISOString()} (${r.error ?? ''})`,
        );
      }
    }
    // From here on, one line per post, skipped slot, decision, pause or stop, whoever made it.
    announceActivity(store, { print: ctx.print, postsPrinted: ctx.mode === 'local' });
    scheduler.start();
    const monitor = await startMonitoring(ctx, campaigns, { store, scorer: score, announce: true, adapters });
    writeLine(
      io.stdout,
      ctx.mode === 'local'
        ? `Monitoring: replaying ${ctx.env.SOLIDARITY_SAMPLE_MENTIONS}; flagged mentions are listed below and wait for review.`
        : 'Monitoring the campaign hashtags; flagged mentions are listed below and wait for review.',
    );
    writeLine(io.stdout, 'Running. Press Ctrl-C to stop.');
    const signal = await stopSignal;
    writeLine(io.stdout, `\n${signal}: stopping…`);
    await scheduler.stop();
    await monitor.stop();
    await dashboard?.close();
    const counts = monitor.counts();
    writeLine(
      io.stdout,
      `Mentions: ${counts.seen} seen, ${counts.flagged} flagged, ${counts.queued} in the review queue, ${counts.dropped} dropped.`,
    );
    await store.close();
    ctx.logger.info({ signal }, 'bot stopped');
    ctx.logger.flush();
    writeLine(io.stdout, 'Stopped.');
    return 0;
  },
};

function upcomingCount(args: ParsedArgs): number {
  const text = stringOption(args, 'upcoming');
  if (text === undefined) return 3;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 100) {
    throw new SolidarityError('USAGE', `--upcoming "${text}" is not a valid value.`, {
      hint: 'Give a whole number from 0 to 100 (slots per campaign to list).',
    });
  }
  return n;
}
