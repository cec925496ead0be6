/**
 * solidarity store verify: reads every file in the data folder, read-only and without the lock
 * (safe while the bot runs), and reports counts, warnings and problems with file and line.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReviewState } from '../core/review.ts';
import { isSolidarityError } from '../errors.ts';
import { EVENTS_DIR, listSegments, parseLogLine, segmentPath } from './activity-log.ts';
import { INBOX_DIR, STATE_FILE, walPath } from './file-store.ts';
import { readLines } from './files.ts';
import { liveHolder } from './lock.ts';
import { LEGACY_FILE } from './migrate.ts';
import { SCHEMA_VERSION, walRecordSchema } from './schema.ts';
import { parseSnapshot } from './snapshot.ts';

export interface Problem {
  code: 'STORE_CORRUPT' | 'STORE_VERSION';
  message: string;
}

export interface VerifyReport {
  dir: string;
  schemaVersion: number;
  lock?: { pid: number; role: string; since: string };
  state: {
    cursors: number;
    stateKeys: number;
    moderators: number;
    journal: number;
    flags: Record<ReviewState, number>;
  };
  wal: { generation: number; records: number };
  segments: number;
  events: Record<string, number>;
  /** Mentions represented only by counts (their lines were dropped by retention). */
  prunedMentions: number;
  inbox: { pending: number; rejected: number };
  warnings: string[];
  problems: Problem[];
}

const MAX_PROBLEMS_PER_FILE = 20;

function problemOf(error: unknown): Problem {
  if (isSolidarityError(error) && (error.code === 'STORE_CORRUPT' || error.code === 'STORE_VERSION')) {
    return { code: error.code, message: error.message };
  }
  throw error;
}

export async function verifyStore(dir: string): Promise<VerifyReport> {
  const report: VerifyReport = {
    dir,
    schemaVersion: SCHEMA_VERSION,
    state: {
      cursors: 0,
      stateKeys: 0,
      moderators: 0,
      journal: 0,
      flags: { open: 0, acknowledged: 0, escalated: 0, resolved: 0, dismissed: 0 },
    },
    wal: { generation: 1, records: 0 },
    segments: 0,
    events: {},
    prunedMentions: 0,
    inbox: { pending: 0, rejected: 0 },
    warnings: [],
    problems: [],
  };
  const holder = await liveHolder(dir);
  if (holder) report.lock = { pid: holder.pid, role: holder.role, since: holder.startedAt };

  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.includes(LEGACY_FILE) && !names.includes(STATE_FILE)) {
    report.warnings.push(
      `${join(dir, LEGACY_FILE)} holds data version 1 (single-file lowdb); it is migrated the next time the bot starts (or run "solidarity store migrate").`,
    );
  }

  // The snapshot.
  let walGen = 1;
  const statePath = join(dir, STATE_FILE);
  try {
    const snapshot = parseSnapshot(await readFile(statePath), statePath);
    walGen = snapshot.walGen;
    report.state.cursors = snapshot.cursors.length;
    report.state.stateKeys = snapshot.state.length;
    report.state.moderators = snapshot.moderators.length;
    report.state.journal = snapshot.journal.length;
    for (const flag of snapshot.flags) report.state.flags[flag.state]++;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') report.problems.push(problemOf(error));
  }

  // The write-ahead log that continues it.
  report.wal.generation = walGen;
  const wal = walPath(dir, walGen);
  try {
    let bad = 0;
    const lines = readLines(wal, {
      onTorn: (t) =>
        report.warnings.push(`${wal}:${t.line}: torn last line (a write cut short by a crash); skipped.`),
    });
    for await (const { text, line } of lines) {
      try {
        const parsed = walRecordSchema.safeParse(JSON.parse(text));
        if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
        report.wal.records++;
      } catch (error) {
        if (++bad <= MAX_PROBLEMS_PER_FILE) {
          report.problems.push({
            code: 'STORE_CORRUPT',
            message: `${wal}:${line}: ${(error as Error).message}`,
          });
        }
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') report.problems.push(problemOf(error));
  }

  // The activity log.
  for (const day of await listSegments(dir)) {
    report.segments++;
    const file = segmentPath(dir, day);
    let bad = 0;
    try {
      const lines = readLines(file, {
        onTorn: (t) =>
          report.warnings.push(`${file}:${t.line}: torn last line (a write cut short by a crash); skipped.`),
      });
      for await (const { text, line } of lines) {
        try {
          const parsed = parseLogLine(text, file, line);
          if (parsed.kind === 'event')
            report.events[parsed.event.type] = (report.events[parsed.event.type] ?? 0) + 1;
          else
            for (const campaigns of Object.values(parsed.hours))
              for (const c of Object.values(campaigns)) report.prunedMentions += c.seen;
        } catch (error) {
          if (++bad <= MAX_PROBLEMS_PER_FILE) report.problems.push(problemOf(error));
        }
      }
    } catch (error) {
      report.problems.push(problemOf(error));
    }
  }
  const torn = (await readdir(join(dir, EVENTS_DIR)).catch(() => [] as string[])).filter((n) =>
    n.includes('.torn-'),
  );
  if (torn.length > 0) {
    report.warnings.push(
      `${torn.length} torn line fragment(s) kept in ${join(dir, EVENTS_DIR)} (*.torn-*); never acknowledged.`,
    );
  }

  const inbox = await readdir(join(dir, INBOX_DIR)).catch(() => [] as string[]);
  report.inbox.pending = inbox.filter((n) => n.endsWith('.json') && !n.startsWith('.')).length;
  report.inbox.rejected = inbox.filter((n) => n.endsWith('.json.error')).length;
  if (report.inbox.rejected > 0) {
    report.warnings.push(
      `${report.inbox.rejected} rejected change(s) in ${join(dir, INBOX_DIR)} (*.json.error: the reason and the change).`,
    );
  }
  return report;
}
