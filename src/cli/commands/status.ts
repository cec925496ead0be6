import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCampaigns } from '../../campaign/load.ts';
import type { Platform } from '../../campaign/schema.ts';
import { loadEnv } from '../../config/env.ts';
import { createAdapters } from '../../context.ts';
import { readMonitorStatus } from '../../monitor/monitor.ts';
import { monitorStatusLines } from '../../monitor/status.ts';
import type { CredentialCheck } from '../../platforms/types.ts';
import { campaignStatus, formatStatus } from '../../scheduler/status.ts';
import { openStore } from '../../store/index.ts';
import { type Command, flag, writeLine } from '../command.ts';
import { commandContext } from '../command-context.ts';

const DAY_MS = 86_400_000;

export const statusCommand: Command = {
  name: 'status',
  summary:
    'Show what the bot has done and will do: next slot, last post, pending posts, limits, logins, mentions, alerts',
  usage: 'status [--json] [--no-check]',
  description:
    'Reads the data folder (SOLIDARITY_DATA_DIR) without changing it, so it works while the bot runs.\n' +
    'Per campaign: posts, mentions seen and flagged and hijack alerts in the last 24 hours, and open\n' +
    'review items; then the monitoring counts the bot last saved (seen, scored, stored, flagged, queued,\n' +
    'dropped…), each mention source, and the X read budget used today (X_READ_BUDGET_EXHAUSTED when spent).\n' +
    'Per campaign and platform: the next slot, the last post with its URL, pending and needs-attention\n' +
    'posts, the last rate limit, and a login check that posts nothing and does not refresh a saved\n' +
    'Bluesky session (on X it costs one read). --no-check skips the network.',
  options: {
    json: { type: 'boolean', description: 'print one JSON object instead of text' },
    'no-check': { type: 'boolean', description: 'do not contact the platforms for the login check' },
  },
  async run(args, io) {
    // Before the context, which creates the data folder for its logs.
    const dataDir = resolve(loadEnv(io.env).SOLIDARITY_DATA_DIR);
    if (!existsSync(dataDir)) {
      if (flag(args, 'json')) writeLine(io.stdout, JSON.stringify({ dataDir, campaigns: [] }));
      else writeLine(io.stdout, `No data yet in ${dataDir}: start the bot with \`npm start\`.`);
      return 0;
    }
    const ctx = commandContext(io);
    const now = ctx.clock.now();
    const loaded = existsSync(ctx.campaignsDir) ? loadCampaigns(ctx.campaignsDir) : [];
    const campaignIds = loaded.map((c) => c.id);
    const store = await openStore({ dir: ctx.dataDir, mode: 'reader', logger: ctx.logger });
    try {
      // Publishing: per campaign and platform, with a login check that changes nothing saved.
      const credentials: Partial<Record<Platform, CredentialCheck>> = {};
      const platforms = new Set(loaded.flatMap((c) => c.platforms));
      if (ctx.mode === 'local') {
        for (const p of platforms)
          credentials[p] = { ok: true, message: 'local mode: posts go to data/outbox.jsonl' };
      } else if (!flag(args, 'no-check')) {
        const adapters = await createAdapters(ctx, platforms, store);
        for (const platform of platforms) {
          const check = await adapters[platform]?.checkCredentials?.({ passive: true });
          if (check) credentials[platform] = check;
        }
      }
      const publishing = loaded.map((c) => campaignStatus(c, store, now, credentials));
      const monitor = readMonitorStatus(store);
      const ids = [...new Set([...campaignIds, ...Object.keys(monitor?.campaigns ?? {})])];
      const range = { from: new Date(now.getTime() - DAY_MS).toISOString(), to: now.toISOString() };
      const campaigns = [];
      for (const id of ids) {
        const stats = await store.stats({ ...range, campaign: id });
        const open = store.queuePage({ campaign: id, state: 'open', limit: 1 }).total;
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
      const alerts = [];
      for await (const e of store.events({ since: range.from, types: ['alert.hijack'] })) {
        if (e.type === 'alert.hijack') alerts.push(e);
      }
      const view = monitorStatusLines(store, ids, now);
      if (flag(args, 'json')) {
        writeLine(
          io.stdout,
          JSON.stringify({
            at: now.toISOString(),
            mode: ctx.mode,
            campaigns,
            hijackAlerts: alerts,
            monitor: monitor ?? null,
            xBudgetExhausted: view.budgetExhausted,
          }),
        );
        return 0;
      }
      writeLine(io.stdout, `Campaigns (last 24 hours, data in ${ctx.dataDir}):`);
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
      return 0;
    } finally {
      await store.close();
    }
  },
};
