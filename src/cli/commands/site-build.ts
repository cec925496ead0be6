/** `solidarity site build`: the public campaign pages as a static site, to host anywhere. */
import { resolve } from 'node:path';
import { loadCampaigns } from '../../campaign/load.ts';
import { loadEnv } from '../../config/env.ts';
import { SolidarityError } from '../../errors.ts';
import { buildSite, PAGE_BUDGET_BYTES, pageWeight, siteBaseUrl, writeSite } from '../../site/build.ts';
import { type Command, stringOption, writeLine } from '../command.ts';

export const siteBuildCommand: Command = {
  name: 'site build',
  summary: 'Write the public campaign pages (share buttons, QR code, posters) as a static site',
  usage: 'site build [--campaign ID] [--out DIR] [--base-url URL]',
  description:
    'One page per campaign with a share block, and an index: the messages to send, share buttons for\n' +
    'each network, the reporting numbers, a QR code (SVG, PNG), A4 and A5 posters and a link-preview\n' +
    'image. Plain HTML and CSS, no cookies, nothing loaded from other sites. Copy the folder to any web\n' +
    'host; `solidarity start` also serves it on SITE_PORT. The base URL is where you publish it: the QR\n' +
    'codes and share links point there.\n\n' +
    'Example: npx solidarity site build --out public --base-url https://example.org/stand/',
  options: {
    campaign: { type: 'string', valueName: 'ID', description: 'only this campaign (default all)' },
    out: {
      type: 'string',
      valueName: 'DIR',
      description: 'output folder (default SOLIDARITY_DATA_DIR/site)',
    },
    'base-url': {
      type: 'string',
      valueName: 'URL',
      description: 'public address of the site (default SITE_BASE_URL, else http://SITE_HOST:SITE_PORT/)',
    },
  },
  async run(args, io) {
    if (args.positionals.length > 0) {
      throw new SolidarityError('USAGE', `Unexpected argument "${args.positionals[0]}".`, {
        hint: 'Campaigns come from SOLIDARITY_CAMPAIGNS_DIR; pick one with --campaign ID.',
      });
    }
    const env = loadEnv(io.env);
    const campaignsDir = resolve(env.SOLIDARITY_CAMPAIGNS_DIR);
    const given = stringOption(args, 'base-url');
    let base: { url: string; assumed: boolean };
    try {
      base = siteBaseUrl(given, env);
    } catch (error) {
      throw new SolidarityError(
        given === undefined ? 'ENV_INVALID' : 'USAGE',
        `${given === undefined ? 'SITE_BASE_URL' : '--base-url'} "${given ?? env.SITE_BASE_URL}" cannot be used: ${(error as Error).message}.`,
        { hint: 'Give the address the site is published at, e.g. https://example.org/stand/' },
      );
    }
    let campaigns = loadCampaigns(campaignsDir);
    const id = stringOption(args, 'campaign');
    if (id !== undefined) {
      campaigns = campaigns.filter((c) => c.id === id);
      if (campaigns.length === 0) {
        throw new SolidarityError('CAMPAIGN_UNKNOWN', `No campaign in ${campaignsDir} has the id "${id}".`, {
          hint: 'Run without --campaign to build every campaign, or check the id: field.',
        });
      }
    }
    const out = resolve(stringOption(args, 'out') ?? resolve(env.SOLIDARITY_DATA_DIR, 'site'));
    const site = await buildSite(campaigns, { baseUrl: base.url });
    try {
      writeSite(site, out);
    } catch (error) {
      throw new SolidarityError(
        'SITE_OUTPUT',
        `Cannot write the site to ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
        { hint: 'Choose a folder you can write to with --out.' },
      );
    }
    for (const campaign of campaigns) {
      if (!campaign.share) {
        writeLine(io.stdout, `${campaign.id}: no share block, so no page (see docs/share-kit.md)`);
        continue;
      }
      const weight = pageWeight(site, campaign.id);
      const languages = campaign.share.languages.map((l) => l.lang).join(', ');
      writeLine(
        io.stdout,
        `${campaign.id}: ${base.url}${campaign.id}/  (${(weight / 1024).toFixed(1)} KB before images; ` +
          `${campaign.share.networks.length} networks; ${languages})`,
      );
      if (weight > PAGE_BUDGET_BYTES)
        writeLine(
          io.stderr,
          `warning: ${campaign.id}'s page is ${(weight / 1024).toFixed(1)} KB, over the ${PAGE_BUDGET_BYTES / 1024} KB budget: fewer messages, languages or networks make it lighter.`,
        );
    }
    writeLine(io.stdout, `Wrote ${site.size} files to ${out}`);
    if (base.assumed)
      writeLine(
        io.stderr,
        `note: links and QR codes point at ${base.url} (this machine). Pass --base-url with the public address before publishing.`,
      );
    return 0;
  },
};
