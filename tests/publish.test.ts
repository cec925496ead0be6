/**
 * The exactly-once scheduler on a real store in a temp folder, with an injected clock (no waiting):
 * DST, missed slots and the grace window, pause / stop-all from the CLI reaching a running bot,
 * 429 keeping the slot, bounded backoff, and credentials that stop one platform only.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../src/campaign/load.ts';
import type { Campaign } from '../src/campaign/schema.ts';
import { slotsBetween } from '../src/campaign/slots.ts';
import { ManualClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/logger.ts';
import { PlatformError } from '../src/platforms/errors.ts';
import { type PlatformAdapter, type Post, type PostRequest, postKey } from '../src/platforms/types.ts';
import { Publisher } from '../src/scheduler/publish.ts';
import { campaignReloader } from '../src/scheduler/reload.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { readOutbox } from '../src/store/outbox.ts';
import type { ActivityEvent, ActivityType } from '../src/store/types.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { runCliInProcess, tempDir } from './_util.ts';

/** An adapter that records posts and fails on cue; its lookup is exact, like Bluesky's. */
class ScriptedAdapter implements PlatformAdapter {
  readonly posts: Array<{ draft: PostRequest; at: Date }> = [];
  calls = 0;
  failures: Error[] = [];
  readonly name: string;
  private readonly clock: ManualClock;
  constructor(name: string, clock: ManualClock) {
    this.name = name;
    this.clock = clock;
  }
  async post(draft: PostRequest): Promise<Post> {
    this.calls++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.posts.push({ draft, at: this.clock.now() });
    return {
      platform: draft.platform,
      remoteId: `${this.name}-${this.posts.length}`,
      url: `https://example.test/${this.name}/${this.posts.length}`,
      postedAt: this.clock.now().toISOString(),
    };
  }
  async lookup(draft: PostRequest): Promise<Post | undefined> {
    const found = this.posts.find((p) => postKey(p.draft) === postKey(draft));
    return found
      ? { platform: draft.platform, remoteId: 'x', url: 'u', postedAt: found.at.toISOString() }
      : undefined;
  }
}

const { cleanups } = cleanupAfterEach();

interface Bot {
  campaignsDir: string;
  store: Store;
  clock: ManualClock;
  x: ScriptedAdapter;
  bluesky: ScriptedAdapter;
  scheduler: Scheduler;
  publisher: Publisher;
  campaigns: Campaign[];
  /** Ticks every `stepMinutes` (node-cron ticks each minute; slots here are on the hour) until `to`. */
  runUntil(to: string, stepMinutes?: number): Promise<void>;
  events<T extends ActivityType>(type: T): Promise<Array<Extract<ActivityEvent, { type: T }>>>;
  /** Runs a CLI command in-process against this bot's data and campaigns (local mode); output is stdout then stderr. */
  cli(...argv: string[]): Promise<{ code: number | null; output: string }>;
}

/**
 * The body of a campaign file (after id, name and timezone): from 22 March 2026 on X with messages
 * "a" and "b" unless told otherwise; `schedule` is one entry of `schedules`, `more` any other fields.
 */
function campaignLines(
  schedule: string,
  options: { start?: string; platforms?: string; messages?: string; more?: string[] } = {},
): string[] {
  return [
    `start: ${options.start ?? '2026-03-22T00:00'}`,
    `platforms: ${options.platforms ?? '[x]'}`,
    ...(options.more ?? []),
    'schedules:',
    `  - ${schedule}`,
    `messages: ${options.messages ?? '["a", "b"]'}`,
  ];
}

/** Writes campaign `id` (named after itself, Europe/London) into `dir`; returns the file's path. */
function writeCampaign(dir: string, id: string, lines: string[]): string {
  const file = join(dir, `${id}.yaml`);
  writeFileSync(file, [`id: ${id}`, `name: ${id}`, 'timezone: Europe/London', ...lines].join('\n'));
  return file;
}

/** Where a scheduler keeps its last tick, so a new one (a restart) picks up from there. */
function lastTickCursor(store: Store) {
  return {
    get: () => store.getCursor('scheduler.lastTick'),
    set: (v: string) => store.setCursor('scheduler.lastTick', v),
  };
}

/** Runs a CLI command in-process; output is stdout then stderr. */
async function cli(
  env: Record<string, string>,
  argv: string[],
): Promise<{ code: number | null; output: string }> {
  const { code, stdout, stderr } = await runCliInProcess(argv, env);
  return { code, output: stdout + stderr };
}

async function startBot(files: Record<string, string[]>, start: string): Promise<Bot> {
  const dir = tempDir('solidarity-publish-');
  cleanups.push(dir.cleanup);
  const campaignsDir = join(dir.path, 'campaigns');
  const dataDir = join(dir.path, 'data');
  mkdirSync(campaignsDir);
  const campaigns = Object.entries(files).map(([id, lines]) =>
    loadCampaign(writeCampaign(campaignsDir, id, lines)),
  );
  const store = await openStore({ backend: 'file', dir: dataDir }, { use: 'bot', fsync: false });
  cleanups.push(() => store.close());
  const clock = new ManualClock(start);
  const x = new ScriptedAdapter('x', clock);
  const bluesky = new ScriptedAdapter('bluesky', clock);
  const adapters = { x, bluesky };
  const publisher = new Publisher({ store, adapters, clock, logger: silentLogger(), random: () => 0.5 });
  const scheduler = new Scheduler({
    campaigns,
    clock,
    logger: silentLogger(),
    publisher,
    reloadCampaigns: campaignReloader(campaigns, silentLogger()),
    cursor: lastTickCursor(store),
  });
  const cliEnv = {
    SOLIDARITY_DATA_DIR: dataDir,
    SOLIDARITY_CAMPAIGNS_DIR: campaignsDir,
    SOLIDARITY_MODE: 'local',
    LOG_LEVEL: 'silent',
  };
  await scheduler.recover();
  return {
    campaignsDir,
    store,
    clock,
    x,
    bluesky,
    scheduler,
    publisher,
    campaigns,
    async runUntil(to, stepMinutes = 1) {
      const end = new Date(to).getTime();
      while (clock.now().getTime() < end) {
        clock.advance(stepMinutes * 60_000);
        await scheduler.tick();
      }
    },
    async events<T extends ActivityType>(type: T) {
      const out: Array<Extract<ActivityEvent, { type: T }>> = [];
      for await (const e of store.events())
        if (e.type === type) out.push(e as Extract<ActivityEvent, { type: T }>);
      return out;
    },
    cli: (...argv) => cli(cliEnv, argv),
  };
}

const iso = (d: Date) => d.toISOString();

describe('scheduled posting with an injected clock', () => {
  it('posts at the right instants across both DST changes (Europe/London), each slot once', async () => {
    const lines = campaignLines('cron: "0 9 * * *"', {
      start: '2026-03-27T00:00',
      platforms: '[x, bluesky]',
      messages: '["a", "b", "c"]',
    });
    const bot = await startBot({ dst: lines }, '2026-03-27T12:00:00Z');
    await bot.runUntil('2026-03-31T00:00:00Z', 15);
    expect(bot.x.posts.map((p) => iso(p.draft.slotAt))).toEqual([
      '2026-03-28T09:00:00.000Z', // GMT
      '2026-03-29T08:00:00.000Z', // BST from 01:00 UTC that morning
      '2026-03-30T08:00:00.000Z',
    ]);
    // Posted when the clock reached the slot, not an hour off.
    for (const p of [...bot.x.posts, ...bot.bluesky.posts]) expect(iso(p.at)).toBe(iso(p.draft.slotAt));
    expect(bot.bluesky.posts).toHaveLength(3);

    bot.clock.set('2026-10-23T12:00:00Z');
    await bot.scheduler.tick(); // the days in between were "missed"; none is posted late
    await bot.runUntil('2026-10-27T00:00:00Z', 15);
    expect(bot.x.posts.slice(3).map((p) => iso(p.draft.slotAt))).toEqual([
      '2026-10-24T08:00:00.000Z', // BST
      '2026-10-25T09:00:00.000Z', // GMT again
      '2026-10-26T09:00:00.000Z',
    ]);
  });

  it('posts exactly the slots the preview computes, also for a time in the skipped hour', async () => {
    const lines = campaignLines('cron: "30 1 * * *"', { start: '2026-03-27T00:00' });
    const bot = await startBot({ gap: lines }, '2026-03-27T00:00:00Z');
    await bot.runUntil('2026-03-31T00:00:00Z', 15);
    const expected = slotsBetween(
      bot.campaigns[0]!,
      new Date('2026-03-27T00:00:00Z'),
      new Date('2026-03-31T00:00:00Z'),
    );
    expect(bot.x.posts.map((p) => iso(p.draft.slotAt))).toEqual(expected.map((s) => iso(s.at)));
    expect(new Set(bot.x.posts.map((p) => iso(p.draft.slotAt))).size).toBe(bot.x.posts.length);
  });

  it('after downtime posts a missed slot within the grace window and skips (and logs) older ones', async () => {
    const lines = campaignLines('cron: "0 9,13 * * *"', { more: ['grace_minutes: 15'] });
    const bot = await startBot({ grace: lines }, '2026-03-22T08:50:00Z');
    // The bot was down from 08:50 to 13:10.
    const restarted = new Scheduler({
      campaigns: bot.campaigns,
      clock: bot.clock,
      logger: silentLogger(),
      publisher: bot.publisher,
      cursor: lastTickCursor(bot.store),
    });
    bot.clock.set('2026-03-22T13:10:00Z');
    const results = await restarted.recover();
    expect(results.map((r) => [iso(r.draft.slotAt), r.outcome])).toEqual([
      ['2026-03-22T09:00:00.000Z', 'skipped'],
      ['2026-03-22T13:00:00.000Z', 'posted'],
    ]);
    expect(bot.x.posts.map((p) => iso(p.at))).toEqual(['2026-03-22T13:10:00.000Z']);
    const skipped = await bot.events('post.skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.reason).toMatch(/missed: 250 min late, beyond the 15 min grace window/);
    expect((await bot.store.getJournal(`grace@2026-03-22T09:00:00.000Z/x`))?.state).toBe('skipped');
  });

  it('skips a retry that would land in quiet hours, and posts nothing after the end', async () => {
    const lines = campaignLines('cron: "0 9,21 * * *"', {
      more: ['end: 2026-03-23T12:00', 'quiet_hours: { from: "21:01", to: "07:00" }'],
    });
    const bot = await startBot({ quiet: lines }, '2026-03-22T08:00:00Z');
    await bot.runUntil('2026-03-22T20:00:00Z', 15);
    // 21:00 fails; its retry (21:00:30) would fall at the 21:01 tick, inside quiet hours.
    bot.x.failures.push(new PlatformError('x', 'transient', '503'));
    await bot.runUntil('2026-03-22T21:05:00Z');
    expect(await bot.store.getJournal('quiet@2026-03-22T21:00:00.000Z/x')).toMatchObject({
      state: 'skipped',
    });
    expect((await bot.store.getJournal('quiet@2026-03-22T21:00:00.000Z/x'))?.note).toMatch(/quiet hours/);
    await bot.runUntil('2026-03-23T08:00:00Z', 15);
    bot.x.failures.push(...Array.from({ length: 3 }, () => new PlatformError('x', 'transient', '503')));
    await bot.runUntil('2026-03-23T09:10:00Z');
    await bot.runUntil('2026-03-25T00:00:00Z', 15);
    expect(bot.x.posts.map((p) => iso(p.draft.slotAt))).toEqual([
      '2026-03-22T09:00:00.000Z',
      // 23 March 09:00 posted after three failures (30 s, 1 min, 2 min backoff); nothing after the end.
      '2026-03-23T09:00:00.000Z',
    ]);
    expect(iso(bot.x.posts[1]!.at)).toBe('2026-03-23T09:04:00.000Z');
  });

  it('keeps a rate-limited slot until the reset the platform gave, beyond the grace window', async () => {
    const lines = campaignLines('cron: "0 9 * * *"', { platforms: '[x, bluesky]' });
    const bot = await startBot({ limited: lines }, '2026-03-22T08:55:00Z');
    const reset = new Date('2026-03-22T09:40:00Z');
    bot.x.failures.push(new PlatformError('x', 'rate-limited', '429', { status: 429, retryAt: reset }));
    await bot.runUntil('2026-03-22T09:39:00Z');
    expect(bot.x.calls).toBe(1); // no hammering while limited
    expect(bot.bluesky.posts).toHaveLength(1); // the other platform is not held up
    expect((await bot.store.getJournal('limited@2026-03-22T09:00:00.000Z/x'))?.state).toBe('failed');
    await bot.runUntil('2026-03-22T10:00:00Z');
    expect(bot.x.posts.map((p) => iso(p.at))).toEqual(['2026-03-22T09:40:00.000Z']);
    const entry = await bot.store.getJournal('limited@2026-03-22T09:00:00.000Z/x');
    expect(entry).toMatchObject({ state: 'confirmed', attempts: 2 });
    const failed = await bot.events('post.failed');
    expect(failed[0]).toMatchObject({ code: 'RATE_LIMITED', retryAt: reset.toISOString() });
    expect((await bot.store.getState<{ limitedUntil: string }>('ratelimit:x'))?.limitedUntil).toBe(
      reset.toISOString(),
    );
  });

  it('does not post a rate-limited slot when the bot comes back long after the reset', async () => {
    const lines = campaignLines('cron: "0 9 * * *"');
    const bot = await startBot({ stale429: lines }, '2026-03-22T08:55:00Z');
    bot.x.failures.push(
      new PlatformError('x', 'rate-limited', '429', {
        status: 429,
        retryAt: new Date('2026-03-22T09:40:00Z'),
      }),
    );
    await bot.runUntil('2026-03-22T09:05:00Z');
    // The bot was down from 09:05 to 15:00: a restart (no retry times in memory).
    const restarted = new Publisher({
      store: bot.store,
      adapters: { x: bot.x },
      clock: bot.clock,
      logger: silentLogger(),
    });
    bot.clock.set('2026-03-22T15:00:00Z');
    const [result] = await restarted.retryDue(bot.campaigns);
    expect(result?.outcome).toBe('skipped');
    expect(bot.x.posts).toHaveLength(0);
    expect((await bot.store.getJournal('stale429@2026-03-22T09:00:00.000Z/x'))?.note).toMatch(
      /^missed: 360 min late/,
    );
  });

  it('retries 5xx with bounded exponential backoff and gives up after 6 attempts', async () => {
    const lines = campaignLines('at: ["2026-03-22T09:00"]', {
      messages: '["a"]',
      more: ['grace_minutes: 60'],
    });
    const bot = await startBot({ flaky: lines }, '2026-03-22T08:59:00Z');
    bot.x.failures.push(
      ...Array.from({ length: 10 }, () => new PlatformError('x', 'transient', '503 Service Unavailable')),
    );
    const attemptTimes: string[] = [];
    const original = bot.x.post.bind(bot.x);
    bot.x.post = (draft) => {
      attemptTimes.push(iso(bot.clock.now()));
      return original(draft);
    };
    await bot.runUntil('2026-03-22T10:00:00Z');
    // random() = 0.5 → no jitter: 30 s, 1, 2, 4, 8 min after each failure (ticks are a minute apart).
    expect(attemptTimes).toEqual([
      '2026-03-22T09:00:00.000Z',
      '2026-03-22T09:01:00.000Z',
      '2026-03-22T09:02:00.000Z',
      '2026-03-22T09:04:00.000Z',
      '2026-03-22T09:08:00.000Z',
      '2026-03-22T09:16:00.000Z',
    ]);
    expect(await bot.store.getJournal('flaky@2026-03-22T09:00:00.000Z/x')).toMatchObject({
      state: 'failed',
      attempts: 6,
    });
    expect((await bot.events('post.failed')).length).toBe(6);
  });

  it('does not retry a failed post beyond the grace window', async () => {
    const lines = campaignLines('at: ["2026-03-22T09:00"]', { messages: '["a"]' });
    const bot = await startBot({ stale: lines }, '2026-03-22T08:59:00Z');
    bot.x.failures.push(...Array.from({ length: 10 }, () => new PlatformError('x', 'transient', '503')));
    await bot.runUntil('2026-03-22T10:00:00Z');
    expect(bot.x.calls).toBe(5); // 09:00, :01, :02, :04, :08; the 09:16 retry is past the 15 min grace
    expect(await bot.store.getJournal('stale@2026-03-22T09:00:00.000Z/x')).toMatchObject({
      state: 'skipped',
    });
    expect((await bot.store.getJournal('stale@2026-03-22T09:00:00.000Z/x'))?.note).toMatch(
      /missed: 16 min late/,
    );
  });

  it('stops only the platform whose credentials are rejected, with no retry storm', async () => {
    const lines = campaignLines('cron: "0 9,13,18 * * *"', { platforms: '[x, bluesky]' });
    const bot = await startBot({ auth: lines }, '2026-03-22T08:55:00Z');
    bot.x.failures.push(
      new PlatformError('x', 'auth', 'X answered 401', { status: 401, hint: 'Check X_API_KEY…' }),
    );
    await bot.runUntil('2026-03-22T19:00:00Z');
    expect(bot.x.calls).toBe(1);
    expect(bot.bluesky.posts).toHaveLength(3);
    expect((await bot.store.getState<{ code: string }>('platform.stopped:x'))?.code).toBe('X_AUTH_FAILED');
    const errors = await bot.events('error');
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toContain('X_API_KEY');
  });
});

describe('pause, resume and stop-all from the CLI while the bot runs', () => {
  it('take effect before the next slot without a restart', async () => {
    const lines = campaignLines('cron: "0 9,13,18 * * *"');
    const bot = await startBot({ one: lines, two: lines }, '2026-03-22T08:55:00Z');

    const paused = await bot.cli('pause', 'one', '--reason', 'news changed');
    expect(paused.code, paused.output).toBe(0);
    expect(paused.output).toContain('The running bot has applied it');
    await bot.runUntil('2026-03-22T09:05:00Z');
    expect(bot.x.posts.map((p) => p.draft.campaign)).toEqual(['two']);
    const skipped = await bot.events('post.skipped');
    expect(skipped.map((e) => [e.campaign, e.reason])).toEqual([
      ['one', expect.stringContaining('news changed')],
    ]);

    expect((await bot.cli('resume', 'one')).code).toBe(0);
    await bot.runUntil('2026-03-22T13:05:00Z');
    expect(bot.x.posts.map((p) => p.draft.campaign)).toEqual(['two', 'one', 'two']);

    expect((await bot.cli('stop-all', '--reason', 'breaking news')).code).toBe(0);
    await bot.runUntil('2026-03-22T18:05:00Z');
    expect(bot.x.posts).toHaveLength(3);
    expect(await bot.store.getJournal('one@2026-03-22T18:00:00.000Z/x')).toMatchObject({ state: 'skipped' });
    expect((await bot.store.getJournal('two@2026-03-22T18:00:00.000Z/x'))?.note).toContain('stop-all');

    expect((await bot.cli('resume-all')).code).toBe(0);
    await bot.runUntil('2026-03-23T09:05:00Z');
    expect(bot.x.posts).toHaveLength(5);
    const controls = await bot.events('control');
    expect(controls.map((c) => c.action)).toEqual(['pause', 'resume', 'stop-all', 'resume-all']);

    const unknown = await bot.cli('pause', 'nope');
    expect(unknown.code).toBe(3);
    expect(unknown.output).toContain('CAMPAIGN_UNKNOWN');
  });

  it('holds a campaign whose file says paused: true, which resume cannot lift', async () => {
    const lines = campaignLines('cron: "0 9 * * *"', { more: ['paused: true'] });
    const bot = await startBot({ held: lines }, '2026-03-22T08:55:00Z');
    const resumed = await bot.cli('resume', 'held');
    expect(resumed.code).toBe(0);
    expect(resumed.output).toContain('still says paused: true');
    await bot.runUntil('2026-03-22T09:05:00Z');
    expect(bot.x.posts).toHaveLength(0);
    expect((await bot.store.getJournal('held@2026-03-22T09:00:00.000Z/x'))?.note).toContain(
      'paused: true in',
    );
  });
});

describe('solidarity post-now', () => {
  it('posts the next slot through the journal once, and refuses a paused campaign', async () => {
    const t = tempDir('solidarity-postnow-');
    cleanups.push(t.cleanup);
    const env = { SOLIDARITY_DATA_DIR: join(t.path, 'data'), SOLIDARITY_MODE: 'local', LOG_LEVEL: 'silent' };
    const run = (...argv: string[]) => cli(env, argv);
    const first = await run('post-now', 'campaigns/westandtogether.yaml', '--platform', 'bluesky');
    expect(first.code, first.output).toBe(0);
    const again = await run('post-now', 'campaigns/westandtogether.yaml', '--platform', 'bluesky');
    expect(again.output).toContain('this slot was already posted');
    expect(readOutbox(env.SOLIDARITY_DATA_DIR)).toHaveLength(1);
    // The outbox shows what the network would get: here the campaign's threadgate.
    expect(readOutbox(env.SOLIDARITY_DATA_DIR)[0]).toMatchObject({
      platform: 'bluesky',
      replyPolicy: 'following',
    });
    expect((await run('pause', 'westandtogether')).code).toBe(0);
    const held = await run('post-now', 'campaigns/westandtogether.yaml', '--platform', 'x');
    expect(held.code).toBe(2);
    expect(held.output).toContain('is held (paused since');
    expect(readOutbox(env.SOLIDARITY_DATA_DIR)).toHaveLength(1);
  });
});

describe('unconfirmed intents that cannot be settled', () => {
  it('become needs-attention instead of risking a duplicate', async () => {
    const lines = campaignLines('cron: "0 9,13 * * *"');
    const bot = await startBot({ unsure: lines }, '2026-03-22T08:55:00Z');
    // A crash left an intent; X cannot be searched right now in a way that will get better.
    await bot.store.putJournal({
      key: 'unsure@2026-03-22T09:00:00.000Z/x',
      campaign: 'unsure',
      platform: 'x',
      slotAt: '2026-03-22T09:00:00.000Z',
      text: 'a',
      state: 'intent',
      attempts: 1,
      updatedAt: '2026-03-22T09:00:00.000Z',
    });
    bot.x.lookup = async () => {
      throw new PlatformError('x', 'rejected', 'X answered 400 while looking up recent posts');
    };
    await bot.runUntil('2026-03-22T09:05:00Z');
    expect(bot.x.calls).toBe(0);
    expect(await bot.store.getJournal('unsure@2026-03-22T09:00:00.000Z/x')).toMatchObject({
      state: 'needs-attention',
    });

    // X says "duplicate content" but the post cannot be found: also for a person to check.
    bot.x.failures.push(
      new PlatformError('x', 'duplicate', 'X answered 403: duplicate content', { status: 403 }),
    );
    await bot.runUntil('2026-03-22T13:05:00Z');
    expect(bot.x.posts).toHaveLength(0);
    expect((await bot.store.getJournal('unsure@2026-03-22T13:00:00.000Z/x'))?.state).toBe('needs-attention');
    const failed = await bot.events('post.failed');
    expect(failed.map((e) => e.message)).toEqual([
      expect.stringMatching(/^needs attention: cannot tell whether an earlier attempt posted/),
      expect.stringMatching(/^needs attention: .*could not be found/),
    ]);
  });
});

describe('campaign files edited while the bot runs', () => {
  it('paused: true in the file holds the campaign from the next tick; an invalid edit keeps the last valid one', async () => {
    const lines = campaignLines('cron: "0 9,13,18 * * *"');
    const bot = await startBot({ edited: lines }, '2026-03-22T08:55:00Z');
    const edit = (extra: string[], seconds: number) => {
      const file = writeCampaign(bot.campaignsDir, 'edited', [...lines, ...extra]);
      utimesSync(file, new Date(), new Date(Date.now() + seconds * 1000));
    };
    await bot.runUntil('2026-03-22T09:05:00Z');
    edit(['paused: true'], 10);
    await bot.runUntil('2026-03-22T13:05:00Z');
    expect((await bot.store.getJournal('edited@2026-03-22T13:00:00.000Z/x'))?.note).toMatch(
      /paused: true in/,
    );
    edit(['paused: maybe'], 20); // invalid: the paused version keeps running
    await bot.runUntil('2026-03-22T18:05:00Z');
    expect(bot.x.posts.map((p) => iso(p.draft.slotAt))).toEqual(['2026-03-22T09:00:00.000Z']);
    edit(['paused: false'], 30);
    await bot.runUntil('2026-03-23T09:05:00Z', 5);
    expect(bot.x.posts.map((p) => iso(p.draft.slotAt))).toEqual([
      '2026-03-22T09:00:00.000Z',
      '2026-03-23T09:00:00.000Z',
    ]);
  });
});

describe('solidarity status', () => {
  it('shows per campaign and platform the next slot, last post, pending, needs-attention and rate limits', async () => {
    const lines = campaignLines('cron: "0 9,13 * * *"', { platforms: '[x, bluesky]' });
    const bot = await startBot({ shown: lines }, '2026-03-22T08:55:00Z');
    bot.x.failures.push(
      new PlatformError('x', 'rate-limited', '429', {
        status: 429,
        retryAt: new Date('2026-03-22T09:30:00Z'),
      }),
    );
    bot.bluesky.failures.push(new PlatformError('bluesky', 'rejected', 'Bluesky answered 400: bad record'));
    await bot.runUntil('2026-03-22T09:05:00Z');
    await bot.store.flush();
    // status reads the store without the lock, beside the running bot; its clock is the real one,
    // so only fields that do not depend on "now" are compared.
    const json = await bot.cli('status', '--json');
    // The rejected Bluesky post needs a look: status says so and exits 1.
    expect(json.code).toBe(1);
    const report = JSON.parse(json.output) as {
      attention: string[];
      campaigns: Array<{
        id: string;
        state: string;
        platforms: Array<{
          platform: string;
          nextSlot?: string;
          pending: Array<{ state: string; note?: string }>;
          needsAttention: Array<{ note?: string }>;
          rateLimit?: { limitedUntil: string };
          lastPost?: { url?: string };
          credentials?: { ok: boolean };
        }>;
      }>;
    };
    expect(report.attention).toEqual([expect.stringMatching(/^shown → bluesky: 1 post\(s\) need a look/)]);
    const shown = report.campaigns.find((c) => c.id === 'shown')!;
    expect(shown.state).toBe('running');
    const x = shown.platforms.find((p) => p.platform === 'x')!;
    const bluesky = shown.platforms.find((p) => p.platform === 'bluesky')!;
    expect(x.pending).toEqual([
      expect.objectContaining({ state: 'failed', note: expect.stringContaining('rate limited') }),
    ]);
    expect(x.rateLimit?.limitedUntil).toBe('2026-03-22T09:30:00.000Z');
    expect(bluesky.needsAttention).toEqual([
      {
        key: expect.any(String),
        slotAt: '2026-03-22T09:00:00.000Z',
        note: expect.stringContaining('bad record'),
      },
    ]);
    expect(x.nextSlot).toMatch(/T(09|13):00:00/);
    expect(x.credentials?.ok).toBe(true);

    await bot.runUntil('2026-03-22T13:05:00Z', 5);
    await bot.store.flush();
    const again = await bot.cli('status');
    expect(again.code).toBe(1);
    const text = again.output;
    expect(text).toContain('shown (shown): running');
    expect(text).toContain('https://example.test/x/');
    expect(text).toMatch(/needs attention: {2}1/);
  });
});
