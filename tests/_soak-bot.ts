/**
 * The bot of the soak test, as `solidarity start` composes it in local mode, without the parts the
 * soak does not exercise (dashboard, credential checks, network SDKs), so a restart costs a
 * fraction of a second and the test can kill it dozens of times:
 *   store (writer, bot lock) → the deep checks of start → catch-up of missed slots through the
 *   journal (Publisher, Scheduler.recover, local outbox) → monitoring (local replay, the real
 *   scorer, the pipeline) until the file is replayed.
 * Prints "ready", "recovered", "replay ended" and "stopped"; stops cleanly on SIGTERM.
 *   node tests/_soak-bot.ts DATA_DIR CAMPAIGNS_DIR MENTIONS_FILE
 */
import pino from 'pino';
import { loadCampaigns } from '../src/campaign/load.ts';
import { systemClock } from '../src/core/clock.ts';
import { monitoredCampaign } from '../src/monitor/campaigns.ts';
import { deepCheck } from '../src/monitor/consistency.ts';
import { runMonitor } from '../src/monitor/monitor.ts';
import { OutboxAdapter } from '../src/platforms/local/outbox-adapter.ts';
import { LocalReplaySource } from '../src/platforms/local/replay.ts';
import { Publisher } from '../src/scheduler/publish.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { score } from '../src/scoring/index.ts';
import { openStore } from '../src/store/index.ts';

const [dataDir, campaignsDir, mentionsPath] = process.argv.slice(2) as [string, string, string];
const say = (line: string) => process.stdout.write(`${line}\n`);
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn', base: undefined }, pino.destination(2));

const stopping = new AbortController();
// Runs until told to stop, like the bot (which keeps its scheduler and dashboard open).
const keepAlive = setInterval(() => {}, 1 << 30);
const stopped = new Promise<void>((resolve) => {
  process.once('SIGTERM', () => {
    stopping.abort();
    clearInterval(keepAlive);
    resolve();
  });
});

const campaigns = loadCampaigns(campaignsDir);
const store = await openStore(
  { backend: 'file', dir: dataDir },
  { use: 'bot', logger, clock: () => new Date() },
);
const findings = await deepCheck(store, { campaigns, mentionsPath });
for (const f of findings.findings) logger.warn({ kind: f.kind }, f.message);
say(`ready findings=${findings.findings.length}`);

const outbox = new OutboxAdapter(dataDir, systemClock);
const publisher = new Publisher({
  store,
  adapters: { x: outbox, bluesky: outbox },
  clock: systemClock,
  logger,
  signal: stopping.signal,
});
const scheduler = new Scheduler({
  campaigns,
  clock: systemClock,
  logger,
  publisher,
  signal: stopping.signal,
  cursor: {
    get: () => store.getCursor('scheduler.lastTick'),
    set: (value) => store.setCursor('scheduler.lastTick', value),
  },
});
await scheduler.recover();
say('recovered');

if (!stopping.signal.aborted) {
  const monitor = await runMonitor({
    store,
    scorer: score,
    campaigns: await Promise.all(
      campaigns.map(async (c) =>
        monitoredCampaign(c, {
          postedTexts: (await store.listJournal({ campaign: c.id, state: 'confirmed' })).map((j) => j.text),
        }),
      ),
    ),
    sources: [new LocalReplaySource({ path: mentionsPath, store, logger, intervalMs: 1 })],
    logger,
  });
  const ended = await Promise.race([monitor.done.then(() => true), stopped.then(() => false)]);
  if (ended) say('replay ended');
  await stopped;
  await monitor.stop();
}
await scheduler.stop();
await store.close();
say('stopped');
