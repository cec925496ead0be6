/** How CLI commands reach the store: STORE_URL (or the data folder) from the environment, warnings to stderr. */
import type { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { loadEnv } from '../config/env.ts';
import { describeTarget, openStore, parseStoreUrl, type StoreTarget } from '../store/open.ts';
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

export function storeSettings(io: CommandIO): {
  target: StoreTarget;
  /** Where the data is, fit to print. */
  where: string;
  retention: RetentionPolicy;
} {
  const env = loadEnv(io.env);
  const target = parseStoreUrl(env.STORE_URL, env.SOLIDARITY_DATA_DIR);
  return { target, where: describeTarget(target), retention: retentionFromEnv(env) };
}

/**
 * Opens the store for a command. "read" never blocks or changes anything (safe while the bot
 * runs); "change" reaches the data directly, or through the running bot when it holds the data.
 */
export async function openForCommand(io: CommandIO, use: 'read' | 'change'): Promise<Store> {
  const { target, retention } = storeSettings(io);
  return openStore(target, { use, logger: cliLogger(io), retention });
}

/**
 * Opens the store for one command and closes it afterwards. "read" never changes data; "write"
 * changes it directly, or through the running bot when a bot holds the data folder.
 */
export type StoreOpener = (
  io: CommandIO,
  mode: 'read' | 'write',
  run: (store: Store) => Promise<number>,
) => Promise<number>;

export const openCliStore: StoreOpener = async (io, mode, run) => {
  const store = await openForCommand(io, mode === 'read' ? 'read' : 'change');
  try {
    return await run(store);
  } finally {
    await store.close();
  }
};

/** The sentence that says how a change made through `store` reaches the bot. */
export function changeReach(store: Pick<Store, 'access'>): string {
  switch (store.access) {
    case 'forwarded':
      return 'The running bot has applied it.';
    case 'shared':
      return 'Saved in the database; running instances apply it from there.';
    default:
      return 'No bot is running; it applies at the next start.';
  }
}

/**
 * Makes one change for a command (pause, stop-all …): through the running bot when a bot holds
 * the data folder, else directly. Returns the sentence that says which happened.
 */
export async function changeForCommand(
  io: CommandIO,
  change: (store: Store) => Promise<void>,
): Promise<string> {
  const store = await openForCommand(io, 'change');
  try {
    await change(store);
    return changeReach(store);
  } finally {
    await store.close();
  }
}
