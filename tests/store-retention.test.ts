/**
 * Retention on the file store: what the conformance suite checks through the Store interface, plus
 * that the text has really left the disk (segments, write-ahead log and state.json).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../src/config/env.ts';
import { openFileStore } from '../src/store/file-store.ts';
import { DEFAULT_RETENTION, retentionFromEnv } from '../src/store/retention.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { NOW, RANGE, seedRetention, url } from './store-conformance/retention.ts';
import { tempDataDir } from './store-fixtures.ts';

const { cleanups } = cleanupAfterEach();

/** Every byte under the data folder, to check that text has really left the disk. */
function allBytes(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(dir);
  return out.join('\n');
}

describe('retention', () => {
  it('takes its defaults (7 and 90 days) from the env schema, and its values from the environment', () => {
    expect(DEFAULT_RETENTION).toEqual({ unflaggedDays: 7, flaggedDays: 90 });
    const env = loadEnv(
      { SOLIDARITY_RETENTION_UNFLAGGED_DAYS: '3', SOLIDARITY_RETENTION_FLAGGED_DAYS: '30' },
      { dotenvPath: null },
    );
    expect(retentionFromEnv(env)).toEqual({ unflaggedDays: 3, flaggedDays: 30 });
  });

  it('rewrites the day segments and leaves the dropped text in no file', async () => {
    const { dir, cleanup } = tempDataDir();
    cleanups.push(cleanup);
    const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0, clock: () => NOW });
    cleanups.push(() => store.close());
    await seedRetention(store);
    const before = await store.stats(RANGE);
    expect(allBytes(dir)).toContain(url(1));
    expect(allBytes(dir)).toContain(url(5));
    // Three days touched: 2026-08-01 (mention 5), 2026-08-02 (its review event), 2026-11-01 (mention 1).
    const report = await store.prune();
    expect(report).toMatchObject({ linesDropped: 3, segmentsRewritten: 3 });
    expect(report.bytesAfter).toBeLessThan(report.bytesBefore);
    // The text is gone from every file, including the write-ahead log and state.json.
    await store.flush();
    const bytes = allBytes(dir);
    expect(bytes).not.toContain(url(1));
    expect(bytes).not.toContain(url(5));
    expect(bytes).toContain(url(2));
    // The counts of what went are kept in the segment's "_counts" line.
    expect(bytes).toContain('"_counts"');
    expect(await store.stats(RANGE)).toEqual(before);
    expect((await store.prune()).segmentsRewritten).toBe(0);
  });
});
