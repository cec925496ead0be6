import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { SolidarityError } from '../../errors.ts';
import { type ExportFormat, exportEvents } from '../../store/export.ts';
import { activityEventSchema } from '../../store/schema.ts';
import type { ActivityType } from '../../store/types.ts';
import { type Command, stringOption, writeLine } from '../command.ts';
import { openForCommand } from '../store-access.ts';

const TYPES = activityEventSchema.options.map((o) => o.shape.type.value) as ActivityType[];

/** An instant from "2026-11-20", "2026-11-20T14:00:00Z" or a span back from now ("7d", "12h", "30m"). */
export function parseWhen(value: string, option: string, now: Date): string {
  const relative = /^(\d+)([dhm])$/.exec(value);
  if (relative) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - Number(relative[1]) * unit).toISOString();
  }
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(t)) {
    throw new SolidarityError(
      'USAGE',
      `--${option} "${value}" is not a date, an ISO time or a span like 7d, 12h, 30m.`,
      {
        hint: `Example: --${option} 2026-11-20 or --${option} 7d`,
      },
    );
  }
  return new Date(t).toISOString();
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Stream activity events as JSON Lines or CSV (evidence, analysis)',
  usage: 'export [--since WHEN] [--until WHEN] [--format FORMAT] [--type TYPE]... [--out FILE]',
  description: `Streams events from the activity log in time order, one at a time: memory stays constant
however large the log. Reads without the lock, so it works while the bot runs. WHEN is a date
(2026-11-20, UTC midnight), an ISO time, or a span back from now (7d, 12h, 30m). --since is
inclusive, --until exclusive. CSV has one row per event with the columns
at,type,campaign,platform,id,url,author,text,flagged,score,severity,rules,flag_id,action,by,outcome,note,detail;
cells that a spreadsheet would run as a formula start with an apostrophe.

Types: ${TYPES.join(', ')}

Examples:
  npx solidarity export --since 7d --format csv --out evidence.csv
  npx solidarity export --since 2026-11-20 --until 2026-11-21 --type mention.seen --type review.event`,
  options: {
    since: { type: 'string', valueName: 'WHEN', description: 'first instant (inclusive)' },
    until: { type: 'string', valueName: 'WHEN', description: 'last instant (exclusive)' },
    format: { type: 'string', valueName: 'FORMAT', description: 'jsonl (default) or csv' },
    type: {
      type: 'string',
      multiple: true,
      valueName: 'TYPE',
      description: 'only events of this type (repeat)',
    },
    out: { type: 'string', valueName: 'FILE', description: 'write to FILE instead of stdout' },
  },
  async run(args, io) {
    const format = (stringOption(args, 'format') ?? 'jsonl') as ExportFormat;
    if (format !== 'jsonl' && format !== 'csv') {
      throw new SolidarityError('USAGE', `--format "${format}" is not one of jsonl, csv.`);
    }
    const now = new Date();
    const sinceText = stringOption(args, 'since');
    const untilText = stringOption(args, 'until');
    const since = sinceText === undefined ? undefined : parseWhen(sinceText, 'since', now);
    const until = untilText === undefined ? undefined : parseWhen(untilText, 'until', now);
    const types = (args.values.type as string[] | undefined) ?? [];
    for (const t of types) {
      if (!TYPES.includes(t as ActivityType)) {
        throw new SolidarityError('USAGE', `--type "${t}" is not an event type.`, {
          hint: `Types: ${TYPES.join(', ')}`,
        });
      }
    }
    const store = await openForCommand(io, 'read');
    const outPath = stringOption(args, 'out');
    const out: Writable = outPath ? createWriteStream(outPath) : io.stdout;
    const count = await exportEvents(
      store.events({
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
        ...(types.length ? { types: types as ActivityType[] } : {}),
      }),
      format,
      out,
    );
    if (outPath) {
      out.end();
      await finished(out);
      writeLine(io.stderr, `Exported ${count} events to ${outPath}.`);
    }
    await store.close();
    return 0;
  },
};
