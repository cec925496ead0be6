/**
 * Several instances on one PostgreSQL database (tests/_instance-bot.ts, composed as
 * `solidarity start` composes it), posting to a real Bluesky PDS:
 * - the instance that posts is SIGKILLed again and again, sometimes between a post's intent and
 *   its confirmation; the standby takes over each time and a new standby starts. At the end the
 *   PDS holds exactly one post per due slot, every (campaign, mention) pair of the replayed file
 *   is stored once and every flagged verdict has its flag.
 * - `solidarity pause` run as a separate command (another machine's CLI, same STORE_URL) stops
 *   posting on the posting instance: it hears the pause by notification, and no platform call for
 *   that campaign starts once it has; the other campaign goes on. The figures are printed as JSON.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaigns } from '../src/campaign/load.ts';
import { mergeHashtags } from '../src/core/hashtags.ts';
import { monitoredCampaign } from '../src/monitor/campaigns.ts';
import { mulberry32 } from '../src/random.ts';
import { score } from '../src/scoring/index.ts';
import { mentionPairKey } from '../src/store/consistency.ts';
import { openStore } from '../src/store/open.ts';
import { LEASE_CLASS } from '../src/store/postgres/leadership.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { type LocalPds, startLocalPds } from './_pds.ts';
import { postgresAvailable, testDatabase } from './_postgres.ts';
import { runCliProcess, startCliProcess, tempDir } from './_util.ts';

const { cleanups } = cleanupAfterEach();
const BOT = join(import.meta.dirname, '_instance-bot.ts');
const HANDLE = 'instances.test';
const PASSWORD = 'instances-pass-1234';
/** Ten simulated minutes per second: a campaign with a slot every ten minutes (the least campaigns
 * allow) has one due each second. */
const SPEED = 600;
const SLOT_MS = 10 * 60_000;

let pds: LocalPds;
let did: string;
const run = postgresAvailable('several instances');

beforeAll(async () => {
  if (!run) return;
  pds = await startLocalPds();
  ({ did } = await pds.createAccount(HANDLE, PASSWORD));
}, 120_000);
afterAll(async () => {
  await pds?.close();
});

interface Line {
  ev: string;
  at: number;
  [key: string]: unknown;
}

class Instance {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  text = '';
  err = '';
  readonly ended: Promise<{ code: number | null; signal: string | null }>;
  #waiters: Array<() => void> = [];

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', 'tsx', BOT], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        this.text += `${line}\n`;
        if (line.startsWith('{')) this.lines.push(JSON.parse(line) as Line);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.err += chunk.toString();
    });
    this.ended = new Promise((resolve) =>
      this.child.on('close', (code, signal) => resolve({ code, signal })),
    );
    void this.ended.then(() => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  of(ev: string): Line[] {
    return this.lines.filter((l) => l.ev === ev);
  }

  /** Waits for output that satisfies `ok` (rejects when the process ends first or after 60 s). */
  async until(ok: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    let exited = false;
    void this.ended.then(() => {
      exited = true;
    });
    while (!ok()) {
      if (exited || Date.now() > deadline) {
        throw new Error(`instance ${this.child.pid}: no ${what}\n${this.text}\n${this.err}`);
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }
}

function campaignYaml(id: string, tags: string[], slots: string[]): string {
  return [
    `id: ${id}`,
    `name: Instances ${id}`,
    'timezone: UTC',
    'start: 2026-01-01T00:00',
    'platforms: [bluesky]',
    'grace_minutes: 1440',
    'schedules:',
    `  - at: [${slots.map((s) => JSON.stringify(s)).join(', ')}]`,
    `hashtags: [${tags.join(', ')}]`,
    'messages:',
    ...slots.map((_, i) => `  - "Instances ${id} message ${i}: we stand together. {hashtags}"`),
  ].join('\n');
}

/** A folder with campaigns whose slots fall due every ten simulated minutes from the next one on. */
function setup(url: string, campaigns: Array<{ id: string; tags: string[] }>, slotCount: number) {
  const t = tempDir('solidarity-instances-');
  cleanups.push(t.cleanup);
  const dir = join(t.path, 'campaigns');
  mkdirSync(dir);
  const t0 = Date.now();
  const first = Math.floor(t0 / 60_000) * 60_000 + SLOT_MS;
  const slots = Array.from({ length: slotCount }, (_, i) =>
    new Date(first + i * SLOT_MS).toISOString().slice(0, 16),
  );
  for (const c of campaigns) writeFileSync(join(dir, `${c.id}.yaml`), campaignYaml(c.id, c.tags, slots));
  const mentions = join(t.path, 'mentions.jsonl');
  writeFileSync(mentions, '');
  const env = {
    STORE_URL: url,
    CAMPAIGNS_DIR: dir,
    SOLIDARITY_CAMPAIGNS_DIR: dir,
    MENTIONS: mentions,
    PDS_URL: pds.url,
    BSKY_ID: HANDLE,
    BSKY_PW: PASSWORD,
    T0: String(t0),
    SPEED: String(SPEED),
  };
  const start = (extra: Record<string, string> = {}) => {
    const instance = new Instance({ ...env, ...extra });
    cleanups.push(async () => {
      if (instance.child.exitCode === null && instance.child.signalCode === null) {
        instance.child.kill('SIGKILL');
        await instance.ended;
      }
    });
    return instance;
  };
  /** Wall-clock time at which slot i falls due on the instances' clock. */
  const dueAt = (i: number) => t0 + (first + i * SLOT_MS - t0) / SPEED;
  return { dir, mentions, env, start, dueAt, slotCount };
}

const KIND = ['Thinking of', 'Standing with', 'Love to', 'Solidarity with'];
const GROUPS = ['migrants', 'muslims', 'jews', 'refugees'];
// Written for this test: abusive lines of the kind the review queue exists for.
const HATE = [
  (g: string) => `${g} are vermin and should all be driven out`,
  (g: string) => `kill all the ${g}, they are filth`,
  (g: string) => `deport every last one of the ${g} parasites, burn their homes`,
];

function mentionLines(rand: () => number, count: number, tags: string[][]) {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const unique: Array<{ id: string; author: string; text: string }> = [];
  for (let i = 0; i < count; i++) {
    const hate = rand() < 0.15;
    const body = hate ? pick(HATE)(pick(GROUPS)) : `${pick(KIND)} the city tonight`;
    const text = `${body} ${pick(tags)
      .map((t) => `#${t}`)
      .join(' ')}`;
    unique.push({ id: `m${i}`, author: `user${i % 53}`, text });
  }
  return unique;
}

async function pdsPosts(): Promise<Array<{ uri: string; text: string }>> {
  const out: Array<{ uri: string; text: string }> = [];
  let cursor: string | undefined;
  do {
    const url = new URL(`${pds.url}/xrpc/com.atproto.repo.listRecords`);
    url.searchParams.set('repo', did);
    url.searchParams.set('collection', 'app.bsky.feed.post');
    url.searchParams.set('limit', '100');
    if (cursor) url.searchParams.set('cursor', cursor);
    const res = await fetch(url);
    const body = (await res.json()) as {
      records: Array<{ uri: string; value: { text: string } }>;
      cursor?: string;
    };
    for (const r of body.records) out.push({ uri: r.uri, text: r.value.text });
    cursor = body.records.length > 0 ? body.cursor : undefined;
  } while (cursor);
  return out;
}

describe.runIf(run)('several instances on one database', () => {
  it('SIGKILL the posting instance again and again: the standby takes over, nothing lost or doubled', {
    timeout: 240_000,
  }, async () => {
    const seed = Number(process.env.INSTANCES_SEED ?? Date.now() % 1_000_000);
    const rand = mulberry32(seed);
    const url = await testDatabase();
    const CAMPAIGNS = [
      { id: 'inst-a', tags: ['WeStandTogether'] },
      { id: 'inst-b', tags: ['LoveNotHate', 'WeStandTogether'] },
    ];
    const s = setup(url, CAMPAIGNS, 24);
    const unique = mentionLines(rand, 900, [['WeStandTogether'], ['LoveNotHate'], ['SomethingElse']]);
    // The same mention delivered twice, now and then, as networks do.
    const lines = unique.flatMap((m, i) => (i % 40 === 39 ? [m, unique[i - 5]!] : [m]));
    writeFileSync(s.mentions, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const replay = { REPLAY_INTERVAL_MS: '20' };

    let leader = s.start(replay);
    await leader.until(() => leader.of('leading').length > 0, 'lease');
    let standby = s.start(replay);
    await standby.until(() => standby.text.includes('standby: another instance is posting'), 'standby line');

    const KILLS = 12;
    const takeovers: number[] = [];
    const everyInstance = [leader, standby];
    const kinds = { duringCall: 0, afterPosts: 0, idle: 0 };
    for (let cycle = 0; cycle < KILLS; cycle++) {
      const current = leader;
      const ledAt = current.of('leading')[0]!.at;
      // Half the kills land right after a platform call starts (between intent and confirmation),
      // the others after a post or two; when no slot is due, after a short while of monitoring.
      const mode = cycle % 2 === 0 ? 'duringCall' : 'afterPosts';
      const wait = 400 + Math.floor(rand() * 1200);
      await current.until(
        () =>
          (mode === 'duringCall' && current.of('call').length > 0) ||
          (mode === 'afterPosts' && current.of('result').length >= 2) ||
          Date.now() - ledAt > wait * 2,
        'activity',
      );
      const kind =
        mode === 'duringCall' && current.of('call').length > 0
          ? 'duringCall'
          : mode === 'afterPosts' && current.of('result').length >= 2
            ? 'afterPosts'
            : 'idle';
      kinds[kind]++;
      const killedAt = Date.now();
      current.child.kill('SIGKILL');
      expect((await current.ended).signal).toBe('SIGKILL');
      const next = standby;
      await next.until(() => next.of('leading').length > 0, `takeover in cycle ${cycle}`);
      expect(next.text).toContain('took over posting');
      takeovers.push(next.of('leading')[0]!.at - killedAt);
      leader = next;
      standby = s.start(replay);
      everyInstance.push(standby);
      await standby.until(() => standby.text.includes('standby: another instance is posting'), 'standby');
    }

    // Let the last slot fall due and the replay finish on the instance that posts now.
    const last = s.dueAt(s.slotCount - 1);
    const expectedSlots = CAMPAIGNS.length * s.slotCount;
    const store = await openStore(url, { use: 'read' });
    cleanups.push(() => store.close());
    await leader.until(() => Date.now() > last && leader.of('replay-ended').length > 0, 'the end');
    const deadline = Date.now() + 60_000;
    while (
      (await store.listJournal({ state: 'confirmed' })).length < expectedSlots &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    leader.child.kill('SIGTERM');
    standby.child.kill('SIGTERM');
    expect((await leader.ended).code, leader.err).toBe(0);
    expect((await standby.ended).code, standby.err).toBe(0);

    // What the database and the PDS hold.
    const journal = await store.listJournal();
    const posts = await pdsPosts();
    const seen = new Map<string, number>();
    for await (const e of store.events({ types: ['mention.seen'] })) {
      if (e.type !== 'mention.seen') continue;
      const key = mentionPairKey(e.campaign, e.mention);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const flags: string[] = [];
    for await (const f of store.flags()) flags.push(f.id);

    // Expected, from the file and the campaigns alone.
    const campaigns = loadCampaigns(s.dir);
    const expectedPairs = new Set<string>();
    const expectedFlagged = new Set<string>();
    for (const line of unique) {
      const tags = mergeHashtags([], line.text);
      for (const c of campaigns) {
        const watched = new Set(CAMPAIGNS.find((x) => x.id === c.id)!.tags.map((t) => t.toLowerCase()));
        if (!tags.some((tag) => watched.has(tag))) continue;
        const key = mentionPairKey(c.id, { platform: 'local', id: line.id });
        expectedPairs.add(key);
        if (score(line.text, monitoredCampaign(c).scoreOptions).flagged) expectedFlagged.add(key);
      }
    }
    const summary = {
      seed,
      kills: KILLS,
      killKinds: kinds,
      takeoverMs: {
        max: Math.max(...takeovers),
        median: takeovers.sort((a, b) => a - b)[takeovers.length >> 1],
      },
      slots: { expected: expectedSlots, journal: journal.length, pdsPosts: posts.length },
      pairs: { expected: expectedPairs.size, stored: seen.size },
      flags: { expected: expectedFlagged.size, stored: flags.length },
    };
    console.log(JSON.stringify(summary));

    expect(kinds.duringCall).toBeGreaterThan(0);
    // Never two posting at once: each standby took over only after the holder was killed, and
    // nothing called a platform before it held the lease.
    expect(Math.min(...takeovers)).toBeGreaterThanOrEqual(0);
    for (const instance of everyInstance) {
      const led = instance.of('leading')[0]?.at ?? Number.POSITIVE_INFINITY;
      expect(instance.of('call').filter((c) => c.at < led)).toEqual([]);
    }
    // Exactly one post per due slot: every slot confirmed once in the journal, one record each on the PDS.
    expect(journal).toHaveLength(expectedSlots);
    expect(journal.every((j) => j.state === 'confirmed')).toBe(true);
    expect(posts).toHaveLength(expectedSlots);
    expect(new Set(posts.map((p) => p.uri)).size).toBe(expectedSlots);
    expect(posts.map((p) => p.uri).sort()).toEqual(journal.map((j) => j.remoteId).sort());
    // No lost mention, none twice; no lost flag, none extra.
    expect([...seen].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...seen.keys()].sort()).toEqual([...expectedPairs].sort());
    expect(flags.sort()).toEqual([...expectedFlagged].sort());
  });

  it('a pause from another instance’s command line stops posting on the posting one', {
    timeout: 120_000,
  }, async () => {
    const url = await testDatabase();
    const s = setup(
      url,
      [
        { id: 'held', tags: ['HeldTag'] },
        { id: 'going', tags: ['GoingTag'] },
      ],
      40,
    );
    const poster = s.start();
    await poster.until(() => poster.of('leading').length > 0, 'lease');
    const standby = s.start();
    await standby.until(() => standby.text.includes('standby: another instance is posting'), 'standby line');
    const posted = (campaign: string) =>
      poster.of('result').filter((r) => r.campaign === campaign && r.outcome === 'posted');
    await poster.until(() => posted('held').length >= 2, 'two posts of the campaign to pause');

    // Another machine's command line: its own process, the same STORE_URL, no bot of its own.
    const pause = await runCliProcess(['pause', 'held', '--reason', 'news changed'], {
      env: {
        STORE_URL: url,
        SOLIDARITY_CAMPAIGNS_DIR: s.dir,
        SOLIDARITY_DATA_DIR: join(s.dir, '..', 'cli-data'),
      },
    });
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toContain('Paused held');
    const cliDone = Date.now();
    await poster.until(() => poster.of('notice').some((n) => n.action === 'pause'), 'the pause notice');
    const notice = poster.of('notice').find((n) => n.action === 'pause')!;
    // Slots of both campaigns fall due while paused: the paused one's are skipped, the other's posted.
    const heardAt = notice.heardAt as number;
    const after = (campaign: string, outcome: string) =>
      poster.of('result').filter((r) => r.campaign === campaign && r.at > heardAt && r.outcome === outcome);
    await poster.until(
      () => after('held', 'skipped').length >= 2 && after('going', 'posted').length >= 2,
      'slots of both campaigns after the pause',
    );
    poster.child.kill('SIGTERM');
    standby.child.kill('SIGTERM');
    await Promise.all([poster.ended, standby.ended]);

    const calledAfter = poster.of('call').filter((c) => c.campaign === 'held' && c.at >= heardAt);
    const heldAfter = after('held', 'skipped');
    const goingAfter = after('going', 'posted');
    const lastHeldCall = Math.max(
      ...poster
        .of('call')
        .filter((c) => c.campaign === 'held')
        .map((c) => c.at),
    );
    console.log(
      JSON.stringify({
        pause: {
          noticeMs: heardAt - (notice.madeAt as number),
          cliExitToNoticeMs: heardAt - cliDone,
          lastCallBeforeNoticeMs: heardAt - lastHeldCall,
          heldSlotsAfter: heldAfter.length,
          otherCampaignSlotsAfter: goingAfter.length,
        },
      }),
    );
    // No platform call for the paused campaign starts once the posting instance has heard of it,
    // its slots are skipped with the reason, and the other campaign goes on posting.
    expect(calledAfter).toEqual([]);
    expect(heldAfter.length).toBeGreaterThanOrEqual(2);
    expect(String(heldAfter[0]!.reason)).toContain('news changed');
    expect(goingAfter.length).toBeGreaterThanOrEqual(2);
    expect(
      after('held', 'posted').filter(
        (r) => !poster.of('call').some((c) => c.slot === r.slot && c.campaign === 'held' && c.at < heardAt),
      ),
    ).toEqual([]);
    // The standby heard it too, and never posted.
    expect(standby.of('notice').some((n) => n.action === 'pause')).toBe(true);
    expect(standby.of('call')).toEqual([]);
  });

  it('solidarity start: one posts, the other stands by; a holder cut off or frozen is replaced', {
    timeout: 150_000,
  }, async () => {
    const url = await testDatabase();
    const t = tempDir('solidarity-instances-start-');
    cleanups.push(t.cleanup);
    const env = (name: string) => ({
      STORE_URL: url,
      SOLIDARITY_MODE: 'local',
      SOLIDARITY_DATA_DIR: join(t.path, name),
      SOLIDARITY_SAMPLE_INTERVAL_MS: '50',
      DASHBOARD_PORT: '0',
      SITE_PORT: '0',
    });
    const a = startCliProcess(['start', '--log-file', 'none'], { env: env('a') });
    cleanups.push(() => a.stop('SIGKILL'));
    await a.waitFor('Running. Press Ctrl-C to stop.');
    const b = startCliProcess(['start', '--log-file', 'none'], { env: env('b') });
    cleanups.push(() => b.stop('SIGKILL'));
    // The standby serves its dashboard meanwhile.
    await b.waitFor('standby: another instance is posting (solidarity PID');
    const dashboardUrl = /Review dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(b.stdout())?.[1];
    expect(dashboardUrl, b.stdout()).toBeDefined();
    expect((await fetch(`${dashboardUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${dashboardUrl}/login`)).status).toBe(200);
    expect(b.stdout()).not.toContain('Running. Press Ctrl-C');
    // Any machine's status names the instance that posts.
    const status = await runCliProcess(['status', '--no-check'], { env: env('c') });
    expect(status.stdout).toMatch(new RegExp(`Bot: running on postgres://\\S+, PID ${a.pid} on `));
    // A pause from any machine's command line is announced on the posting instance's terminal.
    const pause = await runCliProcess(['pause', 'westandtogether'], { env: env('c') });
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toContain('Saved in the database');
    await a.waitFor('  paused  westandtogether: it posts nothing until');

    // What the server does to a holder whose peer stopped answering: it ends that session.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int::oid AND granted",
      [LEASE_CLASS],
    );
    // SIGCONT changes nothing: this only waits for the holder to stop on its own.
    const exit = await a.stop('SIGCONT');
    expect(exit.code, a.stdout() + a.stderr()).toBe(6);
    expect(a.stderr()).toContain('STORE_LEASE_LOST');
    await b.waitFor('took over posting');
    await b.waitFor('Running. Press Ctrl-C to stop.');

    // A holder that freezes keeps its connection up (its kernel still answers), but its heartbeat
    // stops: the standby ends its lease once the lease connection has been silent for 20 s.
    const c = startCliProcess(['start', '--log-file', 'none'], { env: env('c2') });
    cleanups.push(() => c.stop('SIGKILL'));
    await c.waitFor('standby: another instance is posting');
    process.kill(b.pid, 'SIGSTOP');
    const frozeAt = Date.now();
    cleanups.push(() => {
      try {
        process.kill(b.pid, 'SIGCONT'); // a failed test must not leave it frozen
      } catch {
        // ended already
      }
    });
    await c.waitFor('took over posting');
    const takeoverMs = Date.now() - frozeAt;
    process.kill(b.pid, 'SIGCONT');
    // Thawed, it finds its lease gone before it posts again, and stops.
    const thawed = await b.stop('SIGCONT');
    console.log(JSON.stringify({ frozenHolderTakeoverMs: takeoverMs }));
    expect(thawed.code, b.stdout() + b.stderr()).toBe(6);
    expect(b.stderr()).toContain('STORE_LEASE_LOST');
    // A standby stopped while it waits: a clean stop, and the poster goes on.
    const d = startCliProcess(['start', '--log-file', 'none'], { env: env('d') });
    cleanups.push(() => d.stop('SIGKILL'));
    await d.waitFor('standby: another instance is posting');
    const standbyStop = Date.now();
    expect((await d.stop('SIGTERM')).code, d.stderr()).toBe(0);
    console.log(JSON.stringify({ standbyStopMs: Date.now() - standbyStop }));
    expect(d.stdout()).toContain('Stopped.');
    expect(c.stdout()).not.toContain('Lost the posting lease');
    expect((await c.stop('SIGTERM')).code).toBe(0);
  });
});
