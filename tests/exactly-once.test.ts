/**
 * Crash and restart: a bot process is killed (SIGKILL) between writing a post intent and confirming
 * it, on each platform in turn, then restarted. Every platform must end with exactly one post:
 * the local outbox, a real Bluesky PDS and the fake X API through twitter-api-v2.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtpAgent } from '@atproto/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { readOutbox } from '../src/store/outbox.ts';
import { FAKE_X_CA_FILE, type FakeX, startFakeX } from './_fake-x.ts';
import { type LocalPds, startLocalPds } from './_pds.ts';
import { type ProcessResult, ROOT, runNodeProcess } from './_util.ts';

const X_CREDS = { appKey: 'ck', appSecret: 'cs', accessToken: 'at', accessSecret: 'as' };
const HANDLE = 'crashtest.test';
const PASSWORD = 'crash-pass-1234';

let pds: LocalPds;
let fake: FakeX;
let did: string;
const dirs: string[] = [];

beforeAll(async () => {
  [pds, fake] = await Promise.all([startLocalPds(), startFakeX(X_CREDS)]);
  ({ did } = await pds.createAccount(HANDLE, PASSWORD));
});
afterAll(async () => {
  // Remove the folders even when a server fails to close.
  await Promise.allSettled([pds?.close(), fake?.close()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function campaignFile(dir: string, id: string, slot: string, text: string): string {
  const file = join(dir, `${id}.yaml`);
  writeFileSync(
    file,
    [
      `id: ${id}`,
      'name: Crash test',
      'timezone: Europe/London',
      'start: 2026-03-01T00:00',
      'platforms: [local, x, bluesky]',
      'schedules:',
      `  - at: ["${slot}"]`,
      'messages:',
      `  - ${JSON.stringify(text)}`,
      'hashtags: [WeStandTogether]',
    ].join('\n'),
  );
  return file;
}

/** Runs one bot process to its end (async: the PDS and the fake X answer from this process). */
function runBot(dataDir: string, campaign: string, now: string, crash?: string): Promise<ProcessResult> {
  return runNodeProcess(['--import', 'tsx', join(ROOT, 'tests/_publish-child.ts')], {
    env: {
      DATA_DIR: dataDir,
      CAMPAIGN_FILE: campaign,
      NOW: now,
      PDS_URL: pds.url,
      BSKY_ID: HANDLE,
      BSKY_PW: PASSWORD,
      X_URL: fake.url,
      X_CREDS: JSON.stringify(X_CREDS),
      X_CA_FILE: FAKE_X_CA_FILE,
      CRASH: crash ?? '',
    },
    timeoutMs: 150_000,
  });
}

async function postsOnPds(text: string): Promise<number> {
  const agent = new AtpAgent({ service: pds.url });
  const res = await agent.com.atproto.repo.listRecords({
    repo: did,
    collection: 'app.bsky.feed.post',
    limit: 100,
  });
  return res.data.records.filter((r) => (r.value as { text: string }).text === text).length;
}

describe('killed between intent and confirmation, then restarted', () => {
  // Seven bot processes in a row: generous on a busy machine (no assertion depends on time).
  it('ends with exactly one post on each platform, every journal entry confirmed', {
    timeout: 240_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'solidarity-crash-'));
    dirs.push(dataDir);
    const text = 'Crash test: we will always stand together. Report hate on 101. #WeStandTogether';
    const file = campaignFile(dataDir, 'crash', '2026-03-22T09:00', text);
    const now = '2026-03-22T09:02:00Z'; // two minutes late: inside the grace window

    // On each platform: killed once after the intent is durable (before the call), then, after a
    // restart that reposts it, killed again after the call returned (before the confirmation).
    for (const platform of ['local', 'x', 'bluesky']) {
      for (const point of ['after-intent', 'after-call']) {
        const run = await runBot(dataDir, file, now, `${point}:${platform}`);
        expect(run.signal, `${point}:${platform} ${run.stderr}`).toBe('SIGKILL');
      }
    }
    const last = await runBot(dataDir, file, now);
    expect(last.code, last.stderr).toBe(0);
    const outcomes = JSON.parse(last.stdout.trim().split('\n').pop()!) as Array<{
      platform: string;
      outcome: string;
    }>;
    expect(outcomes).toContainEqual({ platform: 'bluesky', outcome: 'already-posted' });

    expect(readOutbox(dataDir).filter((r) => r.text === text)).toHaveLength(1);
    expect(fake.tweets.filter((t) => t.text === text)).toHaveLength(1);
    expect(await postsOnPds(text)).toBe(1);

    const store = await openStore({ backend: 'file', dir: dataDir }, { use: 'read' });
    try {
      const entries = await store.listJournal({ campaign: 'crash' });
      expect(entries.map((e) => [e.platform, e.state]).sort()).toEqual([
        ['bluesky', 'confirmed'],
        ['local', 'confirmed'],
        ['x', 'confirmed'],
      ]);
      const tweet = fake.tweets.find((t) => t.text === text)!;
      expect(entries.find((e) => e.platform === 'x')?.remoteId).toBe(tweet.id);
      expect(entries.find((e) => e.platform === 'bluesky')?.url).toMatch(
        /^https:\/\/bsky\.app\/profile\/did:plc:/,
      );
      const types: string[] = [];
      for await (const event of store.events()) types.push(event.type);
      // Two intents per platform (one per killed attempt), one confirmation each.
      expect(types.filter((t) => t === 'post.intent')).toHaveLength(6);
      expect(types.filter((t) => t === 'post.confirmed')).toHaveLength(3);
    } finally {
      await store.close();
    }
  });
});
