/**
 * Crash and restart on Mastodon: a bot process is killed (SIGKILL) once after the post intent is
 * durable and once after the status was made but before it was confirmed, then restarted. The
 * fake instance must hold exactly one status, and the journal must point at it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKey } from '../src/platforms/mastodon/adapter.ts';
import { openStore } from '../src/store/index.ts';
import {
  type FakeMastodon,
  fakeMastodonEnv,
  mastodonCampaignLines,
  startFakeMastodon,
} from './_fake-mastodon.ts';
import { type ProcessResult, ROOT, runNodeProcess } from './_util.ts';

let fake: FakeMastodon;
const dirs: string[] = [];

beforeAll(async () => {
  fake = await startFakeMastodon();
});
afterAll(async () => {
  await fake?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function campaignFile(dir: string, text: string): string {
  const file = join(dir, 'crash.yaml');
  const lines = mastodonCampaignLines({
    id: 'crash',
    more: ['language: nl'],
    start: '2026-03-01T00:00',
    schedule: 'at: ["2026-03-22T09:00"]',
    messages: [text],
  });
  writeFileSync(file, lines.join('\n'));
  return file;
}

function runBot(dataDir: string, campaign: string, crash?: string): Promise<ProcessResult> {
  return runNodeProcess(['--import', 'tsx', join(ROOT, 'tests/_publish-child.ts')], {
    env: {
      DATA_DIR: dataDir,
      CAMPAIGN_FILE: campaign,
      NOW: '2026-03-22T08:02:00Z', // two minutes after the slot: inside the grace window
      ...fakeMastodonEnv(fake),
      CRASH: crash ?? '',
    },
    timeoutMs: 60_000,
  });
}

describe('Mastodon: killed between intent and confirmation, then restarted', () => {
  it('ends with exactly one status on the instance, confirmed in the journal', {
    timeout: 120_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'solidarity-mastodon-crash-'));
    dirs.push(dataDir);
    const text = 'Wij staan samen. Meld haat op 101: https://example.org/melden #WeStandTogether';
    const file = campaignFile(dataDir, text);

    for (const point of ['after-intent', 'after-call']) {
      const run = await runBot(dataDir, file, `${point}:mastodon`);
      expect(run.signal, `${point} ${run.stderr}`).toBe('SIGKILL');
    }
    // Killed after the call: the status exists, the journal does not know it yet.
    expect(fake.statuses.filter((s) => s.text === text)).toHaveLength(1);

    const last = await runBot(dataDir, file);
    expect(last.code, last.stderr).toBe(0);
    const outcomes = JSON.parse(last.stdout.trim().split('\n').pop()!) as Array<{
      platform: string;
      outcome: string;
    }>;
    expect(outcomes).toContainEqual({ platform: 'mastodon', outcome: 'already-posted' });
    expect(outcomes.map((o) => o.outcome)).not.toContain('posted');

    const statuses = fake.statuses.filter((s) => s.text === text);
    expect(statuses).toHaveLength(1);
    const status = statuses[0]!;
    expect(status).toMatchObject({ visibility: 'unlisted', spoilerText: 'Hate crime', language: 'nl' });
    // The one status carried the key derived from the journal entry (slot + platform).
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/statuses');
    expect(posts).toHaveLength(1);
    expect(status.idempotencyKey).toBe(posts[0]!.idempotencyKey);

    const store = await openStore({ backend: 'file', dir: dataDir }, { use: 'read' });
    try {
      const entries = await store.listJournal({ campaign: 'crash' });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        platform: 'mastodon',
        state: 'confirmed',
        remoteId: status.id,
        url: `${fake.url}/@westandtogether/${status.id}`,
      });
      expect(status.idempotencyKey).toBe(
        idempotencyKey({ slotKey: entries[0]!.key.replace(/\/mastodon$/, ''), platform: 'mastodon' }),
      );
      const types: string[] = [];
      for await (const event of store.events()) types.push(event.type);
      expect(types.filter((t) => t === 'post.intent')).toHaveLength(2);
      expect(types.filter((t) => t === 'post.confirmed')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
