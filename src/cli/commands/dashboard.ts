/** `solidarity dashboard`: the review dashboard on its own, without posting or monitoring. */
import { startDashboard } from '../../dashboard/server.ts';
import { SolidarityError } from '../../errors.ts';
import { openStore, type StoreAccess } from '../../store/index.ts';
import { type Command, stringOption, writeLine } from '../command.ts';
import { commandContext, LOG_OPTIONS } from '../command-context.ts';
import { untilSignal } from '../signals.ts';

function holding(access: StoreAccess): string {
  if (access === 'owner') return 'holding the data folder';
  if (access === 'shared') return 'on the shared database';
  return 'a running bot holds the data folder; decisions go through it';
}

export const dashboardCommand: Command = {
  name: 'dashboard',
  summary: 'Run the review dashboard alone (no posting, no monitoring)',
  usage: 'dashboard [--host HOST] [--port N] [--verbose] [--log-file none]',
  description:
    "Serves the moderators' dashboard on DASHBOARD_HOST:DASHBOARD_PORT (default 127.0.0.1:3000).\n" +
    '"npm start" runs the same dashboard inside the bot; use this when the bot runs elsewhere or is\n' +
    'stopped. When a bot already holds the data folder, this one reads its data and sends decisions\n' +
    'through the bot. Add an account first: npx solidarity moderator add NAME --role admin',
  options: {
    ...LOG_OPTIONS,
    host: { type: 'string', valueName: 'HOST', description: 'listen address (default DASHBOARD_HOST)' },
    port: {
      type: 'string',
      valueName: 'N',
      description: 'port (default DASHBOARD_PORT; 0 picks a free one)',
    },
  },
  async run(args, io) {
    const stopSignal = untilSignal(io);
    const ctx = commandContext(io, args);
    const host = stringOption(args, 'host') ?? ctx.env.DASHBOARD_HOST;
    const portText = stringOption(args, 'port');
    const port = portText === undefined ? ctx.env.DASHBOARD_PORT : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new SolidarityError('USAGE', `--port must be a number from 0 to 65535, not "${portText}".`);
    }
    // Long-running, so it owns the data like the bot does when no bot runs (CLI commands then go
    // through it); when a bot already runs, it reads the bot's data and sends decisions to it.
    const store = await openStore(ctx.storeTarget, { use: 'serve', logger: ctx.logger });
    try {
      const dashboard = await startDashboard({
        store,
        logger: ctx.logger,
        env: { ...ctx.env, DASHBOARD_HOST: host, DASHBOARD_PORT: port },
        ...(store.access === 'owner' ? {} : { refresh: () => store.refresh() }),
      });
      const accounts = (await store.listModerators()).filter((m) => !m.disabled).length;
      if (dashboard.warning) writeLine(io.stderr, `Warning: ${dashboard.warning}`);
      writeLine(io.stdout, `Review dashboard: ${dashboard.url}  (${holding(store.access)})`);
      if (accounts === 0)
        writeLine(io.stdout, 'No accounts yet: add one with  npx solidarity moderator add NAME --role admin');
      writeLine(io.stdout, 'Press Ctrl-C to stop.');
      const signal = await stopSignal;
      writeLine(io.stdout, `\n${signal}: stopping…`);
      await dashboard.close();
    } finally {
      await store.close();
      ctx.logger.flush();
    }
    return 0;
  },
};
