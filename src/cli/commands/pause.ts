import { SolidarityError } from '../../errors.ts';
import { type ControlState, pausedKey, setPaused } from '../../scheduler/controls.ts';
import { campaignByName } from '../campaign-arg.ts';
import { type Command, type CommandIO, type ParsedArgs, stringOption, writeLine } from '../command.ts';
import { changeForCommand } from '../store-access.ts';

/** pause / resume share everything but the direction. */
export async function runPause(args: ParsedArgs, io: CommandIO, on: boolean): Promise<number> {
  const verb = on ? 'pause' : 'resume';
  const [name, ...extra] = args.positionals;
  if (!name || extra.length > 0) {
    throw new SolidarityError('USAGE', 'Name exactly one campaign, by its id or its file.', {
      hint: `Example: npx solidarity ${verb} westandtogether`,
    });
  }
  const campaign = campaignByName(name, io.env);
  // Said as it is: pausing a paused campaign or resuming a running one changes nothing.
  let already: ControlState | undefined;
  const bot = await changeForCommand(io, async (store) => {
    const current = await store.getState<ControlState>(pausedKey(campaign.id));
    if (Boolean(current?.on) === on) {
      already = current ?? { on: false, at: '' };
      return;
    }
    await setPaused(store, campaign.id, on, new Date(), stringOption(args, 'reason'));
  });
  if (already) {
    writeLine(
      io.stdout,
      on
        ? `${campaign.id} is already paused (since ${already.at}); nothing changed.`
        : `${campaign.id} is not paused${campaign.paused ? '' : ': it is posting'}; nothing changed.`,
    );
  } else {
    writeLine(
      io.stdout,
      on
        ? `Paused ${campaign.id}: nothing is posted until \`npx solidarity resume ${campaign.id}\`. ${bot}`
        : `Resumed ${campaign.id}: it posts from its next slot. ${bot}`,
    );
  }
  if (!on && campaign.paused) {
    writeLine(
      io.stderr,
      `note: ${campaign.file} still says paused: true, which holds the campaign; set it to false.`,
    );
  }
  return 0;
}

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'Stop one campaign posting, at once and without restarting the bot',
  usage: 'pause ID|FILE [--reason TEXT]',
  description:
    'Takes effect before the next slot: a running bot applies it within a second (the command waits\n' +
    'for that). Slots that fall due while paused are skipped and logged, not posted later.',
  options: { reason: { type: 'string', valueName: 'TEXT', description: 'why (shown by status, logged)' } },
  run: (args, io) => runPause(args, io, true),
};
