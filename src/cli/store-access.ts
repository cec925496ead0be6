/** How CLI commands reach the store: the data folder from the environment, warnings to stderr. */
import type { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { loadEnv } from '../config/env.ts';
import { type FileStore, type OpenStoreOptions, openStore } from '../store/file-store.ts';
import { type RetentionPolicy, retentionFromEnv } from '../store/retention.ts';
import type { Store } from '../store/types.ts';
import type { CommandIO } from './command.ts';

/** Store warnings (torn lines, migrations) as JSON lines on stderr; stdout stays for output. */
export function cliLogger(io: CommandIO): Logger {
  return pino(
    { level: io.debug ? 'debug' : 'warn', base: undefined },
    io.stderr as Writable & pino.DestinationStream,
  );
}

export function storeSettings(io: CommandIO): { dir: string; retention: RetentionPolicy } {
  const env = loadEnv(io.env);
  return { dir: env.SOLIDARITY_DATA_DIR, retention: retentionFromEnv(env) };
}

/**
 * Opens the store for a command. "reader" never takes the lock (safe while the bot runs);
 * "auto" sends changes to the running bot through the inbox, or applies them directly.
 */
export async function openForCommand(io: CommandIO, mode: OpenStoreOptions['mode']): Promise<FileStore> {
  const { dir, retention } = storeSettings(io);
  return openStore({ dir, mode, role: 'cli', logger: cliLogger(io), retention, inboxPollMs: 0 });
}

/**
 * Opens the store for one command and closes it afterwards. "read" never changes data; "write"
 * changes it directly, or through the running bot's inbox when a bot holds the data folder.
 */
export type StoreOpener = (
  io: CommandIO,
  mode: 'read' | 'write',
  run: (store: Store) => Promise<number>,
) => Promise<number>;

export const openCliStore: StoreOpener = async (io, mode, run) => {
  const store = await openForCommand(io, mode === 'read' ? 'reader' : 'auto');
  try {
    return await run(store);
  } finally {
    await store.close();
  }
};

/**
 * Makes one change for a command (pause, stop-all …): through the running bot's inbox when a bot
 * holds the data folder, else directly. Returns the sentence that says which happened.
 */
export async function changeForCommand(
  io: CommandIO,
  change: (store: FileStore) => Promise<void>,
): Promise<string> {
  const store = await openForCommand(io, 'auto');
  try {
    await change(store);
    return store.mode === 'client'
      ? 'The running bot has applied it.'
      : 'No bot is running; it applies at the next start.';
  } finally {
    await store.close();
  }
}
