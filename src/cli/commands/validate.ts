import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { campaignFiles, formatProblem, type Validation, validateCampaignFile } from '../../campaign/load.ts';
import { neverPostsReason } from '../../campaign/slots.ts';
import { type Env, loadEnv } from '../../config/env.ts';
import { SolidarityError } from '../../errors.ts';
import { lengthSettingsFor } from '../../platforms/length-settings.ts';
import { type Command, writeLine } from '../command.ts';

/** Line of the `id:` (or `"id":`) field in a campaign file, for a problem about the id. */
function idLine(path: string): number {
  try {
    const lines = readFileSync(path, 'utf8').split('\n');
    const i = lines.findIndex((l) => /^\s*"?id"?\s*:/.test(l));
    return i >= 0 ? i + 1 : 1;
  } catch {
    return 1;
  }
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check campaign files: schema, times, templates, platform lengths',
  usage: 'validate FILE...',
  description:
    'Checks everything `start` checks, and reports every problem in every file at once, each with\n' +
    'file:line:column, the field and a hint: the schema, time zone and times, cron, templates and\n' +
    "links, each message's length on each network, slot spacing, images (found, small enough, and\n" +
    'really PNG, JPEG, GIF or WebP), the same hashtag listed twice, at most 1,000 messages and 1 MB,\n' +
    'UTF-8 only (naming the byte), strict JSON for .json files, an id also used by another file given\n' +
    'or in the campaigns folder, and a campaign that will never post (with why). Lengths on a network\n' +
    'whose limit differs per server (Mastodon) are checked against its own limit when it can be asked\n' +
    '(live mode, MASTODON_URL set), else against the configured one (MASTODON_MAX_CHARACTERS).\n' +
    'Exit code 0 when all files are valid (warnings allowed), 3 when any has a problem.\n\n' +
    'Example: npx solidarity validate campaigns/*.yaml',
  async run(args, io) {
    if (args.positionals.length === 0) {
      throw new SolidarityError('USAGE', 'Name at least one campaign file.', {
        hint: 'Example: npx solidarity validate campaigns/*.yaml',
      });
    }
    const now = new Date();
    let env: Env | undefined;
    try {
      env = loadEnv(io.env);
    } catch {
      // A broken .env does not stop campaign checks: the networks' defaults apply.
    }
    const limits = env ? await lengthSettingsFor(env, (line) => writeLine(io.stderr, `note: ${line}`)) : {};
    const results: Validation[] = args.positionals.map((file) =>
      validateCampaignFile(file, process.cwd(), { limits }),
    );

    // Ids: two files given, or a file given and one in the campaigns folder, must not share one.
    const given = new Set(args.positionals.map((f) => resolve(f)));
    const others: Validation[] = [];
    try {
      for (const file of campaignFiles(loadEnv(io.env).SOLIDARITY_CAMPAIGNS_DIR)) {
        if (!given.has(resolve(file)))
          others.push(validateCampaignFile(file, process.cwd(), { posts: false }));
      }
    } catch {
      // No campaigns folder: nothing to clash with.
    }
    const owner = new Map<string, string>();
    for (const v of [...others, ...results]) {
      const id = v.campaign?.id;
      if (!id) continue;
      const first = owner.get(id);
      if (first === undefined) {
        owner.set(id, v.file);
        continue;
      }
      if (!results.includes(v)) continue;
      v.problems.push({
        file: v.file,
        line: idLine(v.campaign!.file),
        column: 1,
        field: 'id',
        message: `the id "${id}" is also the id of ${first}`,
        hint: 'Every campaign needs its own id (it keys the posts already made): change one of them.',
      });
    }

    // A campaign that can never post is a mistake the bot would only show as silence.
    for (const v of results) {
      if (!v.campaign || v.problems.length > 0) continue;
      const why = neverPostsReason(v.campaign, now);
      if (why) {
        v.problems.push({
          file: v.file,
          line: 1,
          column: 1,
          field: 'schedules',
          message: `this campaign will never post: ${why}`,
          hint: 'Check start, end, the schedules and quiet_hours; preview shows the next posts.',
        });
      }
    }

    for (const result of results) {
      for (const warning of result.warnings) writeLine(io.stderr, formatProblem(warning, 'warning'));
      if (result.campaign && result.problems.length === 0) {
        const c = result.campaign;
        writeLine(
          io.stdout,
          `ok ${result.file}: "${c.name}" (${c.id}), ${c.messages.length} messages, ` +
            `${c.platforms.join(' + ')}, ${c.timezone}${c.paused ? ', PAUSED' : ''}`,
        );
      }
    }
    const failed = results.filter((r) => r.problems.length > 0);
    if (failed.length === 0) return 0;
    const count = failed.reduce((n, r) => n + r.problems.length, 0);
    throw new SolidarityError('CAMPAIGN_INVALID', `${count} problem(s) in ${failed.length} file(s).`, {
      details: failed.flatMap((r) => r.problems.map((p) => formatProblem(p))),
      hint: 'Fix each problem at the line shown, then validate again.',
    });
  },
};
