/** How CLI commands reach the store: opened for the command, closed (flushed) after it. */
import { createContext } from '../context.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import type { CommandIO } from './command.ts';

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
  const ctx = createContext({ env: io.env, debug: io.debug });
  const store = await openStore({
    dir: ctx.dataDir,
    mode: mode === 'read' ? 'reader' : 'auto',
    role: 'cli',
    logger: ctx.logger,
  });
  try {
    return await run(store);
  } finally {
    await store.close();
    ctx.logger.flush();
  }
};
