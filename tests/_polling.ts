/**
 * A polling mention source (X search, the Mastodon timeline) run through the real pipeline on a
 * fake clock: the source's sleeps advance the clock instead of waiting, and the run stops after
 * `cycles` pauses between polls.
 */
import type { MentionSource } from '../src/core/mention.ts';
import type { Logger } from '../src/logger.ts';
import { MentionPipeline } from '../src/monitor/pipeline.ts';
import type { MonitoredCampaign } from '../src/monitor/types.ts';
import { type CapturedLog, captureLog } from './_log.ts';
import type { MemoryStore } from './_monitor-store.ts';
import { testScore } from './_test-scorer.ts';

/** The campaign the monitor tests watch: two tags, no own posts or accounts. */
export const belgiumCampaign: MonitoredCampaign = {
  id: 'belgium',
  hashtags: ['westandtogether', 'standwithbelgium'],
  ownMessages: [],
  ownAccounts: [],
  scoreOptions: {},
};

export interface PollRun<S> {
  /** Every sleep the source asked for, in ms. */
  slept: number[];
  log: CapturedLog;
  pipeline: MentionPipeline;
  source: S;
}

export async function runPolling<S extends MentionSource>(options: {
  store: MemoryStore;
  clock: { now: number };
  cycles: number;
  /** Whether a sleep is a pause between polls (not a retry or a rate-limit wait). */
  isInterval: (ms: number) => boolean;
  makeSource: (hooks: { logger: Logger; sleep: (ms: number) => Promise<void> }) => S;
  campaign?: MonitoredCampaign;
}): Promise<PollRun<S>> {
  const { store, clock, cycles, isInterval } = options;
  const log = captureLog('info');
  const controller = new AbortController();
  const slept: number[] = [];
  let intervals = 0;
  const source = options.makeSource({
    logger: log.logger,
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
      if (isInterval(ms) && ++intervals >= cycles) controller.abort();
    },
  });
  const pipeline = new MentionPipeline({
    store,
    scorer: testScore,
    campaigns: [options.campaign ?? belgiumCampaign],
    logger: log.logger,
  });
  await pipeline.run(source, controller.signal);
  return { slept, log, pipeline, source };
}
