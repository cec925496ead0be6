import { renderPost } from '../../campaign/render.ts';
import { PLATFORMS } from '../../campaign/schema.ts';
import { nextSlots } from '../../campaign/slots.ts';
import { createAdapters } from '../../context.ts';
import { SolidarityError } from '../../errors.ts';
import { holdFor } from '../../scheduler/controls.ts';
import { Publisher, type PublishResult } from '../../scheduler/publish.ts';
import { openStore } from '../../store/index.ts';
import { campaignByName } from '../campaign-arg.ts';
import { type Command, stringOption, writeLine } from '../command.ts';
import { commandContext } from '../command-context.ts';
import { parsePlatform } from './preview.ts';

export const postNowCommand: Command = {
  name: 'post-now',
  summary: "Post a campaign's next message at once (to every platform, or one)",
  usage: 'post-now ID|FILE [--platform P]',
  description:
    'Renders the message of the next slot and posts it now, through the same journal as the bot: when\n' +
    'that slot comes, it is not posted again. A paused or stopped campaign is refused. In local mode\n' +
    'it goes to data/outbox.jsonl. Beside a running bot, the journal writes go through the bot.',
  options: {
    platform: { type: 'string', valueName: 'P', description: `only this platform (${PLATFORMS.join(', ')})` },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (!file || extra.length > 0) {
      throw new SolidarityError('USAGE', 'Name exactly one campaign, by its id or its file.', {
        hint: 'Example: npx solidarity post-now westandtogether --platform bluesky (or the campaign file)',
      });
    }
    const campaign = campaignByName(file, io.env);
    const platform = parsePlatform(stringOption(args, 'platform'));
    if (platform && !campaign.platforms.includes(platform)) {
      throw new SolidarityError(
        'USAGE',
        `${file} does not post to ${platform} (platforms: ${campaign.platforms.join(', ')}).`,
      );
    }
    const ctx = commandContext(io);
    const platforms = platform ? [platform] : campaign.platforms;
    const [slot] = nextSlots(campaign, ctx.clock.now(), 1);
    if (!slot) throw new SolidarityError('USAGE', `${campaign.id} has no slot left (it has ended).`);
    const store = await openStore(ctx.storeTarget, { use: 'change', logger: ctx.logger });
    const results: PublishResult[] = [];
    try {
      const hold = await holdFor(campaign, store);
      if (hold.held) {
        throw new SolidarityError('USAGE', `${campaign.id} is held (${hold.reason}); nothing was posted.`, {
          hint: 'Lift the hold first (npx solidarity resume / resume-all, or paused: false in the file).',
        });
      }
      const adapters = await createAdapters(ctx, platforms, store);
      const publisher = new Publisher({ store, adapters, clock: ctx.clock, logger: ctx.logger });
      for (const p of platforms)
        results.push(await publisher.publish(campaign, renderPost(campaign, slot, p)));
    } finally {
      await store.close();
    }
    ctx.logger.flush();
    for (const r of results) {
      if (r.outcome === 'done') writeLine(io.stdout, `${r.draft.platform}: this slot was already posted`);
      if (r.outcome === 'posted' || r.outcome === 'already-posted') {
        writeLine(
          io.stdout,
          `${r.draft.platform}: ${r.outcome === 'posted' ? 'posted' : 'was already posted'} ${r.post?.url ?? ''}`,
        );
      }
    }
    const failed = results.filter(
      (r) => r.outcome !== 'posted' && r.outcome !== 'already-posted' && r.outcome !== 'done',
    );
    for (const r of failed)
      writeLine(io.stderr, `${r.outcome} on ${r.draft.platform}: ${r.error?.message ?? r.reason ?? ''}`);
    if (failed.length > 0) {
      const auth = failed.find((r) => r.error?.kind === 'auth')?.error;
      if (auth) throw auth;
      throw new SolidarityError(
        'PLATFORM_ERROR',
        `${failed.length} of ${results.length} post(s) did not go out.`,
        {
          hint: 'See npx solidarity status and the log in data/logs/ for details.',
        },
      );
    }
    return 0;
  },
};
