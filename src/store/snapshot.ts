/**
 * data/state.json: the hot state (cursors, key/value state, moderators, post journal, review
 * queue) as one lowdb document, written through an adapter that replaces the file atomically
 * and puts every record on its own line, so an error can name the line.
 */
import { readFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { SolidarityError } from '../errors.ts';
import { corrupt, decodeUtf8, parseJson, writeFileAtomic } from './files.ts';
import { SCHEMA_VERSION, type Snapshot, snapshotSchema } from './schema.ts';

/**
 * state.json migrations, version N to N+1. None yet: version 1 had no state.json (see
 * migrate.ts); add one here with every change of the snapshot layout.
 */
const SNAPSHOT_MIGRATIONS: Record<number, (old: { version: number }) => { version: number }> = {};

export const SECTIONS = ['cursors', 'state', 'moderators', 'journal', 'flags'] as const;

export function emptySnapshot(now: Date): Snapshot {
  return {
    version: SCHEMA_VERSION,
    walGen: 1,
    seq: 0,
    savedAt: now.toISOString(),
    cursors: [],
    state: [],
    moderators: [],
    journal: [],
    flags: [],
  };
}

/** Compact JSON with one record per line. */
export function serializeSnapshot(data: Snapshot): string {
  const parts = [
    `{"version":${data.version},"walGen":${data.walGen},"seq":${data.seq},"savedAt":${JSON.stringify(data.savedAt)}` +
      (data.segments ? `,"segments":${JSON.stringify(data.segments)}` : ''),
  ];
  for (const section of SECTIONS) {
    const records = data[section] as unknown[];
    if (records.length === 0) {
      parts.push(`,"${section}":[]`);
      continue;
    }
    parts.push(`,"${section}":[`);
    records.forEach((record, i) => {
      parts.push(`${i === 0 ? '' : ','}${JSON.stringify(record)}`);
    });
    parts.push(']');
  }
  parts.push('}\n');
  return parts.join('\n');
}

/** The line of a record named by a schema error path, in a file laid out by serializeSnapshot. */
function lineOfPath(text: string, path: readonly PropertyKey[]): number | undefined {
  const [section, index] = path;
  if (typeof section !== 'string') return 1;
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`,"${section}":`) || l.startsWith(`"${section}":`));
  if (at === -1) return 1;
  return typeof index === 'number' ? at + 2 + index : at + 1;
}

/** Reads and validates a snapshot; throws STORE_CORRUPT / STORE_VERSION naming file and line. */
export function parseSnapshot(bytes: Buffer, file: string): Snapshot {
  const text = decodeUtf8(bytes, file);
  const raw = parseJson(text, file);
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version !== 'number') {
    throw corrupt(file, 1, 'no "version" field: this is not a state file written by solidarity-bot.');
  }
  if (version > SCHEMA_VERSION) {
    throw new SolidarityError(
      'STORE_VERSION',
      `${file}: written by a newer version of solidarity-bot (data version ${version}; this version reads up to ${SCHEMA_VERSION}).`,
      {
        hint: 'Upgrade solidarity-bot (git pull && npm ci), or point SOLIDARITY_DATA_DIR at another folder.',
      },
    );
  }
  let current = raw as { version: number };
  while (current.version < SCHEMA_VERSION) {
    const migration = SNAPSHOT_MIGRATIONS[current.version];
    if (!migration) {
      throw new SolidarityError(
        'STORE_VERSION',
        `${file}: data version ${current.version} is older than this version of solidarity-bot can migrate (it reads ${SCHEMA_VERSION}).`,
        {
          hint: 'Open the folder once with the release that wrote it and upgrade step by step, or restore a newer backup.',
        },
      );
    }
    current = migration(current);
  }
  const result = snapshotSchema.safeParse(current);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw corrupt(
      file,
      lineOfPath(text, issue.path),
      `wrong schema at ${field.replace(/^\./, '')}: ${issue.message}`,
    );
  }
  return result.data;
}

/** The lowdb adapter for state.json. */
export class SnapshotFile implements Adapter<Snapshot> {
  readonly path: string;
  readonly fsync: boolean;

  constructor(path: string, fsync: boolean) {
    this.path = path;
    this.fsync = fsync;
  }

  async read(): Promise<Snapshot | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return parseSnapshot(bytes, this.path);
  }

  async write(data: Snapshot): Promise<void> {
    await writeFileAtomic(this.path, serializeSnapshot(data), this.fsync);
  }
}
