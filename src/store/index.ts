/** The store's public face: open it, and the types every caller uses. */

export { FileStore, type OpenStoreOptions, openStore, type StoreMode } from './file-store.ts';
export { deriveState } from './queue.ts';
export type { StoreChange } from './schema.ts';
export type * from './types.ts';
