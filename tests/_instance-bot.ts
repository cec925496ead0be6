/**
 * One bot instance of the several-instances tests, composed as `solidarity start` composes it for
 * a shared database, without the parts those tests do not exercise (dashboard, share site,
 * credential checks): the store at STORE_URL → the posting lease (stand by, take over) → catch-up
 * and scheduling through the journal (Publisher, Scheduler) to a real Bluesky PDS → monitoring a
 * local replay file through the real scorer and pipeline.
 *
 * Its clock runs SPEED times faster than the wall clock from T0 (both instances get the same T0),
 * so a campaign with a slot every ten minutes has one due every second of the test at SPEED=600,
 * and the scheduler ticks every 100 ms instead of once a minute.
 *   env: STORE_URL CAMPAIGNS_DIR MENTIONS PDS_URL BSKY_ID BSKY_PW T0 SPEED [REPLAY_INTERVAL_MS]
 * Prints the lease lines of `solidarity start` as they are, and one JSON line per thing the test
 * follows: {"ev":"leading"}, {"ev":"call",…} just before each platform call, {"ev":"result",…}
 * per slot handled, {"ev":"notice",…} per control change heard from another instance,
 * {"ev":"replay-ended"}, {"ev":"stopped"}. `at` and `heardAt` are wall-clock milliseconds.
 */
import pino from 'pino';
import { loadCampaigns } from '../src/campaign/load.ts';
import { takePosting } from '../src/cli/standby.ts';
import { monitoredCampaign } from '../src/monitor/campaigns.ts';
import { type MonitorHandle, runMonitor } from '../src/monitor/monitor.ts';
import { BlueskyAdapter } from '../src/platforms/bluesky/adapter.ts';
import { LocalReplaySource } from '../src/platforms/local/replay.ts';
import { Publisher } from '../src/scheduler/publish.ts';
import { Scheduler, type TickResult } from '../src/scheduler/scheduler.ts';
import { score } from '../src/scoring/index.ts';
import { openStore } from '../src/store/open.ts';

const env = process.env;
const T0 = Number(env.T0);
const SPEED = Number(env.SPEED ?? 1);
const clock = { now: () => new Date(T0 + (Date.now() - T0) * SPEED) };
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const event = (body: Record<string, unknown>): void => say(JSON.stringify({ ...body, at: Date.now() }));
const logger = pino({ level: env.LOG_LEVEL ?? 'warn', base: undefined }, pino.destination(2));

const stopping = new AbortController();
// Runs until told to stop, like the bot.
const keepAlive = setInterval(() => {}, 1 << 30);
process.once('SIGTERM', () => {
  stopping.abort();
  clearInterval(keepAlive);
});
const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    stopping.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

const store = await openStore(env.STORE_URL!, { use: 'bot', logger, clock: clock.now, pruneEveryMs: 0 });
// A pause given on another instance: when this one heard it.
store.subscribe?.((notice) => {
  if (notice.kind !== 'event' || notice.event.type !== 'control') return;
  say(
    JSON.stringify({
      ev: 'notice',
      action: notice.event.action,
      campaign: notice.event.campaign,
      madeAt: Date.parse(notice.event.at),
      heardAt: Date.now(),
    }),
  );
});
await (store as { listening?: () => Promise<void> }).listening?.();
event({ ev: 'ready' });

const posting = await takePosting(store, { print: say, signal: stopping.signal });
if (posting) {
  event({ ev: 'leading' });
  void posting.lost.then(() => stopping.abort());
  const campaigns = loadCampaigns(env.CAMPAIGNS_DIR!);
  const bluesky = new BlueskyAdapter({
    service: env.PDS_URL!,
    identifier: env.BSKY_ID!,
    password: env.BSKY_PW!,
    state: store,
    logger,
    now: clock.now,
  });
  const publisher = new Publisher({
    store,
    adapters: { bluesky },
    clock,
    logger,
    signal: stopping.signal,
    beforeCall: (draft) => event({ ev: 'call', campaign: draft.campaign, slot: draft.slotAt.toISOString() }),
  });
  const scheduler = new Scheduler({
    campaigns,
    clock,
    logger,
    publisher,
    signal: stopping.signal,
    cursor: {
      get: () => store.getCursor('scheduler.lastTick'),
      set: (value) => store.setCursor('scheduler.lastTick', value),
    },
  });
  const report = (results: TickResult[]) => {
    for (const r of results) {
      event({
        ev: 'result',
        outcome: r.outcome,
        campaign: r.draft.campaign,
        slot: r.draft.slotAt.toISOString(),
        ...(r.error ? { reason: r.error } : {}),
      });
    }
  };
  report(await scheduler.recover());
  let monitor: MonitorHandle | undefined;
  if (!stopping.signal.aborted) {
    const monitored = [];
    for (const c of campaigns) {
      const posted = await store.listJournal({ campaign: c.id, state: 'confirmed' });
      monitored.push(monitoredCampaign(c, { postedTexts: posted.map((j) => j.text) }));
    }
    monitor = await runMonitor({
      store,
      scorer: score,
      campaigns: monitored,
      sources: [
        new LocalReplaySource({
          path: env.MENTIONS!,
          store,
          logger,
          intervalMs: Number(env.REPLAY_INTERVAL_MS ?? 5),
        }),
      ],
      logger,
    });
    void monitor.done.then(() => event({ ev: 'replay-ended' }));
  }
  while (!stopping.signal.aborted) {
    report(await scheduler.tick());
    await sleep(100);
  }
  await monitor?.stop();
  await scheduler.stop();
  await posting.leadership.release();
}
await store.close();
event({ ev: 'stopped' });
