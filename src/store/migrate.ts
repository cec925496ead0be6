/**
 * Data versions and their migrations. Version 1 is a single-file lowdb database (data/db.json:
 * every event in one array, the state in plain objects), the layout lowdb gives when used
 * directly; version 2 is the current layout (state.json + write-ahead log + day segments).
 * The writer migrates on open; readers explain what to do. The old file is kept, renamed.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SolidarityError } from '../errors.ts';
import { dayOf, EVENTS_DIR, eventLine } from './activity-log.ts';
import { corrupt, decodeUtf8, ensureDir, parseJson, syncDir, writeFileAtomic } from './files.ts';
import { ReviewQueue } from './queue.ts';
import {
  activityEventSchema,
  flagSchema,
  journalEntrySchema,
  moderatorSchema,
  SCHEMA_VERSION,
  type Snapshot,
} from './schema.ts';
import { serializeSnapshot } from './snapshot.ts';
import type { ActivityEvent } from './types.ts';

export const LEGACY_FILE = 'db.json';
const STATE_FILE = 'state.json';

const legacySchema = z.object({
  version: z.literal(1).optional(),
  events: z.array(activityEventSchema).default([]),
  cursors: z.record(z.string(), z.string()).default({}),
  journal: z.record(z.string(), journalEntrySchema).default({}),
  moderators: z.record(z.string(), moderatorSchema).default({}),
  flags: z.record(z.string(), flagSchema).default({}),
  state: z.record(z.string(), z.unknown()).default({}),
});

/** Whether the folder holds version 1 data that has not been migrated yet. */
export function needsMigration(dir: string): boolean {
  return existsSync(join(dir, LEGACY_FILE)) && !existsSync(join(dir, STATE_FILE));
}

export function legacyError(dir: string): SolidarityError {
  return new SolidarityError(
    'STORE_VERSION',
    `${join(dir, LEGACY_FILE)} holds data version 1 (a single-file lowdb database); this version of solidarity-bot reads version ${SCHEMA_VERSION}.`,
    {
      hint: 'Run "solidarity store migrate" (or start the bot) once to migrate it; the old file is kept as db.json.v1-migrated.',
    },
  );
}

/**
 * Migrates version 1 to the current layout. Crash-safe: the new files are built beside the old
 * ones and moved into place by renames; db.json is renamed (never deleted) last.
 */
export async function migrateLegacy(dir: string, now: Date, logger: Logger, fsync = true): Promise<boolean> {
  if (!needsMigration(dir)) return false;
  const legacyPath = join(dir, LEGACY_FILE);
  const staging = join(dir, `${EVENTS_DIR}.migrating`);
  const events = join(dir, EVENTS_DIR);
  const stateStaging = join(dir, `${STATE_FILE}.migrating`);
  const eventsNonEmpty = (await readdir(events).catch(() => [] as string[])).length > 0;

  if (!(existsSync(stateStaging) && !existsSync(staging) && eventsNonEmpty)) {
    // Start (or restart) from the old file.
    if (eventsNonEmpty) {
      throw new SolidarityError(
        'STORE_VERSION',
        `${dir} holds both version 1 data (${LEGACY_FILE}) and version 2 event files, but no ${STATE_FILE}.`,
        {
          hint: `Move either ${legacyPath} or ${events} out of the data folder, then start again.`,
        },
      );
    }
    await rm(staging, { recursive: true, force: true });
    const text = decodeUtf8(await readFile(legacyPath), legacyPath);
    const raw = parseJson(text, legacyPath);
    const parsed = legacySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw corrupt(legacyPath, undefined, `wrong schema at ${issue.path.join('.')}: ${issue.message}`);
    }
    const old = parsed.data;
    await ensureDir(staging);
    const byDay = new Map<string, string[]>();
    for (const event of old.events as ActivityEvent[]) {
      const day = dayOf(event.at);
      const lines = byDay.get(day) ?? [];
      lines.push(eventLine(event));
      byDay.set(day, lines);
    }
    for (const [day, lines] of byDay)
      await writeFileAtomic(join(staging, `${day}.jsonl`), lines.join(''), fsync);
    // Flags take their state from their events, as everywhere else.
    const queue = new ReviewQueue();
    for (const flag of Object.values(old.flags)) queue.add(flag);
    const snapshot: Snapshot = {
      version: SCHEMA_VERSION,
      walGen: 1,
      seq: 0,
      savedAt: now.toISOString(),
      cursors: Object.entries(old.cursors).map(([key, value]) => ({ key, value })),
      state: Object.entries(old.state).map(([key, value]) => ({ key, value })),
      moderators: Object.values(old.moderators),
      journal: Object.values(old.journal),
      flags: [...queue.flags.values()],
    };
    await writeFileAtomic(stateStaging, serializeSnapshot(snapshot), fsync);
    await rm(events, { recursive: true, force: true }); // Empty (checked above).
    await rename(staging, events);
    await syncDir(dir);
    logger.info({ events: old.events.length, days: byDay.size }, 'version 1 events moved into day segments');
  }
  await rename(stateStaging, join(dir, STATE_FILE));
  await rename(legacyPath, `${legacyPath}.v1-migrated`);
  await syncDir(dir);
  logger.warn(
    { from: 1, to: SCHEMA_VERSION, kept: `${legacyPath}.v1-migrated` },
    'data folder migrated to the current version; the old file is kept',
  );
  return true;
}
