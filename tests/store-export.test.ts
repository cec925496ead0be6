/** solidarity export: JSON Lines and CSV, filtered by time and type, streamed with back-pressure. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvField, exportEvents } from '../src/store/export.ts';
import { openFileStore } from '../src/store/file-store.ts';
import type { ActivityEvent } from '../src/store/types.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { parseCsv } from './_csv.ts';
import { runCliInProcess } from './_util.ts';
import { at, mentionEvent } from './store-fixtures.ts';

const { dataDir } = cleanupAfterEach();

async function seeded(): Promise<string> {
  const dir = dataDir();
  const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0 });
  for (let i = 0; i < 10; i++) await store.append(mentionEvent(i, at(i * 3600), i % 3 === 0));
  const tricky = mentionEvent(100, at(5 * 3600 + 1));
  if (tricky.type === 'mention.seen') tricky.mention.text = '=HYPERLINK("x"), a "quote"\nand a new line';
  await store.append(tricky);
  await store.append({ type: 'control', at: at(7200 + 5), action: 'pause', campaign: 'demo' });
  await store.close();
  return dir;
}

async function run(dir: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await runCliInProcess(argv, { SOLIDARITY_DATA_DIR: dir });
  return { code: code ?? -1, out: stdout, err: stderr };
}

describe('export', () => {
  it('streams JSON Lines filtered by --since, --until and --type', async () => {
    const dir = await seeded();
    const all = await run(dir, ['export']);
    expect(all.code).toBe(0);
    const events = all.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ActivityEvent);
    expect(events).toHaveLength(12);
    expect(events.every((e) => !('v' in e))).toBe(true);
    const window = await run(dir, [
      'export',
      '--since',
      at(2 * 3600),
      '--until',
      at(4 * 3600),
      '--type',
      'mention.seen',
    ]);
    const inWindow = window.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ActivityEvent);
    expect(inWindow.map((e) => e.at)).toEqual([at(2 * 3600), at(3 * 3600)]);
    const bad = await run(dir, ['export', '--since', 'last tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--since "last tuesday" is not a date/);
    expect((await run(dir, ['export', '--format', 'xml'])).code).toBe(2);
  });

  it('writes CSV a spreadsheet reads back, with formulas neutralised', async () => {
    const dir = await seeded();
    const result = await run(dir, ['export', '--format', 'csv', '--type', 'mention.seen']);
    expect(result.code).toBe(0);
    const rows = parseCsv(result.out);
    expect(rows[0]!.slice(0, 8)).toEqual([
      'at',
      'type',
      'campaign',
      'platform',
      'id',
      'url',
      'author',
      'text',
    ]);
    expect(rows).toHaveLength(12); // header + 11 mentions
    const tricky = rows.find((r) => r[5] === 'https://example.test/post/100')!;
    expect(tricky[7]).toBe('\'=HYPERLINK("x"), a "quote"\nand a new line');
    const flagged = rows.filter((r) => r[8] === 'true');
    expect(flagged).toHaveLength(4);
    expect(flagged[0]![11]).toBe('slur.test');
    expect(csvField('-1')).toBe("'-1");
    expect(csvField(-1)).toBe('-1');
  });

  it('waits for a slow reader instead of buffering the whole log', async () => {
    const dir = await seeded();
    const store = await openFileStore({ dir, mode: 'reader' });
    let maxBuffered = 0;
    let chunks = 0;
    // A sink that takes a tick per chunk and asks for back-pressure after every chunk.
    const slow: Writable = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, done) {
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        chunks++;
        setImmediate(done);
      },
    });
    const count = await exportEvents(store.events(), 'jsonl', slow);
    expect(count).toBe(12);
    expect(chunks).toBe(12);
    // One event (~800 bytes) in the sink at a time: had the exporter ignored back-pressure,
    // every event would queue up in the sink's buffer.
    expect(maxBuffered).toBeLessThan(1500);
  });
});
