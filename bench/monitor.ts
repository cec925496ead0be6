/**
 * npm run bench:monitor: can monitoring keep up with a trending hashtag? In one run, on the same
 * 20,000 mentions (plus as many unrelated posts on the socket):
 *
 *   score_per_s        the real scorer alone, on the mention texts
 *   store_per_s        the file store alone: the same mention.seen events (and flags) appended
 *                      with 256 in flight, as the pipeline does
 *   pipeline_per_s     the whole path: local Jetstream (ws, 127.0.0.1) → JetstreamSource →
 *                      scorer → file store → review queue
 *   ratio_vs_slowest   pipeline_per_s / min(score_per_s, store_per_s): how much of the slower
 *                      stage's speed the pipeline keeps (1 would be no overhead at all)
 *   prime_ms           start-up cost: reading those 20,000 stored mentions back to prime the
 *                      duplicate filter and the hijack detector's history (what a restart does)
 *
 * Prints one JSON line per measurement; the last line is the summary object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mention } from '../src/core/mention.ts';
import { silentLogger } from '../src/logger.ts';
import { runMonitor } from '../src/monitor/monitor.ts';
import { MentionPipeline } from '../src/monitor/pipeline.ts';
import type { MonitoredCampaign } from '../src/monitor/types.ts';
import { JetstreamSource } from '../src/platforms/bluesky/jetstream.ts';
import { score } from '../src/scoring/index.ts';
import { mentionPairKey } from '../src/store/consistency.ts';
import { openStore } from '../src/store/index.ts';
import type { ActivityEvent } from '../src/store/types.ts';
import { FakeJetstream, jetstreamPost, line } from '../tests/_fake-jetstream.ts';

const N = 20_000;
const START_US = 1_764_500_000_000_000;
const TEXTS = [
  'Standing with Brussels tonight, thinking of every family waiting for news',
  'Gave blood this morning; the queue went round the block. Proud of this city',
  'The cowards who did this should rot in prison for the rest of their lives',
  'Muslims are not terrorists. Terrorists are terrorists. Report hate: call 101',
  'Someone told my neighbour to go home today. She is home. I reported it',
  'Muslims are vermin and this proves it',
  'Deport every migrant, send them all back',
  'Candle in the window for the victims. Love to Belgium from Leeds',
];
const campaign: MonitoredCampaign = {
  id: 'bench',
  hashtags: ['westandtogether'],
  ownMessages: [],
  ownAccounts: [],
  scoreOptions: { campaignHashtags: ['westandtogether'] },
};

const textOf = (i: number) => `${TEXTS[i % TEXTS.length]} (${i}) #WeStandTogether`;

function print(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'solidarity-bench-monitor-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function scoreOnly(): number {
  const started = performance.now();
  let flagged = 0;
  for (let i = 0; i < N; i++) if (score(textOf(i), campaign.scoreOptions).flagged) flagged += 1;
  const seconds = (performance.now() - started) / 1000;
  print({ measure: 'score', mentions: N, flagged, seconds });
  return N / seconds;
}

async function storeOnly(): Promise<number> {
  const { dir, cleanup } = tempDir();
  try {
    const store = await openStore({ backend: 'file', dir }, { use: 'bot', logger: silentLogger() });
    const verdicts = Array.from({ length: TEXTS.length }, (_, k) => score(textOf(k), campaign.scoreOptions));
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < N; i++) {
      const at = new Date().toISOString();
      const mention: Mention = {
        platform: 'bluesky',
        id: `at://did:plc:bench${i % 997}/app.bsky.feed.post/${i}`,
        url: 'https://bsky.app/',
        authorId: `did:plc:bench${i % 997}`,
        authorHandle: `did:plc:bench${i % 997}`,
        text: textOf(i),
        createdAt: at,
        capturedAt: at,
        hashtags: ['westandtogether'],
      };
      const verdict = verdicts[i % TEXTS.length]!;
      const event: ActivityEvent = {
        type: 'mention.seen',
        at,
        campaign: 'bench',
        mention,
        verdict: { ...verdict, rules: verdict.reasons.map((r) => r.rule) },
      };
      const task = store.append(event).then(() =>
        verdict.flagged
          ? store.addFlag({
              id: mentionPairKey('bench', mention),
              campaign: 'bench',
              mention,
              verdict,
              state: 'open',
              createdAt: at,
              events: [],
            })
          : undefined,
      );
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      if (inFlight.size >= 256) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    await store.flush();
    const seconds = (performance.now() - started) / 1000;
    await store.close();
    print({ measure: 'store', mentions: N, seconds });
    return N / seconds;
  } finally {
    cleanup();
  }
}

async function pipeline(): Promise<{ perS: number; primeMs: number }> {
  const { dir, cleanup } = tempDir();
  const fake = new FakeJetstream();
  for (let i = 0; i < 2 * N; i++) {
    const timeUs = START_US + i * 1000;
    const did = `did:plc:bench${i % 997}`;
    const rkey = `3lbench${String(i).padStart(8, '0')}`;
    const text = i % 2 === 0 ? textOf(i / 2) : `unrelated chatter ${i} #football`;
    fake.log.push(line(jetstreamPost({ did, rkey, timeUs, text })));
  }
  const url = await fake.start();
  try {
    const store = await openStore({ backend: 'file', dir }, { use: 'bot', logger: silentLogger() });
    const source = new JetstreamSource({
      url,
      hashtags: campaign.hashtags,
      store,
      logger: silentLogger(),
      clock: () => START_US / 1000 + 60_000,
    });
    const started = performance.now();
    const monitor = await runMonitor({
      store,
      scorer: score,
      campaigns: [campaign],
      sources: [source],
      logger: silentLogger(),
    });
    while (monitor.counts().stored < N) await new Promise((r) => setTimeout(r, 5));
    await monitor.stop();
    await store.flush();
    const seconds = (performance.now() - started) / 1000;
    const counts = monitor.counts();
    const restarted = new MentionPipeline({
      store,
      scorer: score,
      campaigns: [campaign],
      logger: silentLogger(),
    });
    const primeStart = performance.now();
    const remembered = await restarted.primeFromStore(new Date(Date.now() - 3_600_000).toISOString());
    const primeMs = performance.now() - primeStart;
    await store.close();
    print({ measure: 'pipeline', ...counts, seconds });
    print({ measure: 'prime', remembered, ms: primeMs });
    if (counts.stored !== N || counts.flagged !== counts.queued || counts.dropped !== 0) {
      throw new Error(`counts do not add up: ${JSON.stringify(counts)}`);
    }
    return { perS: N / seconds, primeMs };
  } finally {
    await fake.stop();
    cleanup();
  }
}

const scorePerS = scoreOnly();
const storePerS = await storeOnly();
const { perS: pipelinePerS, primeMs } = await pipeline();
print({
  mentions: N,
  score_per_s: Math.round(scorePerS),
  store_per_s: Math.round(storePerS),
  pipeline_per_s: Math.round(pipelinePerS),
  ratio_vs_slowest: Number((pipelinePerS / Math.min(scorePerS, storePerS)).toFixed(3)),
  prime_ms: Math.round(primeMs),
});
