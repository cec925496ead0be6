/** The store's public face: open it by URL, and the types every caller uses. */

export { describeTarget, openStore, parseStoreUrl, redactUrl, type StoreTarget } from './open.ts';
export { deriveState } from './queue.ts';
export { DEFAULT_RETENTION, type PruneReport, type RetentionPolicy, retentionFromEnv } from './retention.ts';
export type { StoreChange } from './schema.ts';
export type * from './types.ts';
