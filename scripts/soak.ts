/**
 * npm run soak -- --minutes N [--seed S]
 *
 * The long soak: the real `solidarity start` in live mode against a real local PDS (posting), the
 * fake X API (posting, with 429, 503 and slow answers injected) and a local Jetstream (mentions of
 * three campaigns with overlapping hashtags, about 13% hateful), SIGKILLed at random moments for N
 * minutes; once during that time the data folder (a 256 MiB tmpfs) is filled to ENOSPC while the
 * bot runs. Then a clean run to the end. Prints a JSON summary and exits 1 on any loss, duplicate
 * or inconsistency. X monitoring is not part of it (the fake X serves posting, not search).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AtpAgent } from '@atproto/api';
import { loadCampaigns } from '../src/campaign/load.ts';
import { mergeHashtags } from '../src/core/hashtags.ts';
import { monitoredCampaign } from '../src/monitor/campaigns.ts';
import { mulberry32 } from '../src/random.ts';
import { score } from '../src/scoring/index.ts';
import { mentionPairKey } from '../src/store/consistency.ts';
import { openStore } from '../src/store/index.ts';
import { FakeJetstream, jetstreamPost, line } from '../tests/_fake-jetstream.ts';
import { fakeXEnv, startFakeX } from '../tests/_fake-x.ts';
import { startLocalPds } from '../tests/_pds.ts';
import { runCliProcess, startCliProcess } from '../tests/_util.ts';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '3' }, seed: { type: 'string' } },
});
const minutes = Number(values.minutes);
const seed = Number(values.seed ?? Date.now() % 1_000_000);
const rand = mulberry32(seed);
const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[soak] ${msg}\n`);

const X_CREDS = { appKey: 'soak-ck', appSecret: 'soak-cs', accessToken: 'soak-at', accessSecret: 'soak-as' };
const HANDLE = 'soakbot.test';
const PASSWORD = 'soak-pass-1234';
const CAMPAIGNS = [
  { id: 'soak-a', hashtags: ['WeStandTogether'], monitor: ['WeStandTogether', 'SoakShared'] },
  { id: 'soak-b', hashtags: ['LoveNotHate'], monitor: ['LoveNotHate', 'SoakShared'] },
  { id: 'soak-c', hashtags: ['SoakThird'], monitor: ['SoakThird', 'WeStandTogether'] },
];
const TAGS = [
  ['WeStandTogether'],
  ['SoakShared'],
  ['LoveNotHate'],
  ['SoakThird'],
  ['SoakShared', 'SoakThird'],
];
const GROUPS = ['migrants', 'muslims', 'jews', 'refugees'];
const HATE = [
  (g: string) => `${g} are vermin and should all be driven out`,
  (g: string) => `kill all the ${g}, they are filth`,
  (g: string) => `I hate ${g}, subhuman scum every one of them`,
];

const started = Date.now();
const [pds, fakeX] = await Promise.all([startLocalPds(), startFakeX(X_CREDS)]);
const account = await pds.createAccount(HANDLE, PASSWORD);
const jetstream = new FakeJetstream();
const jetstreamUrl = await jetstream.start();
const root = mkdtempSync(join(tmpdir(), 'solidarity-soak-'));
const dataDir = join(root, 'data');
const campaignsDir = join(root, 'campaigns');
mkdirSync(dataDir);
mkdirSync(campaignsDir);
let enospc = 'tmpfs';
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', dataDir], { stdio: 'pipe' });
} catch (error) {
  enospc = `skipped: no tmpfs (${(error as Error).message.split('\n')[0]})`;
}

// Five slots per campaign in the last 85 minutes, all within a 100-minute grace window (a slot
// kept back by failures past its window is skipped with a reason, which the summary counts).
const minute = Math.floor(Date.now() / 60_000) * 60_000;
const slots = [85, 65, 45, 25, 5].map((m) => new Date(minute - m * 60_000).toISOString().slice(0, 16));
for (const c of CAMPAIGNS) {
  writeFileSync(
    join(campaignsDir, `${c.id}.yaml`),
    [
      `id: ${c.id}`,
      `name: Soak ${c.id}`,
      'timezone: UTC',
      'start: 2026-01-01T00:00',
      'platforms: [x, bluesky]',
      'grace_minutes: 100',
      'schedules:',
      `  - at: [${slots.map((s) => JSON.stringify(s)).join(', ')}]`,
      `hashtags: [${c.hashtags.join(', ')}]`,
      `monitor_hashtags: [${c.monitor.join(', ')}]`,
      'messages:',
      ...slots.map((_, i) => `  - "Soak ${c.id} message ${i} (${seed}): we stand together. {hashtags}"`),
    ].join('\n'),
  );
}
const campaigns = loadCampaigns(campaignsDir);

const mentions: Array<{ uri: string; text: string }> = [];
let timeUs = Date.now() * 1000 - 3_600_000_000;
function addMentions(n: number): void {
  for (let i = 0; i < n; i++) {
    const k = mentions.length;
    const did = `did:plc:soakauthor${k % 41}`;
    const rkey = `3soak${k.toString(36).padStart(8, '0')}`;
    const hate = rand() < 0.13;
    const body = hate ? pick(HATE)(pick(GROUPS)) : `Thinking of everyone tonight, post ${k}`;
    const text = `${body} ${pick(TAGS)
      .map((t) => `#${t}`)
      .join(' ')}`;
    timeUs += 1000 + Math.floor(rand() * 1000);
    jetstream.log.push(line(jetstreamPost({ did, rkey, timeUs, text })));
    mentions.push({ uri: `at://${did}/app.bsky.feed.post/${rkey}`, text });
  }
}

const env = {
  SOLIDARITY_DATA_DIR: dataDir,
  SOLIDARITY_CAMPAIGNS_DIR: campaignsDir,
  SOLIDARITY_MODE: 'live',
  DASHBOARD_PORT: '0',
  LOG_LEVEL: 'warn',
  JETSTREAM_URL: jetstreamUrl,
  BLUESKY_APPVIEW_URL: 'http://127.0.0.1:9',
  BLUESKY_SERVICE: pds.url,
  BLUESKY_IDENTIFIER: HANDLE,
  BLUESKY_APP_PASSWORD: PASSWORD,
  ...fakeXEnv(fakeX, X_CREDS),
};

const faults = { rateLimited: 0, serverErrors: 0, slow: 0 };
let cycles = 0;
let kills = 0;
let enospcHit = false;
let enospcDone = false;
const deadline = started + minutes * 60_000;
const enospcCycle = 2;
// At least up to the ENOSPC cycle, however short the run.
while (Date.now() < deadline || (cycles < enospcCycle && enospc === 'tmpfs')) {
  addMentions(150);
  // Faults for the posts of this cycle.
  for (let i = 0; i < 3; i++) {
    const r = rand();
    if (r < 0.3) {
      fakeX.fault('POST /2/tweets', { status: 429, resetEpochSeconds: Math.ceil(Date.now() / 1000) + 5 });
      faults.rateLimited++;
    } else if (r < 0.6) {
      fakeX.fault('POST /2/tweets', { status: 503, afterWrite: rand() < 0.5 });
      faults.serverErrors++;
    } else {
      fakeX.fault('POST /2/tweets', { delayMs: 1000 + Math.floor(rand() * 4000) });
      faults.slow++;
    }
  }
  cycles++;
  const bot = startCliProcess(['start'], { env });
  if (cycles === enospcCycle && enospc === 'tmpfs') {
    // Fill the data folder while the bot runs, wait for the store to refuse, then free it.
    await bot.waitFor('Running.').catch(() => '');
    const filler = join(dataDir, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'count=300'], { stdio: 'pipe' });
    } catch {
      // dd stops at ENOSPC: the folder is full.
    }
    addMentions(200);
    for (let i = 0; i < 100 && !/STORE_IO|store write failed|ENOSPC/.test(bot.stderr()); i++)
      await sleep(100);
    enospcHit = /STORE_IO|store write failed|ENOSPC/.test(bot.stderr());
    enospcDone = true;
    await bot.stop('SIGKILL');
    rmSync(filler, { force: true });
    kills++;
    log(`cycle ${cycles}: ENOSPC ${enospcHit ? 'hit' : 'not seen'}`);
    continue;
  }
  await sleep(500 + Math.floor(rand() * 12_000));
  await bot.stop('SIGKILL');
  kills++;
  log(`cycle ${cycles}: killed`);
}

// The clean run: until every mention is stored and every slot settled.
cycles++;
const clean = startCliProcess(['start'], { env });
await clean.waitFor('Running.');
const expectedPairs = new Set<string>();
const expectedFlagged = new Set<string>();
const routes = campaigns.map((c) => ({
  id: c.id,
  tags: new Set(CAMPAIGNS.find((x) => x.id === c.id)!.monitor.map((t) => t.toLowerCase())),
  options: monitoredCampaign(c).scoreOptions,
}));
for (const m of mentions) {
  const tags = mergeHashtags([], m.text);
  for (const r of routes) {
    if (!tags.some((t) => r.tags.has(t))) continue;
    const key = mentionPairKey(r.id, { platform: 'bluesky', id: m.uri });
    expectedPairs.add(key);
    if (score(m.text, r.options).flagged) expectedFlagged.add(key);
  }
}
const expectedPosts = CAMPAIGNS.length * slots.length * 2;
const settled = async () => {
  const store = await openStore({ backend: 'file', dir: dataDir }, { use: 'read' });
  try {
    const journal = await store.listJournal();
    const final = journal.filter((j) => j.state === 'confirmed' || j.state === 'skipped').length;
    let pairs = 0;
    for await (const _ of store.events({ types: ['mention.seen'] })) pairs++;
    return final >= expectedPosts && pairs >= expectedPairs.size;
  } finally {
    await store.close();
  }
};
const cleanDeadline = Date.now() + 5 * 60_000;
while (Date.now() < cleanDeadline && !(await settled())) await sleep(2000);
const exit = await clean.stop('SIGTERM');

// What the data folder and the networks hold.
const store = await openStore({ backend: 'file', dir: dataDir }, { use: 'read' });
const seen = new Map<string, number>();
const flaggedEvents = new Set<string>();
for await (const e of store.events({ types: ['mention.seen'] })) {
  if (e.type !== 'mention.seen') continue;
  const key = mentionPairKey(e.campaign, e.mention);
  seen.set(key, (seen.get(key) ?? 0) + 1);
  if (e.verdict.flagged) flaggedEvents.add(key);
}
const flags = new Set<string>();
for await (const f of store.flags()) flags.add(f.id);
const journal = await store.listJournal();
await store.close();
const agent = new AtpAgent({ service: pds.url });
const records: string[] = [];
let cursor: string | undefined;
do {
  const page = await agent.com.atproto.repo.listRecords({
    repo: account.did,
    collection: 'app.bsky.feed.post',
    limit: 100,
    ...(cursor ? { cursor } : {}),
  });
  for (const r of page.data.records) records.push((r.value as { text: string }).text);
  cursor = page.data.records.length === 100 ? page.data.cursor : undefined;
} while (cursor);
const ours = (texts: string[]) => texts.filter((t) => t.includes(`(${seed})`));
const dupes = (texts: string[]) => texts.length - new Set(texts).size;
const xPosts = ours(fakeX.tweets.map((t) => t.text));
const bskyPosts = ours(records);
const verify = await runCliProcess(['store', 'verify', '--deep', '--json'], { env });
const report = JSON.parse(verify.stdout || '{}') as { deep?: { before?: { findings?: unknown[] } } };
const inconsistencies = report.deep?.before?.findings?.length ?? -1;

const missingPairs = [...expectedPairs].filter((k) => !seen.has(k)).length;
const summary = {
  seed,
  minutes,
  cycles,
  kills,
  enospc:
    enospc !== 'tmpfs'
      ? enospc
      : !enospcDone
        ? 'not reached'
        : enospcHit
          ? 'tmpfs filled while the bot ran; the store refused writes'
          : 'tmpfs filled while the bot ran; no write failed',
  faults,
  posts: {
    expected: expectedPosts,
    actual: xPosts.length + bskyPosts.length,
    x: xPosts.length,
    bluesky: bskyPosts.length,
    duplicates: dupes(xPosts) + dupes(bskyPosts),
    confirmed: journal.filter((j) => j.state === 'confirmed').length,
    skippedWithReason: journal.filter((j) => j.state === 'skipped' && j.note).length,
    skipReasons: [...new Set(journal.filter((j) => j.state === 'skipped').map((j) => j.note ?? ''))],
  },
  pairs: {
    expected: expectedPairs.size,
    actual: seen.size,
    missing: missingPairs,
    repeated: [...seen.values()].filter((n) => n > 1).length,
  },
  flags: {
    expected: expectedFlagged.size,
    flaggedEvents: flaggedEvents.size,
    actual: flags.size,
  },
  inconsistencies,
  cleanExit: exit.code,
  durationMs: Date.now() - started,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);

if (enospc === 'tmpfs') execFileSync('umount', [dataDir]);
rmSync(root, { recursive: true, force: true });
await Promise.allSettled([pds.close(), fakeX.close(), jetstream.stop()]);
const lost =
  summary.posts.actual !== summary.posts.confirmed ||
  summary.posts.confirmed + summary.posts.skippedWithReason !== expectedPosts ||
  summary.posts.duplicates > 0 ||
  missingPairs > 0 ||
  summary.pairs.repeated > 0 ||
  seen.size !== expectedPairs.size ||
  flags.size !== expectedFlagged.size ||
  flaggedEvents.size !== expectedFlagged.size ||
  inconsistencies !== 0;
process.exit(lost ? 1 : 0);
