/**
 * Runs the mention sources through one pipeline, saves the counts for `solidarity status` every
 * few seconds, logs them, and stops cleanly (mentions in flight are stored, cursors saved).
 */

import type { MentionSource, SourceStats } from '../core/mention.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import type { HijackOptions } from './hijack.ts';
import { MentionPipeline, type PipelineOptions } from './pipeline.ts';
/** Where the running bot keeps its monitoring status (store state). */
import { MONITOR_STATUS_KEY } from './state-keys.ts';
import type { MonitorCounts, MonitoredCampaign, Scorer } from './types.ts';

export { MONITOR_STATUS_KEY };

export interface MonitorStatus {
  updatedAt: string;
  running: boolean;
  startedAt: string;
  lastStoredAt?: string;
  counts: MonitorCounts;
  campaigns: Record<string, MonitorCounts>;
  sources: Array<{ name: string; stats: SourceStats; status?: Record<string, unknown>; error?: string }>;
}

export interface MonitorHandle {
  stop(): Promise<void>;
  counts(): MonitorCounts;
  status(): MonitorStatus;
  /** Settles when every source has ended (or failed, which is logged). */
  done: Promise<void>;
}

export interface RunMonitorOptions {
  store: Store;
  scorer: Scorer;
  campaigns: readonly MonitoredCampaign[];
  sources: readonly MentionSource[];
  logger: Logger;
  clock?: () => number;
  /** How often counts are logged and saved for `status`. */
  statusIntervalMs?: number;
  /** How far before the last stored mention to remember ids for de-duplication. */
  dedupeLookbackMs?: number;
  hijack?: Partial<HijackOptions>;
  pipeline?: Pick<
    PipelineOptions,
    'maxInFlight' | 'storeAttempts' | 'retryDelayMs' | 'sleep' | 'onFlag' | 'onAlert'
  >;
}

export async function runMonitor(options: RunMonitorOptions): Promise<MonitorHandle> {
  const { store, sources } = options;
  const clock = options.clock ?? Date.now;
  const log = options.logger.child({ name: 'monitor' });
  const pipeline = new MentionPipeline({
    store,
    scorer: options.scorer,
    campaigns: options.campaigns,
    logger: log,
    clock,
    ...(options.hijack ? { hijack: options.hijack } : {}),
    ...options.pipeline,
  });
  const previous = await store.getState<MonitorStatus>(MONITOR_STATUS_KEY);
  const lookback = options.dedupeLookbackMs ?? 10 * 60_000;
  const anchor = previous?.lastStoredAt ? Date.parse(previous.lastStoredAt) : clock();
  const primed = await pipeline.primeFromStore(
    new Date(anchor - lookback).toISOString(),
    new Date(clock() - pipeline.hijackHistoryMs).toISOString(),
  );
  const startedAt = new Date(clock()).toISOString();
  const errors = new Map<string, string>();
  let running = true;

  const status = (): MonitorStatus => {
    const last = pipeline.lastStored() ?? previous?.lastStoredAt;
    return {
      updatedAt: new Date(clock()).toISOString(),
      running,
      startedAt,
      ...(last ? { lastStoredAt: last } : {}),
      counts: pipeline.counts(),
      campaigns: pipeline.campaignCounts(),
      sources: sources.map((s) => ({
        name: s.name,
        stats: s.stats(),
        ...(s.status ? { status: s.status() } : {}),
        ...(errors.has(s.name) ? { error: errors.get(s.name)! } : {}),
      })),
    };
  };
  const save = async () => {
    try {
      await store.setState(MONITOR_STATUS_KEY, status());
    } catch (error) {
      log.error({ err: error }, 'could not save monitoring status');
    }
  };

  log.info(
    { sources: sources.map((s) => s.name), campaigns: options.campaigns.map((c) => c.id), primedIds: primed },
    'monitoring started',
  );
  const controller = new AbortController();
  const runs = sources.map((source) =>
    pipeline.run(source, controller.signal).then(
      () => log.info({ source: source.name }, 'mention source ended'),
      (error: unknown) => {
        const e = error as { code?: string; message?: string };
        errors.set(source.name, `${e.code ?? 'UNEXPECTED'}: ${e.message ?? String(error)}`);
        log.error({ err: error, code: e.code, source: source.name }, 'mention source stopped with an error');
      },
    ),
  );
  const timer = setInterval(() => {
    log.info({ counts: pipeline.counts() }, 'monitor counts');
    void save();
  }, options.statusIntervalMs ?? 5000);
  timer.unref();
  const done = Promise.all(runs).then(async () => {
    clearInterval(timer);
    running = false;
    log.info({ counts: pipeline.counts() }, 'monitor counts');
    await save();
  });
  await save();
  return {
    async stop() {
      controller.abort();
      await done;
    },
    counts: () => pipeline.counts(),
    status,
    done,
  };
}

/** The status the running (or last) bot saved, for `solidarity status`. */
export function readMonitorStatus(store: Pick<Store, 'getState'>): Promise<MonitorStatus | undefined> {
  return store.getState<MonitorStatus>(MONITOR_STATUS_KEY);
}
