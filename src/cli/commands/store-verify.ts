import { SolidarityError } from '../../errors.ts';
import { verifyStore } from '../../store/verify.ts';
import { type Command, flag, writeLine } from '../command.ts';
import { storeSettings } from '../store-access.ts';

export const storeVerifyCommand: Command = {
  name: 'store verify',
  summary: 'Check every file in the data folder and report counts (read-only, safe while the bot runs)',
  usage: 'store verify [--json]',
  description: `Reads state.json, the write-ahead log and every day segment of the activity log, validating
each record. Prints counts, warnings (torn last lines, rejected inbox changes) and problems naming
file and line. Nothing is changed. Exit code 0 when every file reads, 6 when one does not.

Example:
  npx solidarity store verify
  npx solidarity store verify --json | jq .events`,
  options: {
    json: { type: 'boolean', description: 'print the report as one JSON object' },
  },
  async run(args, io) {
    const { dir } = storeSettings(io);
    const report = await verifyStore(dir);
    if (flag(args, 'json')) {
      writeLine(io.stdout, JSON.stringify(report));
    } else {
      const f = report.state.flags;
      const events = Object.entries(report.events).sort(([a], [b]) => (a < b ? -1 : 1));
      const total = events.reduce((n, [, c]) => n + c, 0);
      writeLine(io.stdout, `Data folder: ${dir} (data version ${report.schemaVersion})`);
      writeLine(
        io.stdout,
        report.lock
          ? `Lock: held by PID ${report.lock.pid} (${report.lock.role}) since ${report.lock.since}`
          : 'Lock: free',
      );
      writeLine(
        io.stdout,
        `State: ${report.state.cursors} cursors, ${report.state.stateKeys} state keys, ${report.state.moderators} moderators, ${report.state.journal} journal entries`,
      );
      writeLine(
        io.stdout,
        `Review queue: ${f.open} open, ${f.acknowledged} acknowledged, ${f.escalated} escalated, ${f.resolved} resolved, ${f.dismissed} dismissed`,
      );
      writeLine(
        io.stdout,
        `Write-ahead log: generation ${report.wal.generation}, ${report.wal.records} records`,
      );
      writeLine(
        io.stdout,
        `Activity log: ${report.segments} day segments, ${total} events${events.length ? ` (${events.map(([t, c]) => `${t} ${c}`).join(', ')})` : ''}`,
      );
      if (report.prunedMentions > 0) {
        writeLine(
          io.stdout,
          `  ${report.prunedMentions} older mentions kept as hourly counts only (retention)`,
        );
      }
      writeLine(io.stdout, `Inbox: ${report.inbox.pending} pending, ${report.inbox.rejected} rejected`);
      for (const warning of report.warnings) writeLine(io.stdout, `Warning: ${warning}`);
      if (report.problems.length === 0) writeLine(io.stdout, 'OK: every file reads.');
    }
    if (report.problems.length > 0) {
      const first = report.problems[0]!;
      throw new SolidarityError(
        first.code,
        `${report.problems.length} problem(s) in the data folder ${dir}.`,
        {
          details: report.problems.map((p) => p.message),
          hint: 'Nothing was changed. Restore the named files from a backup, or move them out of the data folder; see "Store" in README.md.',
        },
      );
    }
    return 0;
  },
};
