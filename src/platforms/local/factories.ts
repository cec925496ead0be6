/** The outbox adapter and the sample-mention replay, loaded through the registry entry's `load()`. */
import type { MentionSourcesFactory, PlatformAdapter, PlatformRuntime } from '../types.ts';
import { OutboxAdapter } from './outbox-adapter.ts';
import { LocalReplaySource } from './replay.ts';

export async function createAdapter(runtime: PlatformRuntime): Promise<PlatformAdapter> {
  return new OutboxAdapter(runtime.dataDir, runtime.clock, runtime.print);
}

/** Local mode: replays SOLIDARITY_SAMPLE_MENTIONS, for every campaign whatever its platforms. */
export const createMentionSources: MentionSourcesFactory = async (runtime, options) => {
  const { env, logger } = runtime;
  const source = new LocalReplaySource({
    path: env.SOLIDARITY_SAMPLE_MENTIONS,
    store: options.store,
    logger: logger.child({ name: 'monitor.local' }),
    intervalMs: env.SOLIDARITY_SAMPLE_INTERVAL_MS,
    clock: options.clock,
  });
  return { sources: [source], ownAccounts: [] };
};
