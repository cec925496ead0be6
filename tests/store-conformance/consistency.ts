/**
 * `store verify --deep`: journal, events, flags and cursors cross-checked, and what can be derived
 * repaired, on any backend. The disagreements are made through the Store interface itself (a
 * transaction that never had its other half), as a crash or an older version could leave them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConsistency, mentionPairKey, repairConsistency } from '../../src/store/consistency.ts';
import type { JournalEntry, Store } from '../../src/store/types.ts';
import { runCliInProcess } from '../_util.ts';
import { at, mention, mentionEvent, tempDataDir } from '../store-fixtures.ts';
import { type Conformance, collect, type TestData } from './harness.ts';

const entry = (key: string, state: JournalEntry['state'], attempts: number): JournalEntry => ({
  key,
  campaign: 'a',
  platform: 'local',
  // One slot per key: a backend may hold one journal row per slot and platform.
  slotAt: at(Number(key.split('@')[1])),
  text: 'hello #westandtogether',
  state,
  attempts,
  updatedAt: at(5),
  ...(state === 'confirmed' ? { remoteId: `r-${key}`, url: `local://${key}` } : {}),
});

/** Whether the backend kept a second mention.seen of one pair (the file store logs what it is given). */
async function keptRepeat(store: Store): Promise<boolean> {
  const events = await collect(store.events({ types: ['mention.seen'] }));
  return events.filter((e) => e.type === 'mention.seen' && e.mention.id === mention(3, at(3)).id).length > 1;
}

/** Data with one of each disagreement the deep check knows. */
async function broken(suite: Conformance): Promise<{ data: TestData; repeated: boolean }> {
  const data = await suite.data();
  const store = await data.open('change');
  // A flagged mention whose flag never made it, and a flag whose event never made it.
  await store.append(mentionEvent(1, at(1), true, 'a'));
  const orphan = mentionEvent(2, at(2), true, 'b');
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
  // One pair seen twice: reported, not repairable (a backend with a unique constraint keeps one).
  await store.append(mentionEvent(3, at(3), false, 'a'));
  await store.append(mentionEvent(3, at(3), false, 'a'));
  const repeated = await keptRepeat(store);
  await store.close();
  return { data, repeated };
}

export function consistencyTests(suite: Conformance): void {
  describe('store verify --deep', () => {
    it('names every disagreement, repairs what can be derived, and then passes', async () => {
      const { data, repeated } = await broken(suite);
      const store = await data.open('change');
      const report = await checkConsistency(store);
      const repairable = [
        'confirmed-event-missing',
        'flag-missing',
        'flag-without-event',
        'intent-events-missing',
        'journal-not-confirmed',
      ];
      const left = repeated ? ['mention-repeated'] : [];
      expect(report.findings.map((f) => f.kind).sort()).toEqual([...repairable, ...left].sort());
      expect(await repairConsistency(store, report)).toBe(5);
      await store.refresh();
      const after = await checkConsistency(store);
      expect(after.findings.map((f) => f.kind)).toEqual(left);
      expect((await store.getJournal('a@2@local'))?.state).toBe('confirmed');
      expect((await store.getFlag(mentionPairKey('a', mention(1, at(1)))))?.state).toBe('open');
      const reopened = await data.open('read');
      expect((await checkConsistency(reopened)).findings.map((f) => f.kind)).toEqual(left);
    });

    it('the CLI exits 1 listing each finding; --repair fixes the derivable ones', async () => {
      const { data, repeated } = await broken(suite);
      const env = { ...data.env, SOLIDARITY_CAMPAIGNS_DIR: join(data.env['SOLIDARITY_DATA_DIR']!, 'none') };
      const plain = await runCliInProcess(['store', 'verify'], env);
      expect(plain.code).toBe(0);
      const deep = await runCliInProcess(['store', 'verify', '--deep'], env);
      expect(deep.code).toBe(1);
      expect(deep.stdout.match(/^Inconsistent /gm)?.length).toBe(repeated ? 6 : 5);
      expect(deep.stdout).toContain('flag-missing, repairable');
      const repair = await runCliInProcess(['store', 'verify', '--deep', '--repair'], env);
      if (repeated) {
        expect(repair.stdout).toContain('Repaired 5 of 6 finding(s); 1 remains.');
        expect(repair.code).toBe(1);
      } else {
        expect(repair.stdout).toContain('Repaired 5 of 5 finding(s); 0 remain.');
        expect(repair.stdout).toContain('OK: journal, events, flags and cursors agree.');
        expect(repair.code).toBe(0);
      }
      // The repeated pair, where the backend kept it, is the one thing left for a person.
      const json = await runCliInProcess(['store', 'verify', '--deep', '--json'], env);
      const parsed = JSON.parse(json.stdout) as { deep: { before: { findings: Array<{ kind: string }> } } };
      expect(parsed.deep.before.findings.map((f) => f.kind)).toEqual(repeated ? ['mention-repeated'] : []);
    });

    it('finds a replay cursor past a mention that was never stored, and moves it back', async () => {
      const data = await suite.data();
      const { dir, cleanup } = tempDataDir('solidarity-conformance-cursor-');
      try {
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
        const store = await data.open('change');
        const m1 = { platform: 'local' as const, id: 'm1' };
        await store.commit({
          events: [
            {
              ...mentionEvent(1, at(1), false, 'one'),
              mention: { ...mentionEvent(1, at(1), false, 'one').mention, ...m1 },
            },
          ],
          cursors: [{ key: `monitor.local:${mentions}`, value: '3' }],
        });
        await store.close();
        const env = {
          ...data.env,
          SOLIDARITY_CAMPAIGNS_DIR: campaigns,
          SOLIDARITY_SAMPLE_MENTIONS: mentions,
        };
        const deep = await runCliInProcess(['store', 'verify', '--deep'], env);
        expect(deep.stdout).toMatch(
          /cursor-ahead, repairable\): .*at line 3, but line 2 \(m2, campaign one\)/,
        );
        const repair = await runCliInProcess(['store', 'verify', '--deep', '--repair'], env);
        expect(repair.code).toBe(0);
        const check = await data.open('read');
        expect(await check.getCursor(`monitor.local:${mentions}`)).toBe('1');
      } finally {
        cleanup();
      }
    });
  });
}
