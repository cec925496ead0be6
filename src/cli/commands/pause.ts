import { loadCampaigns } from '../../campaign/load.ts';
import { loadEnv } from '../../config/env.ts';
import { SolidarityError } from '../../errors.ts';
import { setPaused } from '../../scheduler/controls.ts';
import { type Command, type CommandIO, type ParsedArgs, stringOption, writeLine } from '../command.ts';
import { changeForCommand } from '../store-access.ts';

/** pause / resume share everything but the direction. */
export async function runPause(args: ParsedArgs, io: CommandIO, on: boolean): Promise<number> {
  const verb = on ? 'pause' : 'resume';
  const [id, ...extra] = args.positionals;
  if (!id || extra.length > 0) {
    throw new SolidarityError('USAGE', 'Name exactly one campaign id.', {
      hint: `Example: npx solidarity ${verb} westandtogether`,
    });
  }
  const campaignsDir = loadEnv(io.env).SOLIDARITY_CAMPAIGNS_DIR;
  const campaigns = loadCampaigns(campaignsDir);
  const campaign = campaigns.find((c) => c.id === id);
  if (!campaign) {
    throw new SolidarityError('CAMPAIGN_UNKNOWN', `No campaign in ${campaignsDir} has the id "${id}".`, {
      hint: `Known ids: ${campaigns.map((c) => c.id).join(', ') || '(none)'}.`,
    });
  }
  const bot = await changeForCommand(io, (store) =>
    setPaused(store, campaign.id, on, new Date(), stringOption(args, 'reason')),
  );
  writeLine(
    io.stdout,
    on
      ? `Paused ${campaign.id}: nothing is posted until \`solidarity resume ${campaign.id}\`. ${bot}`
      : `Resumed ${campaign.id}: it posts from its next slot. ${bot}`,
  );
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
  usage: 'pause CAMPAIGN [--reason TEXT]',
  description:
    'Takes effect before the next slot: a running bot applies it within a second (the command waits\n' +
    'for that). Slots that fall due while paused are skipped and logged, not posted later.',
  options: { reason: { type: 'string', valueName: 'TEXT', description: 'why (shown by status, logged)' } },
  run: (args, io) => runPause(args, io, true),
};
