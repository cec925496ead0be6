/**
 * Transactions across a crash, and `store verify --deep` / `--repair`: a write-ahead record whose
 * activity log lines never reached the log gets them at the next start (once), and a data folder
 * whose parts disagree is reported, repaired where the missing part can be derived, and passes.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConsistency, mentionPairKey, repairConsistency } from '../src/store/consistency.ts';
import { type FileStore, openFileStore } from '../src/store/file-store.ts';
import type { ActivityEvent, JournalEntry } from '../src/store/types.ts';
import { runCliInProcess } from './_util.ts';
import { at, mention, tempDataDir } from './store-fixtures.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function folder(): string {
  const t = tempDataDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

const writer = (dir: string) =>
  openFileStore({ dir, mode: 'writer', role: 'cli', inboxPollMs: 0, pruneEveryMs: 0 });

function seen(
  i: number,
  campaign: string,
  flagged: boolean,
): Extract<ActivityEvent, { type: 'mention.seen' }> {
  return {
    type: 'mention.seen',
    at: at(i),
    campaign,
    mention: mention(i, at(i)),
    verdict: {
      flagged,
      score: flagged ? 0.9 : 0.1,
      severity: flagged ? 'high' : 'none',
      sentiment: 0,
      rules: [],
    },
  };
}

async function all(store: FileStore, type: ActivityEvent['type']): Promise<ActivityEvent[]> {
  const out: ActivityEvent[] = [];
  for await (const e of store.events({ types: [type] })) out.push(e);
  return out;
}

describe('store transactions across a crash', () => {
  it('re-appends the events of a committed record that never reached the log, once', async () => {
    const dir = folder();
    const store = await writer(dir);
    // One record before the crash (its lines are written) and one whose lines are lost.
    await store.commit({ events: [seen(1, 'a', false), seen(1, 'b', false)] });
    const segment = join(dir, 'events', `${at(1).slice(0, 10)}.jsonl`);
    const sizeBefore = readFileSync(segment).length;
    await store.commit({
      events: [seen(2, 'a', false), seen(2, 'b', true)],
      cursors: [{ key: 'k', value: '2' }],
    });
    await store.flush();
    // The crash: a copy of the folder as a SIGKILL after the write-ahead write would leave it.
    const crashed = folder();
    cpSync(dir, crashed, { recursive: true });
    rmSync(join(crashed, 'store.lock'), { force: true });
    truncateSync(join(crashed, 'events', `${at(1).slice(0, 10)}.jsonl`), sizeBefore);
    await store.close();

    const after = await writer(crashed);
    expect(await after.getCursor('k')).toBe('2');
    const events = (await all(after, 'mention.seen')) as Array<
      Extract<ActivityEvent, { type: 'mention.seen' }>
    >;
    expect(events.map((e) => `${e.mention.id}#${e.campaign}`).sort()).toEqual(
      [
        `${mention(1, at(1)).id}#a`,
        `${mention(1, at(1)).id}#b`,
        `${mention(2, at(2)).id}#a`,
        `${mention(2, at(2)).id}#b`,
      ].sort(),
    );
    await after.close();
    // A second start finds them present and writes nothing more.
    const again = await writer(crashed);
    expect((await all(again, 'mention.seen')).length).toBe(4);
    await again.close();
  });
});

describe('store verify --deep', () => {
  const entry = (key: string, state: JournalEntry['state'], attempts: number): JournalEntry => ({
    key,
    campaign: 'a',
    platform: 'local',
    slotAt: at(0),
    text: 'hello #westandtogether',
    state,
    attempts,
    updatedAt: at(5),
    ...(state === 'confirmed' ? { remoteId: `r-${key}`, url: `local://${key}` } : {}),
  });

  async function brokenFolder(): Promise<string> {
    const dir = folder();
    const store = await writer(dir);
    // A flagged mention whose flag never made it, and a flag whose event never made it.
    await store.append(seen(1, 'a', true));
    const orphan = seen(2, 'b', true);
    await store.addFlag({
      id: mentionPairKey('b', orphan.mention),
      campaign: 'b',
      mention: orphan.mention,
      verdict: {
        flagged: true,
        score: 0.9,
        severity: 'high',
        sentiment: 0,
        reasons: [{ rule: 'x', explanation: 'y' }],
      },
      state: 'open',
      createdAt: orphan.at,
      events: [],
    });
    // A confirmed journal entry without its post.confirmed (and without its post.intent), and a
    // post.confirmed whose journal entry stayed an intent.
    await store.putJournal(entry('a@1@local', 'confirmed', 1));
    await store.commit({
      journal: [entry('a@2@local', 'intent', 1)],
      events: [
        { type: 'post.intent', at: at(3), campaign: 'a', platform: 'local', slotKey: 'a@2@local', text: 't' },
      ],
    });
    await store.append({
      type: 'post.confirmed',
      at: at(4),
      campaign: 'a',
      platform: 'local',
      slotKey: 'a@2@local',
      remoteId: 'r2',
      url: 'local://r2',
    });
    // One pair seen twice: reported, not repairable.
    await store.append(seen(3, 'a', false));
    await store.append(seen(3, 'a', false));
    await store.close();
    return dir;
  }

  it('names every disagreement, repairs what can be derived, and then passes', async () => {
    const dir = await brokenFolder();
    const store = await writer(dir);
    const report = await checkConsistency(store);
    expect(report.findings.map((f) => f.kind).sort()).toEqual(
      [
        'confirmed-event-missing',
        'flag-missing',
        'flag-without-event',
        'intent-events-missing',
        'journal-not-confirmed',
        'mention-repeated',
      ].sort(),
    );
    expect(await repairConsistency(store, report)).toBe(5);
    const after = await checkConsistency(store);
    expect(after.findings.map((f) => f.kind)).toEqual(['mention-repeated']);
    expect((await store.getJournal('a@2@local'))?.state).toBe('confirmed');
    expect((await store.getFlag(mentionPairKey('a', mention(1, at(1)))))?.state).toBe('open');
    await store.close();
  });

  it('the CLI exits 1 listing each finding; --repair fixes the derivable ones', async () => {
    const dir = await brokenFolder();
    const env = { SOLIDARITY_DATA_DIR: dir, SOLIDARITY_CAMPAIGNS_DIR: join(dir, 'none') };
    const plain = await runCliInProcess(['store', 'verify'], env);
    expect(plain.code).toBe(0);
    const deep = await runCliInProcess(['store', 'verify', '--deep'], env);
    expect(deep.code).toBe(1);
    expect(deep.stdout.match(/^Inconsistent /gm)?.length).toBe(6);
    expect(deep.stdout).toContain('flag-missing, repairable');
    const repair = await runCliInProcess(['store', 'verify', '--deep', '--repair'], env);
    expect(repair.stdout).toContain('Repaired 5 of 6 finding(s); 1 remains.');
    expect(repair.code).toBe(1);
    // The repeated pair is the one thing left for a person.
    const json = await runCliInProcess(['store', 'verify', '--deep', '--json'], env);
    const parsed = JSON.parse(json.stdout) as { deep: { before: { findings: Array<{ kind: string }> } } };
    expect(parsed.deep.before.findings.map((f) => f.kind)).toEqual(['mention-repeated']);
  });

  it('finds a replay cursor past a mention that was never stored, and moves it back', async () => {
    const dir = folder();
    const mentions = join(dir, 'mentions.jsonl');
    writeFileSync(
      mentions,
      ['m1', 'm2', 'm3']
        .map((id) => JSON.stringify({ id, author: 'x', text: `hi #tagone ${id}` }))
        .join('\n'),
    );
    const campaigns = join(dir, 'campaigns');
    mkdirSync(campaigns);
    writeFileSync(
      join(campaigns, 'c.yaml'),
      [
        'id: one',
        'name: One',
        'timezone: Europe/London',
        'start: 2026-11-20T09:00',
        'platforms: [bluesky]',
        'schedules: [{ cron: "0 12 * * *" }]',
        'hashtags: [tagone]',
        'messages: ["Together {hashtags}", "Side by side {hashtags}"]',
      ].join('\n'),
    );
    const store = await writer(dir);
    const m1 = { platform: 'local' as const, id: 'm1' };
    await store.commit({
      events: [{ ...seen(1, 'one', false), mention: { ...seen(1, 'one', false).mention, ...m1 } }],
      cursors: [{ key: `monitor.local:${mentions}`, value: '3' }],
    });
    await store.close();
    const env = {
      SOLIDARITY_DATA_DIR: dir,
      SOLIDARITY_CAMPAIGNS_DIR: campaigns,
      SOLIDARITY_SAMPLE_MENTIONS: mentions,
    };
    const deep = await runCliInProcess(['store', 'verify', '--deep'], env);
    expect(deep.stdout).toMatch(/cursor-ahead, repairable\): .*at line 3, but line 2 \(m2, campaign one\)/);
    const repair = await runCliInProcess(['store', 'verify', '--deep', '--repair'], env);
    expect(repair.code).toBe(0);
    const check = await writer(dir);
    expect(await check.getCursor(`monitor.local:${mentions}`)).toBe('1');
    await check.close();
  });
});
