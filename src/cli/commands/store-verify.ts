import { resolve } from 'node:path';
import { loadCampaigns } from '../../campaign/load.ts';
import type { Campaign } from '../../campaign/schema.ts';
import { loadEnv } from '../../config/env.ts';
import { SolidarityError } from '../../errors.ts';
import { REVIEW_STATES } from '../../moderation/review.ts';
import { deepCheck } from '../../monitor/consistency.ts';
import { type ConsistencyReport, repairConsistency } from '../../store/consistency.ts';
import { verifyStore } from '../../store/verify.ts';
import { type Command, type CommandIO, flag, type ParsedArgs, writeLine } from '../command.ts';
import { openForCommand, storeSettings } from '../store-access.ts';

/** The campaigns, for the cursor check; a folder that does not load only skips that check. */
function campaignsFor(io: CommandIO): { campaigns: Campaign[]; mentionsPath: string; note?: string } {
  const env = loadEnv(io.env);
  const mentionsPath = resolve(env.SOLIDARITY_SAMPLE_MENTIONS);
  try {
    return { campaigns: loadCampaigns(resolve(env.SOLIDARITY_CAMPAIGNS_DIR)), mentionsPath };
  } catch (error) {
    return {
      campaigns: [],
      mentionsPath,
      note: `campaigns not loaded (${(error as Error).message.split('\n')[0]}): the replay cursor is not checked`,
    };
  }
}

/** Runs the deep checks on a store opened for the purpose, and repairs when asked. */
async function deep(
  io: CommandIO,
  prunedMentions: number,
  repair: boolean,
): Promise<{ before: ConsistencyReport; after?: ConsistencyReport; repaired: number; note?: string }> {
  const { campaigns, mentionsPath, note } = campaignsFor(io);
  const options = { campaigns, mentionsPath, prunedMentions };
  // Checking needs no lock; repairing goes through the running bot's inbox when there is one.
  const store = await openForCommand(io, repair ? 'change' : 'read');
  try {
    const before = await deepCheck(store, options);
    if (!repair || before.findings.every((f) => !f.repair)) {
      return { before, repaired: 0, ...(note ? { note } : {}) };
    }
    const repaired = await repairConsistency(store, before);
    await store.refresh();
    const after = await deepCheck(store, options);
    return { before, after, repaired, ...(note ? { note } : {}) };
  } finally {
    await store.close();
  }
}

function printDeep(io: CommandIO, result: Awaited<ReturnType<typeof deep>>): void {
  const r = result.before;
  writeLine(
    io.stdout,
    `Cross-checks: ${r.pairs} (campaign, mention) pairs, ${r.flaggedPairs} flagged, ${r.flags} flags; journal ${r.journal.confirmed} confirmed, ${r.journal.skipped} skipped, ${r.journal.intent} intent; events ${r.postEvents.confirmed} post.confirmed, ${r.postEvents.skipped} post.skipped, ${r.postEvents.intent} post.intent`,
  );
  if (result.note) writeLine(io.stdout, `Note: ${result.note}`);
  for (const f of r.findings) {
    writeLine(io.stdout, `Inconsistent (${f.kind}${f.repair ? ', repairable' : ''}): ${f.message}`);
  }
  if (result.after) {
    const left = result.after.findings.length;
    writeLine(
      io.stdout,
      `Repaired ${result.repaired} of ${r.findings.length} finding(s); ${left} remain${left === 1 ? 's' : ''}.`,
    );
    for (const f of result.after.findings)
      writeLine(io.stdout, `Still inconsistent (${f.kind}): ${f.message}`);
  }
  const final = result.after ?? r;
  if (final.findings.length === 0) writeLine(io.stdout, 'OK: journal, events, flags and cursors agree.');
}

/**
 * A database has no files to read one by one: its own checks (types, constraints) ran when the
 * data was written. What remains is the cross-check of --deep, the same as on a data folder.
 */
async function verifyDatabase(args: ParsedArgs, io: CommandIO): Promise<number> {
  const { where } = storeSettings(io);
  const store = await openForCommand(io, 'read');
  let counts: Record<string, number>;
  const flags: Record<string, number> = {};
  const events: Record<string, number> = {};
  try {
    for await (const f of store.flags()) flags[f.state] = (flags[f.state] ?? 0) + 1;
    for await (const e of store.events()) events[e.type] = (events[e.type] ?? 0) + 1;
    counts = {
      cursors: (await store.listCursors()).length,
      stateKeys: (await store.listState()).length,
      moderators: (await store.listModerators()).length,
      journal: (await store.listJournal()).length,
      ...Object.fromEntries(Object.entries(flags).map(([k, v]) => [`flags.${k}`, v])),
    };
  } finally {
    await store.close();
  }
  const wantDeep = flag(args, 'deep') || flag(args, 'repair');
  const deepResult = wantDeep ? await deep(io, 0, flag(args, 'repair')) : undefined;
  if (flag(args, 'json')) {
    writeLine(
      io.stdout,
      JSON.stringify({ store: where, counts, events, ...(deepResult ? { deep: deepResult } : {}) }),
    );
  } else {
    writeLine(io.stdout, `Store: ${where}`);
    writeLine(
      io.stdout,
      `State: ${counts['cursors']} cursors, ${counts['stateKeys']} state keys, ${counts['moderators']} moderators, ${counts['journal']} journal entries`,
    );
    writeLine(
      io.stdout,
      `Review queue: ${REVIEW_STATES.map((state) => `${flags[state] ?? 0} ${state}`).join(', ')}`,
    );
    const types = Object.entries(events).sort(([a], [b]) => (a < b ? -1 : 1));
    const total = types.reduce((n, [, c]) => n + c, 0);
    writeLine(
      io.stdout,
      `Activity log: ${total} events${types.length ? ` (${types.map(([t, c]) => `${t} ${c}`).join(', ')})` : ''}`,
    );
    writeLine(io.stdout, 'OK: the database reads.');
    if (deepResult) printDeep(io, deepResult);
  }
  const left = deepResult ? (deepResult.after ?? deepResult.before).findings.length : 0;
  return left > 0 ? 1 : 0;
}

export const storeVerifyCommand: Command = {
  name: 'store verify',
  summary: 'Check every data file (or the database) and report counts (read-only, safe while the bot runs)',
  usage: 'store verify [--deep [--repair]] [--json]',
  description: `Reads state.json, the write-ahead log and every day segment of the activity log, validating
each record. Prints counts, warnings (torn last lines, rejected inbox changes) and problems naming
file and line. Nothing is changed. Exit code 0 when every file reads, 6 when one does not.
With STORE_URL=postgres://… there are no files to read: it prints the database's counts (the
database checked each record's types and constraints when it was written).

--deep also checks that the files agree: every flagged mention.seen has its flag (and every flag
its event), each (campaign, mention) pair is seen once, every confirmed or skipped journal entry
has its post.* event (and the reverse), each attempt its post.intent, and the replay cursor is not
past a mention that was never stored. Each inconsistency is listed; exit code 1 when there is one.
--repair then writes what can be derived from the other side (through the running bot when there
is one) and checks again.

Example:
  npx solidarity store verify
  npx solidarity store verify --json | jq .events`,
  options: {
    json: { type: 'boolean', description: 'print the report as one JSON object' },
    deep: { type: 'boolean', description: 'also cross-check journal, events, flags and cursors' },
    repair: { type: 'boolean', description: 'with --deep: write what can be derived, then check again' },
  },
  async run(args, io) {
    const { target } = storeSettings(io);
    if (target.backend !== 'file') return verifyDatabase(args, io);
    const dir = target.dir;
    const report = await verifyStore(dir);
    const wantDeep = flag(args, 'deep') || flag(args, 'repair');
    const deepResult =
      wantDeep && report.problems.length === 0
        ? await deep(io, report.prunedMentions, flag(args, 'repair'))
        : undefined;
    if (flag(args, 'json')) {
      writeLine(io.stdout, JSON.stringify(deepResult ? { ...report, deep: deepResult } : report));
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
      if (deepResult) printDeep(io, deepResult);
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
    const left = deepResult ? (deepResult.after ?? deepResult.before).findings.length : 0;
    return left > 0 ? 1 : 0;
  },
};
