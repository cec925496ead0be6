/**
 * startMonitoring as the `start` command calls it: sources chosen from the mode and credentials,
 * the real sample campaigns, everything on 127.0.0.1.
 */
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadCampaigns } from '../src/campaign/load.ts';
import { loadEnv } from '../src/config/env.ts';
import type { Context } from '../src/context.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/logger.ts';
import { startMonitoring } from '../src/monitor/start.ts';
import { isLocalMode } from '../src/platforms/registry.ts';
import { parseStoreUrl } from '../src/store/open.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { FakeJetstream, jetstreamPost, line } from './_fake-jetstream.ts';
import { FakeXSearch } from './_fake-x-search.ts';
import { MemoryStore } from './_monitor-store.ts';
import { testScore } from './_test-scorer.ts';
import { tempDir } from './_util.ts';

const { cleanups } = cleanupAfterEach();

/** The context createContext builds, with a silent logger (no log files or worker threads). */
function context(vars: Record<string, string>, printed: string[] = []): Context {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const env = loadEnv({ SOLIDARITY_DATA_DIR: join(dir.path, 'data'), ...vars }, { dotenvPath: null });
  return {
    env,
    logger: silentLogger(),
    clock: systemClock,
    mode: isLocalMode(env) ? 'local' : 'live',
    dataDir: env.SOLIDARITY_DATA_DIR,
    storeTarget: parseStoreUrl(env.STORE_URL, env.SOLIDARITY_DATA_DIR),
    campaignsDir: 'campaigns',
    print: (line) => printed.push(line),
  };
}

describe('startMonitoring', () => {
  it('local mode replays the sample stream into the store and the review queue', async () => {
    const printed: string[] = [];
    const ctx = context({ SOLIDARITY_MODE: 'local', SOLIDARITY_SAMPLE_INTERVAL_MS: '0' }, printed);
    const campaigns = loadCampaigns('campaigns');
    const store = new MemoryStore();
    const monitor = await startMonitoring(ctx, campaigns, { store, scorer: testScore, announce: true });
    await monitor.done;
    const counts = monitor.counts();
    const ids = new Set(store.mentionsSeen().map((e) => e.mention.id));
    expect(ids.size).toBe(74);
    expect(counts.unmatched).toBe(0);
    expect(counts.seen).toBe(counts.stored);
    expect(counts.own).toBe(3);
    expect(counts.dropped).toBe(0);
    expect(store.flagsById.size).toBe(counts.queued);
    expect(store.flagsById.size).toBeGreaterThan(0);
    // One terminal line per flag, naming ids and rules, never the text.
    const flagLines = printed.filter((l) => l.includes('flagged for review'));
    expect(flagLines).toHaveLength(store.flagsById.size);
    for (const flag of store.flagsById.values()) {
      expect(flagLines.some((l) => l.includes(flag.id) && l.includes(`@${flag.mention.authorHandle}`))).toBe(
        true,
      );
      expect(printed.join('\n')).not.toContain(flag.mention.text);
    }
    // The replay is done: a second start reads nothing again.
    const again = await startMonitoring(ctx, campaigns, { store, scorer: testScore });
    await again.done;
    expect(again.counts().seen).toBe(0);
    expect(store.mentionsSeen()).toHaveLength(counts.stored);
  });

  it('a missing sample file is reported with its code, not a crash', async () => {
    const ctx = context({
      SOLIDARITY_MODE: 'local',
      SOLIDARITY_SAMPLE_MENTIONS: '/nonexistent/mentions.jsonl',
    });
    const store = new MemoryStore();
    const monitor = await startMonitoring(ctx, loadCampaigns('campaigns'), { store, scorer: testScore });
    await monitor.done;
    expect(monitor.status().sources[0]!.error).toMatch(
      /^MENTIONS_FILE_INVALID: .*\/nonexistent\/mentions\.jsonl/,
    );
  });

  it('live mode reads Jetstream and X recent search for the campaigns on those platforms', async () => {
    const jetstream = new FakeJetstream();
    const t = Date.now() * 1000 - 30e6;
    jetstream.log.push(
      line(
        jetstreamPost({
          did: 'did:plc:aa',
          rkey: '3laa1',
          timeUs: t,
          text: 'With you, Brussels #PrayForBrussels',
        }),
      ),
      line(
        jetstreamPost({
          did: 'did:plc:bb',
          rkey: '3lbb1',
          timeUs: t + 1e6,
          text: 'vermin, all of them #LoveNotHate',
        }),
      ),
      line(
        jetstreamPost({ did: 'did:plc:cc', rkey: '3lcc1', timeUs: t + 2e6, text: 'not ours #SomethingElse' }),
      ),
    );
    const jetstreamUrl = await jetstream.start();
    cleanups.push(() => jetstream.stop());
    const x = new FakeXSearch({ bearerToken: 'bearer-for-tests' });
    x.add(
      {
        id: '1900000000000000001',
        text: 'Solidarity #WeStandTogether',
        authorId: '11',
        username: 'xa',
        createdAt: new Date().toISOString(),
      },
      {
        id: '1900000000000000002',
        text: 'Love #NoToHateCrime',
        authorId: '12',
        username: 'xb',
        createdAt: new Date().toISOString(),
      },
      // The bot's own account quoting abuse it received: never flagged.
      {
        id: '1900000000000000003',
        text: 'We were sent "vermin" today. #WeStandTogether',
        authorId: '777',
        username: 'campaign_account',
        createdAt: new Date().toISOString(),
      },
    );
    const xUrl = await x.start();
    cleanups.push(() => x.stop());
    const ctx = context({
      SOLIDARITY_MODE: 'live',
      JETSTREAM_URL: jetstreamUrl,
      BLUESKY_APPVIEW_URL: 'http://127.0.0.1:9/',
      // Bluesky is unreachable for the search login: live monitoring runs on without backfill.
      BLUESKY_SERVICE: 'http://127.0.0.1:9/',
      BLUESKY_IDENTIFIER: 'bot.example.com',
      BLUESKY_APP_PASSWORD: 'app-password',
      X_BEARER_TOKEN: 'bearer-for-tests',
      X_API_KEY: 'key',
      X_API_SECRET: 'secret',
      X_ACCESS_TOKEN: '777-accesstoken',
      X_ACCESS_SECRET: 'access-secret',
      X_API_BASE_URL: xUrl,
    });
    const store = new MemoryStore();
    const monitor = await startMonitoring(ctx, loadCampaigns('campaigns'), { store, scorer: testScore });
    cleanups.push(() => monitor.stop());
    await vi.waitFor(
      () => expect(store.mentionsSeen().map((e) => `${e.campaign}:${e.mention.id}`)).toHaveLength(5),
      { timeout: 10_000 },
    );
    await monitor.stop();
    expect(
      monitor
        .status()
        .sources.map((s) => s.name)
        .sort(),
    ).toEqual(['bluesky', 'x:notohatecrime', 'x:westandtogether']);
    expect(jetstream.connections).toHaveLength(1);
    expect(x.requests.map((r) => r.query).sort()).toEqual(
      [
        '(#westandtogether OR #standwithbelgium OR #prayforbrussels) -is:retweet',
        '(#notohatecrime OR #lovenothate) -is:retweet',
      ].sort(),
    );
    const byCampaign = store
      .mentionsSeen()
      .map((e) => `${e.campaign}:${e.mention.platform}:${e.mention.authorHandle}`);
    expect(byCampaign.sort()).toEqual(
      [
        'westandtogether:bluesky:did:plc:aa',
        'notohatecrime:bluesky:did:plc:bb',
        'westandtogether:x:xa',
        'notohatecrime:x:xb',
        'westandtogether:x:campaign_account',
      ].sort(),
    );
    expect([...store.flagsById.values()].map((f) => f.campaign)).toEqual(['notohatecrime']);
    const own = store.mentionsSeen().find((e) => e.mention.authorId === '777')!;
    expect(own.verdict).toMatchObject({ flagged: false, rules: ['own-post'] });
  });
});
