/**
 * `solidarity start` and `solidarity status` in live mode, as a user runs them, against a real PDS
 * and the fake X API: rejected credentials stop start-up with exit code 4 naming the env vars; good
 * ones post a due slot to both networks, and status shows the posts with their URLs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeX, fakeXEnv, startFakeX } from './_fake-x.ts';
import { type LocalPds, startLocalPds } from './_pds.ts';
import { runCliProcess, startCliProcess, tempDir } from './_util.ts';

const X_CREDS = { appKey: 'live-ck', appSecret: 'live-cs', accessToken: 'live-at', accessSecret: 'live-as' };
const HANDLE = 'livebot.test';
const PASSWORD = 'live-pass-1234';

let pds: LocalPds;
let fake: FakeX;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  [pds, fake] = await Promise.all([startLocalPds(), startFakeX(X_CREDS)]);
  await pds.createAccount(HANDLE, PASSWORD);
});
afterAll(async () => {
  // Remove the folders even when a server fails to close.
  await Promise.allSettled([pds?.close(), fake?.close()]);
  for (const fn of cleanups) fn();
});

/** A data folder and a campaign whose one slot fell due a minute ago (inside the grace window). */
function setup(text: string) {
  const t = tempDir('solidarity-live-');
  cleanups.push(t.cleanup);
  const campaigns = join(t.path, 'campaigns');
  mkdirSync(campaigns);
  const slot = new Date(Date.now() - 60_000);
  const wall = slot.toISOString().slice(0, 16);
  writeFileSync(
    join(campaigns, 'live.yaml'),
    [
      'id: live',
      'name: Live test',
      'timezone: UTC',
      'start: 2026-01-01T00:00',
      'platforms: [x, bluesky]',
      'schedules:',
      `  - at: ["${wall}"]`,
      'messages:',
      `  - ${JSON.stringify(text)}`,
    ].join('\n'),
  );
  return {
    env: {
      SOLIDARITY_DATA_DIR: join(t.path, 'data'),
      SOLIDARITY_CAMPAIGNS_DIR: campaigns,
      SOLIDARITY_MODE: 'live',
      // A free port: other tests may run a bot with the default dashboard port at the same time.
      DASHBOARD_PORT: '0',
      // Live monitoring starts too: keep its Jetstream connection on this machine (nothing listens).
      JETSTREAM_URL: 'ws://127.0.0.1:9/subscribe',
      BLUESKY_SERVICE: pds.url,
      BLUESKY_IDENTIFIER: HANDLE,
      BLUESKY_APP_PASSWORD: PASSWORD,
      ...fakeXEnv(fake, X_CREDS),
    },
  };
}

describe('solidarity start in live mode', () => {
  it('exits with code 4 and names the X variables when X rejects the credentials', async () => {
    const { env } = setup('Never posted: wrong X secret #WeStandTogether');
    const result = await runCliProcess(['start'], { env: { ...env, X_ACCESS_SECRET: 'wrong' } });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('X_AUTH_FAILED');
    expect(result.stderr).toContain('X_ACCESS_SECRET');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(fake.tweets.some((t) => t.text.startsWith('Never posted'))).toBe(false);
  });

  it('exits with code 4 and names the Bluesky variables when the app password is wrong', async () => {
    const { env } = setup('Never posted: wrong app password #WeStandTogether');
    const result = await runCliProcess(['start'], { env: { ...env, BLUESKY_APP_PASSWORD: 'wrong-one' } });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('BLUESKY_AUTH_FAILED');
    expect(result.stderr).toContain('BLUESKY_APP_PASSWORD');
  });

  it('posts a due slot to X and Bluesky, stops on SIGTERM, and status shows both posts', {
    timeout: 120_000,
  }, async () => {
    const text = 'Live: we will always stand together. Report hate on 101. #WeStandTogether';
    const { env } = setup(text);
    const logins = () => pds.calls.filter((c) => c.endsWith('com.atproto.server.createSession')).length;
    const loginsBefore = logins();
    const bot = startCliProcess(['start'], { env });
    const stdout = await bot.waitFor('Running.');
    expect(stdout).toContain('bluesky: logged in as @livebot.test');
    expect(stdout).toContain('x: authorised as @westandtogether');
    expect(fake.tweets.filter((t) => t.text === text)).toHaveLength(1);
    // Live posts are not in an outbox: the terminal says where each one went, once.
    expect(stdout.match(/^ {2}posted {2}live → x {2}https:\/\/x\.com\/\S+$/gm)).toHaveLength(1);
    expect(stdout.match(/^ {2}posted {2}live → bluesky {2}https:\/\/bsky\.app\/\S+$/gm)).toHaveLength(1);
    // Posting and monitoring (search backfill) share one Bluesky session: one login in all.
    expect(logins() - loginsBefore).toBe(1);

    const status = await runCliProcess(['status', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as {
      mode: string;
      campaigns: Array<{
        id: string;
        platforms: Array<{
          platform: string;
          lastPost?: { url?: string };
          pending: unknown[];
          credentials?: { ok: boolean };
        }>;
      }>;
    };
    expect(report.mode).toBe('live');
    const live = report.campaigns.find((c) => c.id === 'live')!;
    const x = live.platforms.find((p) => p.platform === 'x')!;
    const bluesky = live.platforms.find((p) => p.platform === 'bluesky')!;
    expect(x.lastPost?.url).toMatch(/^https:\/\/x\.com\/westandtogether\/status\/\d+$/);
    expect(bluesky.lastPost?.url).toMatch(
      /^https:\/\/bsky\.app\/profile\/did:plc:[a-z0-9]+\/post\/[a-z0-9]{13}$/,
    );
    expect(x.pending).toEqual([]);
    expect(x.credentials?.ok).toBe(true);
    expect(bluesky.credentials?.ok).toBe(true);

    expect((await bot.stop('SIGTERM')).code).toBe(0);
  });
});
