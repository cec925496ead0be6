/**
 * Every JSON Lines reader ends a line at "\n" only: a post whose JSON holds a raw U+2028 or U+2029
 * (legal inside a JSON string, and written raw by JSON.stringify) stays one line in local replay,
 * in `solidarity score` and in the store.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { LocalReplaySource } from '../src/platforms/local/replay.ts';
import { openStore } from '../src/store/index.ts';
import { MemoryStore } from './_monitor-store.ts';
import { makeFlag } from './_review-fixtures.ts';
import { runCliProcess, tempDir } from './_util.ts';

const TEXT = 'first part\u2028second part\u2029third part #WeStandTogether';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ path: dir, cleanup } = tempDir('solidarity-lines-'));
});
afterEach(() => cleanup());

describe('line readers', () => {
  it('local replay reads a line with a raw U+2028 as one mention', async () => {
    const path = join(dir, 'mentions.jsonl');
    const rows = [
      { id: 'm1', author: 'al', text: TEXT },
      { id: 'm2', author: 'bo', text: 'plain #WeStandTogether' },
    ];
    const file = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
    expect(file).toContain('\u2028'); // written raw, as JSON.stringify does
    writeFileSync(path, file);
    const source = new LocalReplaySource({ path, store: new MemoryStore(), logger: silentLogger() });
    const texts: string[] = [];
    for await (const item of source.mentions(new AbortController().signal)) texts.push(item.mention.text);
    expect(texts).toEqual([TEXT, 'plain #WeStandTogether']);
    expect(source.stats().malformed).toBe(0);
  });

  it('score reads a line with a raw U+2028 as one post', async () => {
    const input = `${JSON.stringify({ id: 'a', text: TEXT })}\n${JSON.stringify({ id: 'b', text: 'hello' })}\n`;
    const result = await runCliProcess(['score'], { input });
    expect(result.code).toBe(0);
    const out = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((o) => o['id'])).toEqual(['a', 'b']);
    expect(out.some((o) => 'error' in o)).toBe(false);
  });

  it('the store keeps a flag whose text holds U+2028 and U+2029 across a restart', async () => {
    const flag = makeFlag({ n: 1, text: TEXT });
    const writer = await openStore(
      { backend: 'file', dir },
      { use: 'change', fsync: false, pruneEveryMs: 0 },
    );
    await writer.addFlag(flag);
    await writer.append({
      type: 'mention.seen',
      at: flag.createdAt,
      campaign: flag.campaign,
      mention: flag.mention,
      verdict: { flagged: true, score: 0.9, severity: 'high', sentiment: -2, rules: ['x'] },
    });
    await writer.close();
    const reader = await openStore({ backend: 'file', dir }, { use: 'read' });
    expect((await reader.getFlag(flag.id))?.mention.text).toBe(TEXT);
    const seen: string[] = [];
    for await (const e of reader.events({ types: ['mention.seen'] }))
      if (e.type === 'mention.seen') seen.push(e.mention.text);
    expect(seen).toEqual([TEXT]);
    await reader.close();
  });
});
