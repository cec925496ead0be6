/** The outbox adapter and the sample-mention replay, loaded through the registry entry's `load()`. */
import type { MentionSource } from '../../core/mention.ts';
import type { MentionSourceOptions, PlatformAdapter, PlatformRuntime } from '../types.ts';
import { OutboxAdapter } from './outbox-adapter.ts';
import { LocalReplaySource } from './replay.ts';

export async function createAdapter(runtime: PlatformRuntime): Promise<PlatformAdapter> {
  return new OutboxAdapter(runtime.dataDir, runtime.clock, runtime.print);
}

/** Local mode: replays SOLIDARITY_SAMPLE_MENTIONS, for every campaign whatever its platforms. */
export async function createMentionSources(
  runtime: PlatformRuntime,
  options: MentionSourceOptions,
): Promise<{ sources: MentionSource[]; ownAccounts: string[] }> {
  const { env, logger } = runtime;
  const source = new LocalReplaySource({
    path: env.SOLIDARITY_SAMPLE_MENTIONS,
    store: options.store,
    logger: logger.child({ name: 'monitor.local' }),
    intervalMs: env.SOLIDARITY_SAMPLE_INTERVAL_MS,
    clock: options.clock,
  });
  return { sources: [source], ownAccounts: [] };
}
