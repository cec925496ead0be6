/**
 * Stopping: SIGTERM during start-up catch-up, while the platform hangs on a post, stops the bot
 * without waiting for the answer and without starting another post; the journal keeps the hung
 * post as an intent that says it was interrupted (the next start looks it up).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { type FakeX, fakeXEnv, startFakeX } from './_fake-x.ts';
import { startCliProcess, tempDir } from './_util.ts';

const X_CREDS = { appKey: 'stop-ck', appSecret: 'stop-cs', accessToken: 'stop-at', accessSecret: 'stop-as' };

let fake: FakeX;
const cleanups: Array<() => void> = [];
beforeAll(async () => {
  fake = await startFakeX(X_CREDS);
});
afterAll(async () => {
  await fake?.close();
  for (const fn of cleanups) fn();
});

describe('stopping the bot', () => {
  it('SIGTERM during catch-up with a hung platform call stops without waiting for it', {
    timeout: 60_000,
  }, async () => {
    const t = tempDir('solidarity-stop-');
    cleanups.push(t.cleanup);
    const campaigns = join(t.path, 'campaigns');
    mkdirSync(campaigns);
    // Five slots fell due in the last hour, all inside the grace window: a catch-up of five.
    const slots = [50, 40, 30, 20, 10].map((m) =>
      new Date(Date.now() - m * 60_000).toISOString().slice(0, 16),
    );
    writeFileSync(
      join(campaigns, 'stop.yaml'),
      [
        'id: stop',
        'name: Stop test',
        'timezone: UTC',
        'start: 2026-01-01T00:00',
        'platforms: [x]',
        'grace_minutes: 60',
        'schedules:',
        `  - at: [${slots.map((s) => JSON.stringify(s)).join(', ')}]`,
        'messages:',
        ...slots.map((_, i) => `  - "Stop test message ${i} #WeStandTogether"`),
      ].join('\n'),
    );
    const dataDir = join(t.path, 'data');
    // The first post hangs for longer than the test runs.
    fake.fault('POST /2/tweets', { delayMs: 120_000 });
    const bot = startCliProcess(['start'], {
      env: {
        SOLIDARITY_DATA_DIR: dataDir,
        SOLIDARITY_CAMPAIGNS_DIR: campaigns,
        SOLIDARITY_MODE: 'live',
        DASHBOARD_PORT: '0',
        ...fakeXEnv(fake, X_CREDS),
      },
    });
    await bot.waitFor('x: authorised as');
    // Wait for the hung request to reach the fake X (it takes its fault on arrival).
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (fake.faultsLeft('POST /2/tweets') === 0) {
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    const stopAt = Date.now();
    const exit = await bot.stop('SIGTERM');
    const stopMs = Date.now() - stopAt;
    console.log(JSON.stringify({ stopDuringHungCallMs: stopMs }));
    expect(exit.code, bot.stderr()).toBe(0);
    expect(bot.stdout()).toContain('SIGTERM: stopping…');
    expect(bot.stdout()).toContain('Stopped.');
    expect(bot.stdout()).not.toContain('Running.');
    // The hung call never answered, and no other post was started.
    expect(fake.tweets).toEqual([]);
    expect(fake.requests.filter((r) => r.path === '/2/tweets')).toEqual([]);

    const store = await openStore({ backend: 'file', dir: dataDir }, { use: 'read' });
    const journal = await store.listJournal();
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({ state: 'intent', attempts: 1 });
    expect(journal[0]?.note).toMatch(/^stopped while posting to x: looked up at the next start$/);
    const failed = [];
    for await (const e of store.events({ types: ['post.intent', 'post.failed'] })) failed.push(e);
    expect(failed.map((e) => e.type)).toEqual(['post.intent', 'post.failed']);
    await store.close();
  });
});
