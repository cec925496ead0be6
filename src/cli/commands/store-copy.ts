import { loadEnv } from '../../config/env.ts';
import { SolidarityError } from '../../errors.ts';
import { type CopyReport, copyStore, type StoreCounts } from '../../store/copy.ts';
import { describeTarget, openStore, parseStoreUrl } from '../../store/open.ts';
import { retentionFromEnv } from '../../store/retention.ts';
import { type Command, flag, stringOption, writeLine } from '../command.ts';
import { cliLogger } from '../store-access.ts';

function summary(counts: StoreCounts): string {
  const types = Object.entries(counts.eventTypes)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
  return `${counts.events} events (${types || 'none'}), ${counts.flags} flags, ${counts.reviewEvents} review events, ${counts.journal} journal entries, ${counts.cursors} cursors, ${counts.state} state keys, ${counts.moderators} moderators`;
}

export const storeCopyCommand: Command = {
  name: 'store copy',
  summary: 'Copy everything from one store to another, empty one (file ↔ PostgreSQL), then check the counts',
  usage: 'store copy --from URL --to URL [--json]',
  description: `Copies the activity log, review queue (flags with their decisions), post journal, cursors,
state and moderator accounts from one store to another, empty one, then counts what the target
holds and compares. Exits 6 (STORE_COPY_MISMATCH) when a count differs. Stop the bot first: the
source is read as it is when the copy starts, and the target must not be in use.

URL is a STORE_URL: file:<folder> or postgres://USER:PASSWORD@HOST:5432/DATABASE. A repeated
mention.seen event (same campaign and mention) is copied once. Hourly counts of lines that
retention already dropped go across as counts into PostgreSQL (the charts match); a file store
cannot take them, and the report says how many stay behind.

Examples:
  npx solidarity store copy --from file:data --to postgres://bot:secret@db.example.org/solidarity
  npx solidarity store copy --from postgres://bot:secret@db.example.org/solidarity --to file:backup`,
  options: {
    from: { type: 'string', description: 'the store to copy from', valueName: 'URL' },
    to: { type: 'string', description: 'the empty store to copy into', valueName: 'URL' },
    json: { type: 'boolean', description: 'print the report as one JSON object' },
  },
  async run(args, io) {
    const fromUrl = stringOption(args, 'from');
    const toUrl = stringOption(args, 'to');
    if (!fromUrl || !toUrl) {
      throw new SolidarityError('USAGE', 'store copy needs --from URL and --to URL.', {
        hint: 'For example: solidarity store copy --from file:data --to postgres://USER:PASSWORD@HOST/DATABASE',
      });
    }
    const env = loadEnv(io.env);
    const from = parseStoreUrl(fromUrl, env.SOLIDARITY_DATA_DIR);
    const to = parseStoreUrl(toUrl, env.SOLIDARITY_DATA_DIR);
    if (describeTarget(from) === describeTarget(to)) {
      throw new SolidarityError('USAGE', `--from and --to name the same store (${describeTarget(from)}).`);
    }
    const logger = cliLogger(io);
    const retention = retentionFromEnv(env);
    const source = await openStore(from, { use: 'read', logger, retention });
    let report: CopyReport;
    try {
      const target = await openStore(to, { use: 'change', logger, retention, pruneEveryMs: 0 });
      try {
        if (target.access === 'forwarded') {
          throw new SolidarityError('USAGE', `A bot is running on the target ${target.location}.`, {
            hint: 'Stop the bot that uses the target, then copy again.',
          });
        }
        const json = flag(args, 'json');
        writeLine(json ? io.stderr : io.stdout, `Copying ${source.location} to ${target.location}.`);
        report = await copyStore(source, target, {
          progress: (line) => writeLine(json ? io.stderr : io.stdout, line),
        });
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
    if (flag(args, 'json')) writeLine(io.stdout, JSON.stringify(report));
    else {
      writeLine(io.stdout, `Source: ${summary(report.expected)}.`);
      writeLine(io.stdout, `Target: ${summary(report.copied)}.`);
      const carried = report.countsCarried;
      if (carried.posts > 0 || carried.seen > 0 || carried.alerts > 0) {
        writeLine(
          io.stdout,
          `Hourly counts carried over without their lines (dropped by retention, or repeated): ${carried.seen} mentions seen, ${carried.flagged} flagged, ${carried.posts} posts, ${carried.alerts} alerts.`,
        );
      }
      const lost = report.countsNotCarried;
      if (lost.posts > 0 || lost.seen > 0 || lost.alerts > 0) {
        writeLine(
          io.stdout,
          `Hourly counts not carried over (kept in the source only): ${lost.seen} mentions seen, ${lost.flagged} flagged, ${lost.posts} posts, ${lost.alerts} alerts (text dropped by retention before the copy, or repeated mentions).`,
        );
      }
      if (report.duplicatesSkipped > 0) {
        writeLine(
          io.stdout,
          `Skipped ${report.duplicatesSkipped} repeated mention.seen events (one per campaign and mention).`,
        );
      }
    }
    if (report.mismatches.length > 0) {
      throw new SolidarityError('STORE_COPY_MISMATCH', 'The target does not hold what the source holds.', {
        details: report.mismatches,
        hint: 'Keep using the source. Look for errors above (the target may have refused a record), then copy again into a new, empty target.',
      });
    }
    if (!flag(args, 'json')) writeLine(io.stdout, 'OK: every count matches.');
    return 0;
  },
};
