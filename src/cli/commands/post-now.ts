import { loadCampaign } from '../../campaign/load.ts';
import { nextSlots } from '../../campaign/slots.ts';
import { createAdapters, createContext } from '../../context.ts';
import { SolidarityError } from '../../errors.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { type Command, stringOption, writeLine } from '../command.ts';
import { parsePlatform } from './preview.ts';

export const postNowCommand: Command = {
  name: 'post-now',
  summary: "Post a campaign's next message at once (to every platform, or one)",
  usage: 'post-now FILE [--platform P]',
  description:
    'Renders the message of the next slot and posts it now. In local mode it goes to data/outbox.jsonl.',
  options: {
    platform: { type: 'string', valueName: 'P', description: 'only this platform (local, x, bluesky)' },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (!file || extra.length > 0) {
      throw new SolidarityError('USAGE', 'Name exactly one campaign file.', {
        hint: 'Example: npx solidarity post-now campaigns/westandtogether.yaml --platform bluesky',
      });
    }
    const campaign = loadCampaign(file);
    const platform = parsePlatform(stringOption(args, 'platform'));
    if (platform && !campaign.platforms.includes(platform)) {
      throw new SolidarityError(
        'USAGE',
        `${file} does not post to ${platform} (platforms: ${campaign.platforms.join(', ')}).`,
      );
    }
    const ctx = createContext({ env: io.env, debug: io.debug, print: (line) => writeLine(io.stdout, line) });
    const platforms = platform ? [platform] : campaign.platforms;
    const [slot] = nextSlots(campaign, ctx.clock.now(), 1);
    if (!slot) throw new SolidarityError('USAGE', `${campaign.id} has no slot left (it has ended).`);
    const scheduler = new Scheduler({
      campaigns: [campaign],
      adapters: createAdapters(ctx, platforms),
      clock: ctx.clock,
      logger: ctx.logger,
    });
    const results = await scheduler.postSlot(campaign, slot, platforms);
    ctx.logger.flush();
    const failed = results.filter((r) => r.error);
    for (const r of failed) writeLine(io.stderr, `failed on ${r.draft.platform}: ${r.error}`);
    if (failed.length > 0) {
      throw new SolidarityError('PLATFORM_ERROR', `${failed.length} of ${results.length} post(s) failed.`, {
        hint: 'See the log in data/logs/ for details.',
      });
    }
    return 0;
  },
};
