/** The store's public face: open it, and the types every caller uses. */

export { FileStore, LAST_PRUNE, type OpenStoreOptions, openStore, type StoreMode } from './file-store.ts';
export { deriveState } from './queue.ts';
export { DEFAULT_RETENTION, type PruneReport, type RetentionPolicy, retentionFromEnv } from './retention.ts';
export type { StoreChange } from './schema.ts';
export type * from './types.ts';
export { type VerifyReport, verifyStore } from './verify.ts';
