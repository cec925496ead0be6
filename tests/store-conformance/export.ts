/** Export: JSON Lines and CSV, filtered by time and type, streamed with back-pressure, from any backend. */
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvField, exportEvents } from '../../src/store/export.ts';
import type { ActivityEvent } from '../../src/store/types.ts';
import { parseCsv } from '../_csv.ts';
import { CLI, ROOT, runCliInProcess } from '../_util.ts';
import { at, mentionEvent } from '../store-fixtures.ts';
import type { Conformance, TestData } from './harness.ts';

async function seeded(suite: Conformance): Promise<TestData> {
  const data = await suite.data();
  const store = await data.open('bot');
  for (let i = 0; i < 10; i++) await store.append(mentionEvent(i, at(i * 3600), i % 3 === 0));
  const tricky = mentionEvent(100, at(5 * 3600 + 1));
  if (tricky.type === 'mention.seen') tricky.mention.text = '=HYPERLINK("x"), a "quote"\nand a new line';
  await store.append(tricky);
  await store.append({ type: 'control', at: at(7200 + 5), action: 'pause', campaign: 'demo' });
  await store.close();
  return data;
}

async function run(data: TestData, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await runCliInProcess(argv, data.env);
  return { code: code ?? -1, out: stdout, err: stderr };
}

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ActivityEvent);

export function exportTests(suite: Conformance): void {
  describe('export', () => {
    it('streams JSON Lines filtered by --since, --until and --type', async () => {
      const data = await seeded(suite);
      const all = await run(data, ['export']);
      expect(all.code).toBe(0);
      const events = lines(all.out);
      expect(events).toHaveLength(12);
      expect(events.every((e) => !('v' in e))).toBe(true);
      const window = await run(data, [
        'export',
        '--since',
        at(2 * 3600),
        '--until',
        at(4 * 3600),
        '--type',
        'mention.seen',
      ]);
      expect(lines(window.out).map((e) => e.at)).toEqual([at(2 * 3600), at(3 * 3600)]);
      const bad = await run(data, ['export', '--since', 'last tuesday']);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/--since "last tuesday" is not a date/);
      expect((await run(data, ['export', '--format', 'xml'])).code).toBe(2);
    });

    it('writes CSV a spreadsheet reads back, with formulas neutralised', async () => {
      const data = await seeded(suite);
      const result = await run(data, ['export', '--format', 'csv', '--type', 'mention.seen']);
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
      const data = await seeded(suite);
      const store = await data.open('read');
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

    it('`export | head` ends quietly with exit 0', async () => {
      const data = await suite.data();
      const store = await data.open('bot');
      // Far more than a pipe holds, so the export is still writing when head has gone.
      const now = new Date().toISOString();
      const appends: Promise<void>[] = [];
      for (let i = 0; i < 2000; i++) appends.push(store.append(mentionEvent(i, now)));
      await Promise.all(appends);
      await store.close();
      const result = spawnSync(
        'bash',
        ['-c', `"${process.execPath}" "${CLI}" export | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}`],
        { cwd: ROOT, env: { ...process.env, ...data.env }, encoding: 'utf8' },
      );
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('0');
    });
  });
}
