import { createContext } from '../../context.ts';
import { setStopAll } from '../../scheduler/controls.ts';
import { openStore } from '../../store/index.ts';
import { type Command, type CommandIO, type ParsedArgs, stringOption, writeLine } from '../command.ts';

export async function runStopAll(args: ParsedArgs, io: CommandIO, on: boolean): Promise<number> {
  const ctx = createContext({ env: io.env, debug: io.debug, print: (line) => writeLine(io.stdout, line) });
  const store = await openStore({ dir: ctx.dataDir, mode: 'auto', logger: ctx.logger });
  try {
    await setStopAll(store, on, ctx.clock.now(), stringOption(args, 'reason'));
    const bot =
      store.mode === 'client'
        ? 'The running bot has applied it.'
        : 'No bot is running; it applies at the next start.';
    writeLine(
      io.stdout,
      on
        ? `Emergency stop: no campaign posts anywhere until \`solidarity resume-all\`. ${bot}`
        : `Emergency stop lifted: campaigns post from their next slots (paused ones stay paused). ${bot}`,
    );
  } finally {
    await store.close();
    ctx.logger.flush();
  }
  return 0;
}

export const stopAllCommand: Command = {
  name: 'stop-all',
  summary: 'Emergency stop: no campaign posts on any platform until resume-all',
  usage: 'stop-all [--reason TEXT]',
  description:
    'For when the news changes and scheduled posts would be wrong. Takes effect before the next slot\n' +
    'without restarting the bot; slots that fall due meanwhile are skipped and logged.',
  options: { reason: { type: 'string', valueName: 'TEXT', description: 'why (shown by status, logged)' } },
  run: (args, io) => runStopAll(args, io, true),
};
