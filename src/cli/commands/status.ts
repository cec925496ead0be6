import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCampaigns } from '../../campaign/load.ts';
import type { Campaign, Platform } from '../../campaign/schema.ts';
import { loadEnv } from '../../config/env.ts';
import { createContext } from '../../context.ts';
import { isSolidarityError } from '../../errors.ts';
import type { MonitorStatus } from '../../monitor/monitor.ts';
import { monitorStatusLines, readMonitorStatus } from '../../monitor/status.ts';
import { isOutbox } from '../../platforms/registry.ts';
import type { CredentialCheck, RateLimitState } from '../../platforms/types.ts';
import { type CampaignStatus, campaignStatus, formatStatus } from '../../scheduler/status.ts';
import { describeTarget, openStore, parseStoreUrl } from '../../store/index.ts';
import { holderAlive, type LockInfo, readLock } from '../../store/lock.ts';
import { type Command, flag, writeLine } from '../command.ts';

const DAY_MS = 86_400_000;
/** An open high-severity flag older than this needs a moderator (campaigns can set alert_after). */
export const DEFAULT_ALERT_AFTER_MINUTES = 60;
/** The monitor saves its status every 5 s; older than this and it is not live. */
const MONITOR_STALE_MS = 60_000;

export interface BotState {
  running: boolean;
  pid?: number;
  host?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  /** live: sources running and saving; ended: the local sample was replayed in full; else stopped. */
  monitoring: 'live' | 'ended' | 'stopped' | 'never';
}

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h >= 48) return `${Math.floor(h / 24)} days`;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : m > 0 ? `${m} min` : `${seconds} s`;
}

/** Whether a bot runs on the data folder (from its lock) and whether its monitoring is live. */
export function botState(
  lock: LockInfo | undefined,
  monitor: MonitorStatus | undefined,
  now: Date,
): BotState {
  const running = lock !== undefined && lock.role === 'bot' && holderAlive(lock);
  let monitoring: BotState['monitoring'] = 'never';
  if (monitor) {
    const fresh = now.getTime() - Date.parse(monitor.updatedAt) < MONITOR_STALE_MS;
    const failed = monitor.sources.some((s) => s.error);
    if (running && monitor.running && fresh && !failed) monitoring = 'live';
    else if (running && !monitor.running && !failed && monitor.sources.every((s) => isOutbox(s.name)))
      monitoring = 'ended';
    else monitoring = 'stopped';
  }
  if (!running || !lock) return { running: false, monitoring };
  const uptimeSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(lock.startedAt)) / 1000));
  return { running, pid: lock.pid, host: lock.host, startedAt: lock.startedAt, uptimeSeconds, monitoring };
}

function botLine(bot: BotState, dataDir: string): string {
  const monitoring = {
    live: 'monitoring live',
    ended: 'monitoring ended (the local sample stream was replayed in full)',
    stopped: 'monitoring STOPPED',
    never: 'monitoring not started yet',
  }[bot.monitoring];
  if (!bot.running) return `Bot: not running on ${dataDir} (start it with \`npm start\`), so not monitoring.`;
  return `Bot: running on ${dataDir}, PID ${bot.pid} on ${bot.host}, up ${duration(bot.uptimeSeconds ?? 0)}; ${monitoring}.`;
}

export const statusCommand: Command = {
  name: 'status',
  summary:
    'Show what the bot has done and will do: next slot, last post, pending posts, limits, logins, mentions, alerts',
  usage: 'status [--json] [--no-check]',
  description:
    'Reads the data folder (SOLIDARITY_DATA_DIR) without changing it, so it works while the bot runs\n' +
    'and on a read-only copy. The first line says whether a bot runs on this folder (PID, uptime) and\n' +
    'whether its monitoring is live. Then what needs attention, if anything: rejected credentials, a\n' +
    "stopped platform, posts that need a look, open high-severity flags older than the campaign's\n" +
    'alert_after (default 60 minutes), invalid campaign files, stopped monitoring.\n' +
    'Per campaign: posts, mentions seen and flagged and hijack alerts in the last 24 hours, and open\n' +
    'review items; then the monitoring counts, each mention source, and the X read budget used today.\n' +
    'Per campaign and platform: the next slot, the last post (when it was posted, with its URL),\n' +
    'pending and needs-attention posts, the last rate limit, and a login check that posts nothing and\n' +
    'does not refresh a saved Bluesky session (on X it costs one read). --no-check skips the network.\n' +
    'Exit code 0 when all is well, 1 when something needs attention.',
  options: {
    json: { type: 'boolean', description: 'print one JSON object instead of text' },
    'no-check': { type: 'boolean', description: 'do not contact the platforms for the login check' },
  },
  async run(args, io) {
    // Before the context: a data folder that does not exist is not created by looking at it.
    const env = loadEnv(io.env);
    const target = parseStoreUrl(env.STORE_URL, env.SOLIDARITY_DATA_DIR);
    const dataDir = target.backend === 'file' ? target.dir : resolve(env.SOLIDARITY_DATA_DIR);
    const json = flag(args, 'json');
    if (target.backend === 'file' && !existsSync(dataDir)) {
      if (json) writeLine(io.stdout, JSON.stringify({ dataDir, bot: { running: false }, campaigns: [] }));
      else writeLine(io.stdout, `No data yet in ${dataDir}: start the bot with \`npm start\`.`);
      return 0;
    }
    // Status only reads: no log file (it works on a read-only folder), warnings on stderr.
    const ctx = createContext({ env: io.env, debug: io.debug, logFile: false });
    const now = ctx.clock.now();
    const attention: string[] = [];
    let loaded: Campaign[] = [];
    if (existsSync(ctx.campaignsDir)) {
      try {
        loaded = loadCampaigns(ctx.campaignsDir, { posts: false });
      } catch (error) {
        if (!isSolidarityError(error)) throw error;
        attention.push(
          `${error.code}: ${error.message} Run \`npx solidarity validate\` on the file to see why.`,
        );
      }
    }
    const campaignIds = loaded.map((c) => c.id);
    // The file store's lock says whether a bot runs on the folder.
    const lockInfo = target.backend === 'file' ? await readLock(target.dir) : undefined;
    const store = await openStore(ctx.storeTarget, { use: 'read', logger: ctx.logger });
    try {
      const monitor = await readMonitorStatus(store);
      // On a shared database, the instance holding the posting lease is the bot that runs.
      const holder = target.backend === 'file' ? undefined : await store.leadership?.().holder();
      const leaseInfo: LockInfo | undefined =
        holder?.pid !== undefined && holder.host && holder.since
          ? { pid: holder.pid, host: holder.host, startedAt: holder.since, role: 'bot' }
          : undefined;
      const bot = botState(lockInfo === 'unreadable' ? undefined : (lockInfo ?? leaseInfo), monitor, now);
      if (bot.running && bot.monitoring === 'stopped')
        attention.push('monitoring has stopped while the bot runs: see the sources below and data/logs.');

      // Publishing: per campaign and platform, with a login check that changes nothing saved.
      const credentials: Partial<Record<Platform, CredentialCheck>> = {};
      const rateLimits: Partial<Record<Platform, RateLimitState>> = {};
      const platforms = new Set(loaded.flatMap((c) => c.platforms));
      if (ctx.mode === 'local') {
        for (const p of platforms)
          credentials[p] = { ok: true, message: 'local mode: posts go to data/outbox.jsonl' };
      } else if (!flag(args, 'no-check')) {
        // Only a live check loads the network SDKs.
        const { createAdapters } = await import('../../context.ts');
        const adapters = await createAdapters(ctx, platforms, store);
        for (const platform of platforms) {
          const check = await adapters[platform]?.checkCredentials?.({ passive: true });
          if (check) credentials[platform] = check;
          // The login check's answer carries the network's rate-limit figures, where it sends them.
          const limits = adapters[platform]?.rateLimit?.();
          if (limits) rateLimits[platform] = limits;
        }
      }
      const publishing: CampaignStatus[] = [];
      for (const c of loaded) publishing.push(await campaignStatus(c, store, now, credentials, rateLimits));
      attention.push(...publishingAttention(publishing));

      const ids = [...new Set([...campaignIds, ...Object.keys(monitor?.campaigns ?? {})])];
      const range = { from: new Date(now.getTime() - DAY_MS).toISOString(), to: now.toISOString() };
      const campaigns = [];
      for (const id of ids) {
        const stats = await store.stats({ ...range, campaign: id });
        const open = (await store.queuePage({ campaign: id, state: 'open', limit: 1 })).total;
        const published = publishing.find((p) => p.id === id);
        campaigns.push({
          id,
          ...(published
            ? {
                name: published.name,
                state: published.state,
                ...(published.hold ? { hold: published.hold } : {}),
                platforms: published.platforms,
              }
            : {}),
          last24h: {
            posts: stats.posts,
            seen: stats.mentionsSeen,
            flagged: stats.mentionsFlagged,
            alerts: stats.alerts,
          },
          openFlags: open,
        });
      }
      // Open high-severity flags nobody has looked at for longer than the campaign allows.
      const overdue = [];
      const highOpen = await store.queuePage({ state: 'open', severity: 'high', limit: 10_000 });
      for (const flagged of highOpen.items) {
        const campaign = loaded.find((c) => c.id === flagged.campaign);
        const minutes = campaign?.alertAfterMinutes ?? DEFAULT_ALERT_AFTER_MINUTES;
        const waited = (now.getTime() - Date.parse(flagged.createdAt)) / 60_000;
        if (waited > minutes)
          overdue.push({ id: flagged.id, campaign: flagged.campaign, createdAt: flagged.createdAt });
      }
      if (overdue.length > 0) {
        attention.push(
          `${overdue.length} high-severity flag(s) open for longer than the campaign's alert_after, the oldest ` +
            `since ${overdue.map((o) => o.createdAt).sort()[0]}: review them (npx solidarity review list --severity high).`,
        );
      }
      const alerts = [];
      for await (const e of store.events({ since: range.from, types: ['alert.hijack'] })) {
        if (e.type === 'alert.hijack') alerts.push(e);
      }
      const view = await monitorStatusLines(store, ids, now);
      const code = attention.length > 0 ? 1 : 0;
      if (json) {
        writeLine(
          io.stdout,
          JSON.stringify({
            at: now.toISOString(),
            dataDir,
            mode: ctx.mode,
            bot,
            ok: code === 0,
            attention,
            overdueFlags: overdue,
            campaigns,
            hijackAlerts: alerts,
            monitor: monitor ?? null,
            xBudgetExhausted: view.budgetExhausted,
          }),
        );
        return code;
      }
      writeLine(io.stdout, botLine(bot, describeTarget(target)));
      if (attention.length > 0) {
        writeLine(io.stdout, 'Needs attention:');
        for (const line of attention) writeLine(io.stdout, `  - ${line}`);
      }
      writeLine(io.stdout, 'Campaigns (last 24 hours):');
      for (const c of campaigns) {
        writeLine(
          io.stdout,
          `  ${c.id}: ${c.last24h.posts} posts, ${c.last24h.seen} mentions seen, ${c.last24h.flagged} flagged, ` +
            `${c.last24h.alerts} hijack alerts; ${c.openFlags} open in the review queue`,
        );
      }
      if (alerts.length > 0) {
        writeLine(io.stdout, 'Hijack alerts (last 24 hours):');
        for (const a of alerts) {
          writeLine(
            io.stdout,
            `  ${a.at}  ${a.campaign}  #${a.hashtag}: ${Math.round(a.windowShare * 100)}% of mentions flagged (usually ${Math.round(a.baselineShare * 100)}%)`,
          );
        }
      }
      writeLine(io.stdout, `Publishing (${ctx.mode} mode), per campaign and platform:`);
      for (const line of formatStatus(publishing)) writeLine(io.stdout, `  ${line}`);
      for (const line of view.lines) writeLine(io.stdout, line);
      return code;
    } finally {
      await store.close();
    }
  },
};

function publishingAttention(publishing: CampaignStatus[]): string[] {
  const out: string[] = [];
  for (const c of publishing) {
    for (const p of c.platforms) {
      const where = `${c.id} → ${p.platform}`;
      if (p.credentials && !p.credentials.ok) out.push(`${where}: credentials: ${p.credentials.message}`);
      if (p.stopped)
        out.push(`${where}: stopped (${p.stopped.code}) since ${p.stopped.at}: ${p.stopped.message}`);
      if (p.needsAttention.length > 0)
        out.push(`${where}: ${p.needsAttention.length} post(s) need a look (see "needs attention" below).`);
    }
  }
  return out;
}
