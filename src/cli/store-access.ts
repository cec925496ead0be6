/** How CLI commands reach the store: opened for the command, closed (flushed) after it. */
import type { Store } from '../store/types.ts';
import type { CommandIO } from './command.ts';

/**
 * Opens the store for one command and closes it afterwards. "read" never changes data; "write"
 * changes it directly, or through the running bot when one holds the data folder.
 */
export type StoreOpener = (
  io: CommandIO,
  mode: 'read' | 'write',
  run: (store: Store) => Promise<number>,
) => Promise<number>;
