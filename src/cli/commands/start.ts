import { loadCampaigns } from '../../campaign/load.ts';
import { formatWithOffset } from '../../campaign/time.ts';
import { createAdapters } from '../../context.ts';
import { startDashboard } from '../../dashboard/server.ts';
import { isSolidarityError, SolidarityError } from '../../errors.ts';
import { deepCheck } from '../../monitor/consistency.ts';
import { startMonitoring } from '../../monitor/start.ts';
import { verifyCredentials } from '../../platforms/credentials.ts';
import { lengthSettingsFor } from '../../platforms/length-settings.ts';
import { isOutbox } from '../../platforms/registry.ts';
import type { Adapters } from '../../platforms/types.ts';
import { Publisher, platformStopKey } from '../../scheduler/publish.ts';
import { campaignReloader } from '../../scheduler/reload.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { isStopped, untilStopped } from '../../scheduler/stop.ts';
import { score } from '../../scoring/index.ts';
import { startShareSite } from '../../site/start.ts';
import { openStore } from '../../store/index.ts';
import { retentionFromEnv } from '../../store/retention.ts';
import { type Command, type ParsedArgs, stringOption, writeLine } from '../command.ts';
import { commandContext, LOG_OPTIONS } from '../command-context.ts';
import { untilSignal } from '../signals.ts';
import { takePosting } from '../standby.ts';
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
    'every mention and puts flagged ones in the review queue; each flag is announced here by id.\n' +
    'Campaigns with a share block get their public page on SITE_HOST:SITE_PORT (docs/share-kit.md).',
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
    // Every phase watches this: catch-up posting, a hung platform call, start-up checks.
    const stopping = new AbortController();
    void stopSignal.then((signal) => {
      writeLine(io.stdout, `\n${signal}: stopping…`);
      stopping.abort();
    });
    const ctx = commandContext(io, args);
    // The lengths `validate` checks (a Mastodon instance's own limit when it can be asked), for the
    // files as loaded now and as edited while the bot runs.
    const limits = await lengthSettingsFor(ctx.env, (line) => writeLine(io.stderr, `note: ${line}`));
    const campaigns = loadCampaigns(ctx.campaignsDir, { limits });
    // The bot is the one writer of the data folder: a second bot stops here with STORE_LOCKED.
    const store = await openStore(ctx.storeTarget, {
      use: 'bot',
      logger: ctx.logger,
      clock: () => ctx.clock.now(),
      retention: retentionFromEnv(ctx.env),
    });
    let scheduler: Scheduler;
    let adapters: Adapters;
    try {
      // The deep store checks of `store verify --deep`: a finding is logged and named here, and
      // left for a person (`store verify --deep --repair` writes what can be derived).
      const consistency = await deepCheck(store, {
        campaigns,
        ...(ctx.mode === 'local' ? { mentionsPath: ctx.env.SOLIDARITY_SAMPLE_MENTIONS } : {}),
      });
      for (const finding of consistency.findings) {
        ctx.logger.warn({ code: 'STORE_INCONSISTENT', kind: finding.kind }, finding.message);
      }
      ctx.logger.info(
        { pairs: consistency.pairs, flags: consistency.flags, findings: consistency.findings.length },
        'store cross-checked',
      );
      if (consistency.findings.length > 0) {
        writeLine(
          io.stdout,
          `Store: ${consistency.findings.length} inconsistency(ies) found (see the log); run "solidarity store verify --deep --repair".`,
        );
      }
      // Live adapters keep state in the store (the Bluesky session); monitoring shares them.
      adapters = await createAdapters(
        ctx,
        campaigns.flatMap((c) => c.platforms),
        store,
      );
      // Rejected credentials stop here with exit code 4, naming the env vars.
      const checks = await untilStopped(
        verifyCredentials(adapters, ctx.logger),
        stopping.signal,
        'checking credentials',
      ).catch(async (error: unknown) => {
        if (!isStopped(error)) throw error;
        return undefined;
      });
      if (!checks) {
        await store.close();
        writeLine(io.stdout, 'Stopped.');
        exitSoon();
        return 0;
      }
      for (const [platform, check] of checks) {
        if (!check.ok || isOutbox(platform) || ctx.mode === 'local') continue;
        writeLine(io.stdout, `${platform}: ${check.message}`);
        if (await store.getState(platformStopKey(platform)))
          await store.setState(platformStopKey(platform), null);
      }
      // Exactly-once posting through the journal; pause / stop-all are read before every post.
      const publisher = new Publisher({
        store,
        adapters,
        clock: ctx.clock,
        logger: ctx.logger,
        signal: stopping.signal,
      });
      scheduler = new Scheduler({
        campaigns,
        clock: ctx.clock,
        logger: ctx.logger,
        publisher,
        reloadCampaigns: campaignReloader(campaigns, ctx.logger, {
          limits,
          onReload: (c) =>
            ctx.print(
              `  reloaded  ${c.id}: ${c.file} changed${c.paused ? ' (paused: true in the file)' : ''}`,
            ),
        }),
        signal: stopping.signal,
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
      const accounts = (await store.listModerators()).filter((m) => !m.disabled).length;
      writeLine(
        io.stdout,
        `Review dashboard: ${dashboard.url}` +
          (accounts === 0 ? '  (add an account: npx solidarity moderator add NAME --role admin)' : ''),
      );
      if (dashboard.warning) writeLine(io.stderr, `Warning: ${dashboard.warning}`);
    }

    // The public campaign pages (campaigns with a share block), read-only on SITE_PORT.
    const site = await startShareSite(ctx, campaigns, store, (line) => writeLine(io.stderr, line));
    if (site)
      writeLine(io.stdout, `Share site: ${site.url}${site.counting ? '  (counting share-button taps)' : ''}`);

    // One instance posts: on a shared database another may hold the posting lease; this one then
    // stands by (its dashboard serves meanwhile) and takes over if the holder stops.
    const posting = await takePosting(store, {
      print: (line) => writeLine(io.stdout, line),
      signal: stopping.signal,
    });
    let leaseLost: string | undefined;
    const lost = (posting?.lost ?? new Promise<never>(() => {})).then((reason) => {
      leaseLost = reason;
      writeLine(io.stdout, `Lost the posting lease (${reason}): stopping…`);
      stopping.abort();
    });

    // From here on, one line per post, skipped slot, decision, pause or stop, whoever made it:
    // the catch-up below included.
    if (posting) announceActivity(store, { print: ctx.print, postsPrinted: ctx.mode === 'local' });

    // Slots missed while the bot was down, and intents a crash left unconfirmed.
    for (const r of posting ? await scheduler.recover() : []) {
      if (r.outcome === 'needs-attention') {
        writeLine(
          io.stdout,
          `  ${r.outcome}: ${r.draft.campaign} → ${r.draft.platform} ${r.draft.slotAt.toISOString()} (${r.error ?? ''})`,
        );
      }
    }
    const starting =
      stopping.signal.aborted || !posting
        ? undefined
        : startMonitoring(ctx, campaigns, { store, scorer: score, announce: true, adapters });
    const monitor = await untilStopped(
      starting ?? Promise.resolve(undefined),
      stopping.signal,
      'starting monitoring',
    ).catch((error: unknown) => {
      if (!isStopped(error)) throw error;
      // Left waiting on the network: stopped as soon as it is up, if ever.
      void starting?.then((m) => m.stop()).catch(() => {});
      return undefined;
    });
    if (!stopping.signal.aborted) {
      scheduler.start();
      writeLine(
        io.stdout,
        ctx.mode === 'local'
          ? `Monitoring: replaying ${ctx.env.SOLIDARITY_SAMPLE_MENTIONS}; flagged mentions are listed below and wait for review.`
          : 'Monitoring the campaign hashtags; flagged mentions are listed below and wait for review.',
      );
      writeLine(io.stdout, 'Running. Press Ctrl-C to stop.');
    }
    const signal = await Promise.race([stopSignal, lost.then(() => 'lease lost' as const)]);
    await scheduler.stop();
    await monitor?.stop();
    await dashboard?.close();
    await site?.close();
    if (monitor) {
      const counts = monitor.counts();
      writeLine(
        io.stdout,
        `Mentions: ${counts.seen} seen, ${counts.flagged} flagged, ${counts.queued} in the review queue, ${counts.dropped} dropped.`,
      );
    }
    await posting?.leadership.release();
    await store.close();
    ctx.logger.info({ signal }, 'bot stopped');
    ctx.logger.flush();
    writeLine(io.stdout, 'Stopped.');
    exitSoon();
    if (leaseLost) {
      throw new SolidarityError(
        'STORE_LEASE_LOST',
        `This instance lost its posting lease on ${store.location} (${leaseLost}) and stopped, so that only one instance posts.`,
        {
          hint: 'Check the connection to the database; start the bot again and it stands by, or posts if no other instance does.',
        },
      );
    }
    return 0;
  },
};

/**
 * A platform call abandoned at stop may hold its socket open for minutes; everything that matters
 * is closed and flushed by now, so the process ends half a second later even then. The timer is
 * unref'd: a process with nothing left open ends on its own first.
 */
function exitSoon(): void {
  setTimeout(() => process.exit(), 500).unref();
}

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
