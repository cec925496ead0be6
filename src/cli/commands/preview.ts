import { previewPosts } from '../../campaign/preview.ts';
import { renderPost } from '../../campaign/render.ts';
import { type Campaign, PLATFORMS, type Platform } from '../../campaign/schema.ts';
import { nextSlots, slotsBetween } from '../../campaign/slots.ts';
import { type Env, loadEnv } from '../../config/env.ts';
import { SolidarityError } from '../../errors.ts';
import {
  lengthSettingsFromEnv,
  PLATFORM_REGISTRY,
  platformInfo,
  postSettingsFor,
} from '../../platforms/registry.ts';
import { campaignByName } from '../campaign-arg.ts';
import { type Command, flag, stringOption, writeLine } from '../command.ts';
import { previewShare } from './preview-share.ts';

export function parseFrom(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new SolidarityError('USAGE', `--from "${value}" is not an ISO 8601 date-time.`, {
      hint: 'Example: --from 2026-03-29T00:00:00Z (or with an offset, +01:00).',
    });
  }
  return date;
}

export function parsePlatform(value: string | undefined): Platform | undefined {
  if (value === undefined) return undefined;
  if (!(PLATFORMS as readonly string[]).includes(value)) {
    throw new SolidarityError('USAGE', `--platform "${value}" is not one of ${PLATFORMS.join(', ')}.`);
  }
  return value as Platform;
}

const DAY = 86_400_000;

/**
 * The cost lines preview prints for each platform that bills per post (its registry entry's
 * `cost`): the posts shown, and the whole campaign (or 30 days if open-ended).
 */
export async function costLines(
  campaign: Campaign,
  rows: ReadonlyArray<{ platform: string; text: string }>,
  from: Date,
  env: Env,
  only?: Platform,
): Promise<string[]> {
  const lines: string[] = [];
  for (const info of PLATFORM_REGISTRY.map((p) => platformInfo(p.id))) {
    if (!info.cost || !campaign.platforms.includes(info.id) || (only && only !== info.id)) continue;
    const shown = rows.filter((r) => r.platform === info.id).map((r) => r.text);
    lines.push(
      `Estimated ${info.label} API cost of the ${info.label} posts shown: ${await info.cost.describe(shown, env)}`,
    );
    const start = new Date(Math.max(from.getTime(), campaign.start.getTime() - 1));
    const slots = campaign.end
      ? slotsBetween(campaign, start, campaign.end)
      : nextSlots(campaign, start, 100_000).filter((s) => s.at.getTime() <= start.getTime() + 30 * DAY);
    const texts = slots.map((slot) => renderPost(campaign, slot, info.id).text);
    const span = campaign.end
      ? `until the campaign ends (${campaign.end.toISOString()})`
      : 'over the next 30 days';
    lines.push(`Estimated ${info.label} API cost ${span}: ${await info.cost.describe(texts, env)}`);
    lines.push(info.cost.note);
  }
  return lines;
}

export const previewCommand: Command = {
  name: 'preview',
  summary: 'Show the next posts of a campaign: when, where, the final text and its length',
  usage: 'preview ID|FILE [--runs N] [--from ISO] [--platform P] [--json] [--share [--base-url URL]]',
  description:
    'Times are shown in the campaign time zone (with its offset) and in UTC; lengths are measured the\n' +
    'way each network measures them. --json prints one JSON object per line with at, utc, platform,\n' +
    'text, length, limit, fits, slot. --share prints instead every share URL of the campaign page\n' +
    '(solidarity site build), per language, message and network, with the length each network allows.',
  options: {
    runs: { type: 'string', short: 'n', valueName: 'N', description: 'how many posts to show (default 10)' },
    from: { type: 'string', valueName: 'ISO', description: 'start after this instant (default now)' },
    platform: { type: 'string', valueName: 'P', description: `only this platform (${PLATFORMS.join(', ')})` },
    json: { type: 'boolean', description: 'one JSON object per line' },
    share: { type: 'boolean', description: "the campaign page's share URLs instead of the posts" },
    'base-url': { type: 'string', valueName: 'URL', description: 'with --share: public address of the site' },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (!file || extra.length > 0) {
      throw new SolidarityError('USAGE', 'Name exactly one campaign, by its id or its file.', {
        hint: 'Example: npx solidarity preview westandtogether --runs 20 (or the campaign file)',
      });
    }
    const runsText = stringOption(args, 'runs') ?? '10';
    const runs = Number(runsText);
    if (!Number.isInteger(runs) || runs < 1 || runs > 10_000) {
      throw new SolidarityError('USAGE', `--runs "${runsText}" must be a whole number from 1 to 10000.`);
    }
    const campaign = campaignByName(file, io.env);
    if (flag(args, 'share')) return previewShare(campaign, stringOption(args, 'base-url'), io);
    const from = parseFrom(stringOption(args, 'from'), new Date());
    const platform = parsePlatform(stringOption(args, 'platform'));
    if (platform && !campaign.platforms.includes(platform)) {
      throw new SolidarityError(
        'USAGE',
        `${file} does not post to ${platform} (platforms: ${campaign.platforms.join(', ')}).`,
      );
    }
    const env = loadEnv(io.env);
    const rows = previewPosts(
      campaign,
      from,
      runs,
      platform ? [platform] : campaign.platforms,
      lengthSettingsFromEnv(env),
    );
    if (campaign.paused)
      writeLine(io.stderr, `note: ${campaign.id} is paused; nothing is posted until it is resumed.`);
    if (rows.length < runs) {
      writeLine(
        io.stderr,
        `note: only ${rows.length} post(s) left before the campaign ends (or in the next 5 years).`,
      );
    }
    const costs = await costLines(campaign, rows, from, env, platform);
    if (flag(args, 'json')) {
      for (const row of rows) writeLine(io.stdout, JSON.stringify(row));
      // stdout stays one JSON row per line; the estimate goes beside it.
      for (const line of costs) writeLine(io.stderr, `note: ${line}`);
      return 0;
    }
    for (const row of rows) {
      writeLine(
        io.stdout,
        `${row.at}  (${row.utc.replace('.000Z', 'Z')})  ${row.platform.padEnd(7)} ${row.length}/${row.limit} ${row.unit}`,
      );
      for (const line of row.text.split('\n')) writeLine(io.stdout, `    ${line}`);
      const post = postSettingsFor(campaign.overrides, row.platform);
      if (post.spoilerText)
        writeLine(io.stdout, `    [content warning, counted in the length: ${post.spoilerText}]`);
      if (post.visibility) writeLine(io.stdout, `    [visibility: ${post.visibility}]`);
      const image = campaign.messages[row.messageIndex]?.image;
      if (image) writeLine(io.stdout, `    [image ${image.file}, alt text: ${image.alt}]`);
    }
    if (costs.length > 0) writeLine(io.stdout);
    for (const line of costs) writeLine(io.stdout, line);
    return 0;
  },
};
