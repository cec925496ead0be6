/** `preview FILE --share`: every share URL of the campaign page, before publishing it. */
import type { Campaign } from '../../campaign/schema.ts';
import { loadEnv } from '../../config/env.ts';
import { SolidarityError } from '../../errors.ts';
import { siteBaseUrl } from '../../site/build.ts';
import { shareLines } from '../../site/share-preview.ts';
import { type CommandIO, writeLine } from '../command.ts';

export function previewShare(campaign: Campaign, baseUrl: string | undefined, io: CommandIO): number {
  if (!campaign.share) {
    throw new SolidarityError('USAGE', `${campaign.file} has no share block, so it has no campaign page.`, {
      hint: 'Add a share: block (see docs/share-kit.md), then run this again.',
    });
  }
  let base: { url: string; assumed: boolean };
  try {
    base = siteBaseUrl(baseUrl, loadEnv(io.env));
  } catch (error) {
    throw new SolidarityError(
      'USAGE',
      `--base-url "${baseUrl}" cannot be used: ${(error as Error).message}.`,
      {
        hint: 'Give the address the site is published at, e.g. https://example.org/stand/',
      },
    );
  }
  for (const line of shareLines(campaign, base.url)) writeLine(io.stdout, line);
  if (base.assumed)
    writeLine(io.stderr, `note: the page address assumes ${base.url}; pass --base-url with the public one.`);
  return 0;
}
