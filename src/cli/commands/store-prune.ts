import { type Command, flag, writeLine } from '../command.ts';
import { openForCommand } from '../store-access.ts';

export const storePruneCommand: Command = {
  name: 'store prune',
  summary: 'Apply the retention policy now (the running bot also does it daily)',
  usage: 'store prune [--json]',
  description: `Drops the text of mentions that were not flagged after SOLIDARITY_RETENTION_UNFLAGGED_DAYS
(default 7), and of flagged ones SOLIDARITY_RETENTION_FLAGGED_DAYS (default 90) after their flag
was resolved or dismissed. Hourly counts are kept forever. When the bot is running, the running
bot does the work (through data/inbox) and this command waits for its report.

Example:
  SOLIDARITY_RETENTION_UNFLAGGED_DAYS=3 npx solidarity store prune`,
  options: {
    json: { type: 'boolean', description: 'print the report as one JSON object' },
  },
  async run(args, io) {
    const store = await openForCommand(io, 'change');
    try {
      const report = await store.prune();
      if (flag(args, 'json')) writeLine(io.stdout, JSON.stringify(report));
      else {
        writeLine(
          io.stdout,
          `Retention: unflagged mentions ${report.policy.unflaggedDays} days, flagged ${report.policy.flaggedDays} days after resolution.`,
        );
        writeLine(
          io.stdout,
          store.backend === 'file'
            ? `Pruned: ${report.mentionsDropped} mentions (${report.linesDropped} lines) from ${report.segmentsRewritten} day segments, ${report.flagsDropped} closed flags; ${report.bytesBefore - report.bytesAfter} bytes freed.`
            : `Pruned: ${report.mentionsDropped} mentions (${report.linesDropped} activity log rows), ${report.flagsDropped} closed flags.`,
        );
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};
