/**
 * A bot process for the crash tests: opens the real store, posts the due slots of one campaign to
 * the local outbox, a real PDS, the fake X API and the fake Mastodon instance (each network only
 * when its address is given), and kills itself with SIGKILL at the point
 * CRASH names ("after-intent:x", "after-call:bluesky", …) — between intent and confirmation.
 * Prints the outcomes as one JSON line when it survives.
 */
import { readFileSync } from 'node:fs';
import { loadCampaign } from '../src/campaign/load.ts';
import { silentLogger } from '../src/logger.ts';
import { BlueskyAdapter } from '../src/platforms/bluesky/adapter.ts';
import { OutboxAdapter } from '../src/platforms/local/outbox-adapter.ts';
import { MastodonAdapter } from '../src/platforms/mastodon/adapter.ts';
import type { Adapters, PostRequest } from '../src/platforms/types.ts';
import { XAdapter } from '../src/platforms/x/adapter.ts';
import { Publisher } from '../src/scheduler/publish.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { openStore } from '../src/store/index.ts';

const env = process.env;
const [crashPoint, crashPlatform] = (env.CRASH ?? '').split(':');
const now = new Date(env.NOW!);
const clock = { now: () => now };
const store = await openStore({ backend: 'file', dir: env.DATA_DIR! }, { use: 'bot' });
const campaign = loadCampaign(env.CAMPAIGN_FILE!);
const bluesky = env.PDS_URL
  ? new BlueskyAdapter({
      service: env.PDS_URL,
      identifier: env.BSKY_ID!,
      password: env.BSKY_PW!,
      state: store,
      now: clock.now,
    })
  : undefined;
const adapters: Adapters = {
  local: new OutboxAdapter(env.DATA_DIR!, clock),
  ...(bluesky ? { bluesky } : {}),
  ...(env.X_URL
    ? {
        x: new XAdapter({
          credentials: JSON.parse(env.X_CREDS!),
          baseUrl: env.X_URL,
          caCertificate: readFileSync(env.X_CA_FILE!, 'utf8'),
          now: clock.now,
        }),
      }
    : {}),
  ...(env.MASTODON_URL
    ? {
        mastodon: new MastodonAdapter({
          url: env.MASTODON_URL,
          accessToken: env.MASTODON_ACCESS_TOKEN!,
          now: clock.now,
        }),
      }
    : {}),
};
const crash = (point: string) => (draft: PostRequest) => {
  if (crashPoint === point && draft.platform === crashPlatform) process.kill(process.pid, 'SIGKILL');
};
const publisher = new Publisher({
  store,
  adapters,
  clock,
  logger: silentLogger(),
  beforeCall: crash('after-intent'),
  afterCall: crash('after-call'),
});
const scheduler = new Scheduler({
  campaigns: [campaign],
  clock,
  logger: silentLogger(),
  publisher,
  cursor: {
    get: () => store.getCursor('scheduler.lastTick'),
    set: (v) => store.setCursor('scheduler.lastTick', v),
  },
});
const results = await scheduler.recover();
await bluesky?.close();
await store.close();
process.stdout.write(
  `${JSON.stringify(results.map((r) => ({ platform: r.draft.platform, outcome: r.outcome })))}\n`,
);
