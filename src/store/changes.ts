/**
 * Changes made by another instance on the same store, as they happen: how a pause given on one
 * machine's command line reaches the instance that posts. The file store has no other instances
 * (a command beside the bot hands its change to the bot through the inbox, and the bot makes it
 * itself), so it never reports any; PostgreSQL reports them with LISTEN/NOTIFY.
 */
import type { ActivityEvent } from './types.ts';

export type StoreNotice =
  /** A small-state key changed (pause, stop-all …): re-read it. */
  | { kind: 'state'; key: string }
  /** An event another instance recorded (controls), for the terminal line. */
  | { kind: 'event'; event: ActivityEvent }
  /** Notices may have been missed (the listening connection was re-made): re-read what matters. */
  | { kind: 'resync' };

export interface StoreChanges {
  /** Calls `listener` for each change another instance makes; returns the unsubscribe. */
  subscribe(listener: (notice: StoreNotice) => void): () => void;
}

/** The file store's: nobody else writes, so nothing to report. */
export const noChanges: StoreChanges = { subscribe: () => () => {} };
