import { loadCampaigns } from '../../campaign/load.ts';
import type { Platform } from '../../campaign/schema.ts';
import { createAdapters, createContext } from '../../context.ts';
import type { CredentialCheck } from '../../platforms/types.ts';
import { campaignStatus, formatStatus } from '../../scheduler/status.ts';
import { openStore } from '../../store/index.ts';
import { type Command, flag, writeLine } from '../command.ts';

export const statusCommand: Command = {
  name: 'status',
  summary:
    'Per campaign and platform: next slot, last post, pending and needs-attention posts, limits, logins',
  usage: 'status [--json] [--no-check]',
  description:
    'Reads the store (safe beside a running bot) and checks each platform login without posting and\n' +
    'without refreshing a saved Bluesky session (on X it costs one read). --no-check skips the network.',
  options: {
    json: { type: 'boolean', description: 'print one JSON object' },
    'no-check': { type: 'boolean', description: 'do not contact the platforms' },
  },
  async run(args, io) {
    const ctx = createContext({ env: io.env, debug: io.debug, print: (line) => writeLine(io.stderr, line) });
    const campaigns = loadCampaigns(ctx.campaignsDir);
    const store = await openStore({ dir: ctx.dataDir, mode: 'reader', logger: ctx.logger });
    try {
      const credentials: Partial<Record<Platform, CredentialCheck>> = {};
      const platforms = new Set(campaigns.flatMap((c) => c.platforms));
      if (ctx.mode === 'local') {
        for (const p of platforms)
          credentials[p] = { ok: true, message: 'local mode: posts go to data/outbox.jsonl' };
      } else if (!flag(args, 'no-check')) {
        const adapters = createAdapters(ctx, platforms, store);
        for (const [platform, adapter] of Object.entries(adapters) as Array<
          [Platform, (typeof adapters)[Platform]]
        >) {
          const check = await adapter?.checkCredentials?.({ passive: true });
          if (check) credentials[platform] = check;
        }
      }
      const statuses = campaigns.map((c) => campaignStatus(c, store, ctx.clock.now(), credentials));
      if (flag(args, 'json')) {
        writeLine(
          io.stdout,
          JSON.stringify({ mode: ctx.mode, at: ctx.clock.now().toISOString(), campaigns: statuses }),
        );
      } else {
        writeLine(io.stdout, `mode: ${ctx.mode}`);
        for (const line of formatStatus(statuses)) writeLine(io.stdout, line);
      }
      return 0;
    } finally {
      await store.close();
      ctx.logger.flush();
    }
  },
};
