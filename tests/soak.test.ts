/**
 * Soak: the bot (tests/_soak-bot.ts, composed as `solidarity start` in local mode) replays a
 * generated mention file over three campaigns with overlapping hashtags while missed slots are
 * caught up, and is SIGKILLed again and again: right after a post.intent line, right after the
 * K-th new mention.seen line, or at a random moment (start-up, recovery, catch-up, replay). Then
 * one clean run to the end. Whatever the kills, the data folder must hold exactly: every
 * (campaign, mention) pair once, one flag per flagged verdict, every due slot posted once or
 * skipped with a reason, and a journal that agrees with the activity log (store verify --deep).
 * SOAK_SEED=N repeats a run; the summary is printed as JSON.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  type FSWatcher,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaigns } from '../src/campaign/load.ts';
import { slotKey, slotsBetween } from '../src/campaign/slots.ts';
import { mergeHashtags } from '../src/core/hashtags.ts';
import { monitoredCampaign } from '../src/monitor/campaigns.ts';
import { mulberry32 } from '../src/random.ts';
import { score } from '../src/scoring/index.ts';
import { mentionPairKey } from '../src/store/consistency.ts';
import { openStore } from '../src/store/index.ts';
import { readOutbox } from '../src/store/outbox.ts';
import type { ActivityEvent } from '../src/store/types.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { runCliInProcess, tempDir } from './_util.ts';

const { cleanups } = cleanupAfterEach();
const BOT = join(import.meta.dirname, '_soak-bot.ts');
const LINES = 6000;
const KILLS = 27;

// Three campaigns; #soakshared is watched by a and b, #westandtogether by a and c.
const CAMPAIGNS = [
  { id: 'soak-a', hashtags: ['WeStandTogether'], monitor: ['WeStandTogether', 'SoakShared'] },
  { id: 'soak-b', hashtags: ['LoveNotHate'], monitor: ['LoveNotHate', 'SoakShared'] },
  { id: 'soak-c', hashtags: ['SoakThird'], monitor: ['SoakThird', 'WeStandTogether'] },
];
const TAG_SETS = [
  ['WeStandTogether'],
  ['SoakShared'],
  ['LoveNotHate'],
  ['SoakThird'],
  ['WeStandTogether', 'LoveNotHate'],
  ['SoakShared', 'SoakThird'],
  ['SomethingElse'],
];
const KIND_WORDS = ['Thinking of', 'Standing with', 'Love to', 'Solidarity with', 'Hugs to'];
const PLACES = ['Brussels', 'our neighbours', 'the city', 'everyone affected', 'the families'];
const GROUPS = ['migrants', 'muslims', 'jews', 'refugees', 'foreigners'];
// Written for this test: abusive lines of the kind the review queue exists for.
const HATE = [
  (g: string) => `${g} are vermin and should all be driven out`,
  (g: string) => `kill all the ${g}, they are filth`,
  (g: string) => `I hate ${g}, subhuman scum every one of them`,
  (g: string) => `deport every last one of the ${g} parasites, burn their homes`,
];

interface Line {
  id: string;
  author: string;
  text: string;
}

function mentionFile(rand: () => number): { lines: string[]; unique: Line[]; hateful: number } {
  const lines: string[] = [];
  const unique: Line[] = [];
  let hateful = 0;
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  for (let i = 0; i < LINES; i++) {
    if (i > 0 && i % 50 === 0) {
      // The same mention delivered twice.
      lines.push(JSON.stringify(unique[unique.length - 7]!));
      continue;
    }
    if (i % 1999 === 1000) {
      lines.push('{"id": "broken", this is not JSON');
      continue;
    }
    const tags = pick(TAG_SETS)
      .map((t) => `#${t}`)
      .join(' ');
    const hate = rand() < 0.13;
    if (hate) hateful++;
    const body = hate ? pick(HATE)(pick(GROUPS)) : `${pick(KIND_WORDS)} ${pick(PLACES)} tonight`;
    const line = { id: `m${i}`, author: `user${i % 97}`, text: `${body} ${tags}` };
    unique.push(line);
    lines.push(JSON.stringify(line));
  }
  return { lines, unique, hateful };
}

function campaignYaml(c: (typeof CAMPAIGNS)[number], slots: string[]): string {
  return [
    `id: ${c.id}`,
    `name: Soak ${c.id}`,
    'timezone: UTC',
    'start: 2026-01-01T00:00',
    'platforms: [x, bluesky]',
    'grace_minutes: 30',
    'schedules:',
    `  - at: [${slots.map((s) => JSON.stringify(s)).join(', ')}]`,
    `hashtags: [${c.hashtags.join(', ')}]`,
    `monitor_hashtags: [${c.monitor.join(', ')}]`,
    'messages:',
    ...slots.map((_, i) => `  - "Soak ${c.id} message ${i}: we stand together. {hashtags}"`),
  ].join('\n');
}

/** Follows the activity log as the bot writes it: new complete lines of each day segment. */
class LogFollower {
  readonly #offsets = new Map<string, number>();
  readonly #watcher: FSWatcher;
  #scheduled = false;
  onLine: ((type: string) => void) | undefined;

  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.#watcher = watch(dir, () => this.#schedule());
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.read();
    });
  }

  read(): void {
    for (const name of readdirSync(this.dir).filter((n) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(n))) {
      const file = join(this.dir, name);
      const size = statSync(file).size;
      // A torn tail cut off at a restart: the lines before it were read already.
      let offset = Math.min(this.#offsets.get(name) ?? 0, size);
      if (size <= offset) {
        this.#offsets.set(name, offset);
        continue;
      }
      const fd = openSync(file, 'r');
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      closeSync(fd);
      const end = buf.lastIndexOf(10);
      if (end < 0) continue;
      for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
        const type = /"type":"([a-z.]+)"/.exec(line)?.[1];
        if (type) this.onLine?.(type);
      }
      offset += end + 1;
      this.#offsets.set(name, offset);
    }
  }

  close(): void {
    this.#watcher.close();
  }
}

function startBot(args: string[]): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  ended: Promise<{ code: number | null; signal: string | null }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', BOT, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, ended };
}

describe('soak: SIGKILL at random moments, then a clean run', () => {
  it(`loses nothing and duplicates nothing over ${KILLS} kills`, { timeout: 180_000 }, async () => {
    const started = Date.now();
    const seed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
    const rand = mulberry32(seed); // SOAK_SEED repeats a failing run
    const t = tempDir('solidarity-soak-');
    cleanups.push(t.cleanup);
    const dataDir = join(t.path, 'data');
    const campaignsDir = join(t.path, 'campaigns');
    const mentionsPath = join(t.path, 'mentions.jsonl');
    mkdirSync(join(dataDir, 'events'), { recursive: true });
    mkdirSync(campaignsDir);

    // Four slots per campaign in the last hour: the two older ones are past the 30 min grace
    // (skipped with a reason), the two younger ones are posted late, during the kills.
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const slots = [55, 40, 25, 12].map((m) => new Date(minute - m * 60_000).toISOString().slice(0, 16));
    for (const c of CAMPAIGNS) writeFileSync(join(campaignsDir, `${c.id}.yaml`), campaignYaml(c, slots));
    const campaigns = loadCampaigns(campaignsDir);
    const file = mentionFile(rand);
    writeFileSync(mentionsPath, `${file.lines.join('\n')}\n`);
    expect(file.lines.length).toBeGreaterThanOrEqual(5000);
    expect(file.hateful / file.unique.length).toBeGreaterThanOrEqual(0.1);

    const follower = new LogFollower(join(dataDir, 'events'));
    const kills = { afterIntent: 0, afterSeen: 0, random: 0 };
    const args = [dataDir, campaignsDir, mentionsPath];
    const firstStart = Date.now();
    try {
      for (let cycle = 0; cycle < KILLS; cycle++) {
        // The first cycles die right after a post.intent (the catch-up is short), the rest alternate.
        const mode = cycle < 6 ? 'intent' : cycle % 2 === 0 ? 'seen' : 'random';
        const bot = startBot(args);
        let killed: keyof typeof kills | undefined;
        const kill = (why: keyof typeof kills) => {
          if (killed) return;
          killed = why;
          bot.child.kill('SIGKILL');
          kills[why]++;
        };
        // Kill right after the K-th new mention.seen line (also the fallback once no intents come).
        const k = 1 + Math.floor(rand() * 250);
        let seenLines = 0;
        follower.onLine = (type) => {
          if (type === 'post.intent' && mode === 'intent') kill('afterIntent');
          if (type === 'mention.seen') {
            seenLines++;
            if (seenLines >= k && mode !== 'random') kill('afterSeen');
          }
        };
        const timer =
          mode === 'random' ? setTimeout(() => kill('random'), 30 + Math.floor(rand() * 2500)) : undefined;
        // Nothing left to do (the file replayed already): kill it there.
        const poll = setInterval(() => {
          if (bot.stdout().includes('replay ended')) kill('random');
        }, 20);
        const exit = await bot.ended;
        clearTimeout(timer);
        clearInterval(poll);
        follower.read();
        expect(exit.signal, `cycle ${cycle} ended on its own: ${bot.stdout()}${bot.stderr()}`).toBe(
          'SIGKILL',
        );
      }
      follower.onLine = undefined;

      // The clean run to the end of the file.
      const clean = startBot(args);
      await new Promise<void>((resolve, reject) => {
        const poll = setInterval(() => {
          if (clean.stdout().includes('replay ended')) {
            clearInterval(poll);
            resolve();
          }
        }, 25);
        void clean.ended.then(() => {
          clearInterval(poll);
          reject(new Error(`the clean run ended early: ${clean.stdout()}${clean.stderr()}`));
        });
      });
      clean.child.kill('SIGTERM');
      const exit = await clean.ended;
      expect(exit.code, clean.stderr()).toBe(0);
      expect(clean.stdout()).toContain('stopped');
    } finally {
      follower.close();
    }
    const lastEnd = Date.now();

    // What the data folder holds.
    const store = await openStore({ backend: 'file', dir: dataDir }, { use: 'read' });
    const seen = new Map<string, number>();
    const flaggedPairs = new Set<string>();
    const postEvents = new Map<string, ActivityEvent[]>();
    for await (const e of store.events()) {
      if (e.type === 'mention.seen') {
        const key = mentionPairKey(e.campaign, e.mention);
        seen.set(key, (seen.get(key) ?? 0) + 1);
        if (e.verdict.flagged) flaggedPairs.add(key);
      } else if (e.type.startsWith('post.') && 'slotKey' in e) {
        const list = postEvents.get(e.slotKey) ?? [];
        list.push(e);
        postEvents.set(e.slotKey, list);
      }
    }
    const flags: string[] = [];
    for await (const f of store.flags()) flags.push(f.id);
    const journal = await store.listJournal();
    await store.close();

    // Expected, from the file and the campaigns alone.
    const routes = campaigns.map((c) => ({
      id: c.id,
      tags: new Set(CAMPAIGNS.find((x) => x.id === c.id)!.monitor.map((t) => t.toLowerCase())),
      options: monitoredCampaign(c).scoreOptions,
    }));
    const expectedPairs = new Set<string>();
    const expectedFlagged = new Set<string>();
    for (const line of file.unique) {
      const tags = mergeHashtags([], line.text);
      for (const r of routes) {
        if (!tags.some((tag) => r.tags.has(tag))) continue;
        const key = mentionPairKey(r.id, { platform: 'local', id: line.id });
        expectedPairs.add(key);
        if (score(line.text, r.options).flagged) expectedFlagged.add(key);
      }
    }
    const repeated = [...seen].filter(([, n]) => n !== 1);
    const expectedSlots = new Set<string>();
    for (const c of campaigns) {
      for (const slot of slotsBetween(c, new Date(firstStart - 60 * 60_000), new Date(lastEnd))) {
        for (const platform of c.platforms) expectedSlots.add(`${slotKey(c.id, slot.at)}/${platform}`);
      }
    }
    const outbox = readOutbox(dataDir);
    const posted = journal.filter((j) => j.state === 'confirmed');
    const skipped = journal.filter((j) => j.state === 'skipped');
    const summary = {
      seed,
      cycles: KILLS + 1,
      kills,
      lines: file.lines.length,
      hatefulLines: file.hateful,
      pairs: { expected: expectedPairs.size, actual: seen.size, repeated: repeated.length },
      flags: { expected: expectedFlagged.size, flaggedEvents: flaggedPairs.size, actual: flags.length },
      slots: { expected: expectedSlots.size, posted: posted.length, skipped: skipped.length },
      outbox: outbox.length,
      durationMs: Date.now() - started,
    };
    console.log(JSON.stringify(summary));

    expect(kills.afterIntent).toBeGreaterThan(0);
    expect(kills.afterSeen).toBeGreaterThan(0);
    expect(kills.afterIntent + kills.afterSeen + kills.random).toBe(KILLS);
    // Every (campaign, mention) pair exactly once.
    expect(repeated).toEqual([]);
    expect([...seen.keys()].sort()).toEqual([...expectedPairs].sort());
    // Every flagged verdict has one flag, and nothing else does.
    expect([...flaggedPairs].sort()).toEqual([...expectedFlagged].sort());
    expect([...flags].sort()).toEqual([...expectedFlagged].sort());
    // Every due slot posted once or skipped with its reason.
    expect(journal.map((j) => j.key).sort()).toEqual([...expectedSlots].sort());
    for (const entry of journal) {
      const events = postEvents.get(entry.key) ?? [];
      const of = (type: string) => events.filter((e) => e.type === type);
      const inOutbox = outbox.filter((o) => `${o.slot}/${o.platform}` === entry.key);
      if (entry.state === 'confirmed') {
        expect(inOutbox, entry.key).toHaveLength(1);
        expect(of('post.confirmed'), entry.key).toHaveLength(1);
      } else {
        expect(entry.state, entry.key).toBe('skipped');
        expect(inOutbox, entry.key).toHaveLength(0);
        const skips = of('post.skipped');
        expect(skips, entry.key).toHaveLength(1);
        expect((skips[0] as Extract<ActivityEvent, { type: 'post.skipped' }>).reason).toMatch(/\S/);
      }
      expect(of('post.intent'), entry.key).toHaveLength(entry.attempts);
    }
    expect(outbox).toHaveLength(posted.length);
    // And the deep checks agree.
    const verify = await runCliInProcess(['store', 'verify', '--deep'], {
      SOLIDARITY_DATA_DIR: dataDir,
      SOLIDARITY_CAMPAIGNS_DIR: campaignsDir,
      SOLIDARITY_SAMPLE_MENTIONS: mentionsPath,
    });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('OK: journal, events, flags and cursors agree.');
  });
});
