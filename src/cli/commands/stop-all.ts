import { setStopAll } from '../../scheduler/controls.ts';
import { type Command, type CommandIO, type ParsedArgs, stringOption, writeLine } from '../command.ts';
import { changeForCommand } from '../store-access.ts';

export async function runStopAll(args: ParsedArgs, io: CommandIO, on: boolean): Promise<number> {
  const bot = await changeForCommand(io, (store) =>
    setStopAll(store, on, new Date(), stringOption(args, 'reason')),
  );
  writeLine(
    io.stdout,
    on
      ? `Emergency stop: no campaign posts anywhere until \`npx solidarity resume-all\`. ${bot}`
      : `Emergency stop lifted: campaigns post from their next slots (paused ones stay paused). ${bot}`,
  );
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
