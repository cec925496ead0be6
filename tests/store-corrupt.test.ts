/** Corrupt, truncated and torn files: clear errors naming file and line, and nothing overwritten. */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SolidarityError } from '../src/errors.ts';
import { openFileStore } from '../src/store/file-store.ts';
import type { ActivityEvent } from '../src/store/types.ts';
import { verifyStore } from '../src/store/verify.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { at, flag, mentionEvent, tempDataDir } from './store-fixtures.ts';

const { cleanups } = cleanupAfterEach();

/** A closed store with 3 flags (state.json written) and 6 events on one day. */
async function seeded(): Promise<string> {
  const { dir, cleanup } = tempDataDir();
  cleanups.push(cleanup);
  const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0 });
  for (let i = 0; i < 3; i++) await store.addFlag(flag(i, at(i)));
  for (let i = 0; i < 6; i++) await store.append(mentionEvent(i, at(i * 60)));
  await store.setCursor('c', '1');
  await store.close();
  return dir;
}

async function openError(dir: string, mode: 'writer' | 'reader' = 'writer'): Promise<SolidarityError> {
  return openFileStore({ dir, mode, inboxPollMs: 0 }).then(
    async (s) => {
      await s.close();
      throw new Error('expected the store to refuse to open');
    },
    (e) => e,
  );
}

async function readAll(dir: string): Promise<ActivityEvent[]> {
  const store = await openFileStore({ dir, mode: 'reader' });
  const out: ActivityEvent[] = [];
  for await (const e of store.events()) out.push(e);
  return out;
}

const segment = (dir: string) => join(dir, 'events', '2026-11-20.jsonl');

describe('corrupt files', () => {
  it('names the file and line of a truncated state.json, and leaves it untouched', async () => {
    const dir = await seeded();
    const path = join(dir, 'state.json');
    const full = readFileSync(path);
    const cut = full.subarray(0, Math.floor(full.length * 0.6));
    writeFileSync(path, cut);
    const error = await openError(dir);
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.exitCode).toBe(6);
    const lines = cut.toString('utf8').split('\n').length;
    expect(error.message).toContain(`${path}:${lines}`);
    expect(error.message).toMatch(/ends early/);
    expect(readFileSync(path)).toEqual(cut);
    // The failed open released the lock: a second try gives the same error, not STORE_LOCKED.
    expect((await openError(dir)).code).toBe('STORE_CORRUPT');
    expect(readdirSync(dir)).not.toContain('store.lock');
  });

  it('names the line of invalid UTF-8 in state.json', async () => {
    const dir = await seeded();
    const path = join(dir, 'state.json');
    const lines = readFileSync(path, 'utf8').split('\n');
    const flagLine = lines.findIndex((l) => l.startsWith('"flags":[') || l.startsWith(',"flags":[')) + 2;
    const bytes = Buffer.from(lines.join('\n'));
    const offset = Buffer.from(lines.slice(0, flagLine - 1).join('\n')).length + 10;
    bytes[offset] = 0xff;
    writeFileSync(path, bytes);
    const error = await openError(dir, 'reader');
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(`${path}:${flagLine}: invalid UTF-8`);
    expect(readFileSync(path)).toEqual(bytes);
  });

  it('names the line and field of a record with the wrong schema', async () => {
    const dir = await seeded();
    const path = join(dir, 'state.json');
    const lines = readFileSync(path, 'utf8').split('\n');
    const first = lines.findIndex((l) => l.startsWith(',"flags":['));
    const target = first + 2; // the second flag, 0-based index
    lines[target] = lines[target]!.replace('"state":"open"', '"state":"bogus"');
    writeFileSync(path, lines.join('\n'));
    const error = await openError(dir);
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(`${path}:${target + 1}: wrong schema at flags[1].state`);
  });

  it('refuses data written by a newer version', async () => {
    const dir = await seeded();
    const path = join(dir, 'state.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('{"version":2,', '{"version":9,'));
    const error = await openError(dir);
    expect(error.code).toBe('STORE_VERSION');
    expect(error.message).toMatch(/newer version/);
    const dir2 = await seeded();
    appendFileSync(
      segment(dir2),
      `${JSON.stringify({ v: 7, type: 'control', at: at(1), action: 'pause' })}\n`,
    );
    await expect(readAll(dir2)).rejects.toMatchObject({ code: 'STORE_VERSION' });
  });

  it('names file and line of a bad line in the middle of a segment; verify reports it; nothing changes', async () => {
    const dir = await seeded();
    const path = segment(dir);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"mention":', '"mentionX":'); // wrong schema
    const bad = Buffer.from(lines.join('\n'));
    writeFileSync(path, bad);
    await expect(readAll(dir)).rejects.toThrow(`${path}:3: wrong schema at mention`);
    const report = await verifyStore(dir);
    expect(report.problems.map((p) => p.message)).toEqual([expect.stringContaining(`${path}:3:`)]);
    // A writer still opens (it only appends) and never rewrites the file.
    const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0 });
    await store.close();
    expect(readFileSync(path)).toEqual(bad);
  });

  it('names the line of invalid UTF-8 in a segment', async () => {
    const dir = await seeded();
    const path = segment(dir);
    const bytes = readFileSync(path);
    const lineStarts = [0];
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) lineStarts.push(i + 1);
    bytes[lineStarts[4]! + 20] = 0xc3; // a lone lead byte inside line 5
    bytes[lineStarts[4]! + 21] = 0x28;
    writeFileSync(path, bytes);
    await expect(readAll(dir)).rejects.toThrow(`${path}:5: invalid UTF-8`);
  });

  it('skips a torn last line with a warning, and cuts it off (kept aside) before the next append', async () => {
    const dir = await seeded();
    const path = segment(dir);
    const whole = readFileSync(path, 'utf8');
    const torn = JSON.stringify({ v: 2, ...mentionEvent(99, at(999)) }).slice(0, 120);
    appendFileSync(path, torn);
    expect(await readAll(dir)).toHaveLength(6);
    const report = await verifyStore(dir);
    expect(report.problems).toEqual([]);
    expect(report.warnings).toEqual([expect.stringContaining(`${path}:7: torn last line`)]);

    const warnings: string[] = [];
    const logger = (await import('pino')).default(
      { level: 'warn' },
      { write: (line: string) => warnings.push(JSON.parse(line).msg) },
    );
    const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0, logger });
    await store.append(mentionEvent(7, at(500)));
    await store.close();
    expect(warnings.some((w) => w.includes('torn last line'))).toBe(true);
    const events = await readAll(dir);
    expect(events).toHaveLength(7);
    expect(readFileSync(path, 'utf8').startsWith(whole)).toBe(true);
    const aside = readdirSync(join(dir, 'events')).find((n) => n.includes('.torn-'))!;
    expect(readFileSync(join(dir, 'events', aside), 'utf8').endsWith(torn)).toBe(true);
    expect((await verifyStore(dir)).problems).toEqual([]);
  });

  it('replays a write-ahead log with a torn last line, and refuses one corrupt in the middle', async () => {
    const { dir, cleanup } = tempDataDir();
    cleanups.push(cleanup);
    const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0 });
    await store.setCursor('a', '1');
    await store.setCursor('b', '2');
    await store.flush();
    // Simulate a crash: no close, so no checkpoint; release the lock by hand, as a dead PID would.
    const wal = readdirSync(dir).find((n) => n.startsWith('wal-'))!;
    appendFileSync(join(dir, wal), '{"v":2,"seq":3,"op":"setCur');
    const reader = await openFileStore({ dir, mode: 'reader' });
    expect(await reader.getCursor('b')).toBe('2');
    await store.close();

    const dir2 = (await seeded()) as string;
    const writer2 = await openFileStore({ dir: dir2, mode: 'writer', inboxPollMs: 0 });
    await writer2.setCursor('x', '1');
    await writer2.setCursor('y', '2');
    await writer2.flush();
    const wal2 = join(dir2, readdirSync(dir2).find((n) => n.startsWith('wal-'))!);
    const lines = readFileSync(wal2, 'utf8').split('\n');
    lines[0] = '{"v":2,"seq":';
    writeFileSync(wal2, lines.join('\n'));
    const error = await openError(dir2, 'reader');
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(`${wal2}:1`);
    await writer2.close().catch(() => {});
  });

  it('the CLI exits 6 and names file and line (store verify, export)', () => {
    return seeded().then((dir) => {
      const path = segment(dir);
      const lines = readFileSync(path, 'utf8').split('\n');
      lines[1] = '{"v":2,"type":"nonsense"}';
      writeFileSync(path, lines.join('\n'));
      const bin = join(import.meta.dirname, '..', 'bin', 'solidarity.mjs');
      const env = { ...process.env, SOLIDARITY_DATA_DIR: dir };
      const verify = spawnSync(process.execPath, [bin, 'store', 'verify'], { env, encoding: 'utf8' });
      expect(verify.status).toBe(6);
      expect(verify.stderr).toContain(`STORE_CORRUPT: 1 problem(s)`);
      expect(verify.stderr).toContain(`${path}:2:`);
      expect(verify.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const exported = spawnSync(process.execPath, [bin, 'export', '--format', 'csv'], {
        env,
        encoding: 'utf8',
      });
      expect(exported.status).toBe(6);
      expect(exported.stderr).toContain(`${path}:2:`);
    });
  });

  it('names the folder and the file-system error when the data folder cannot be used (exit 6)', async () => {
    const dir = await seeded();
    mkdirSync(join(dir, 'store.lock')); // a folder where the lock file should be
    const error = await openError(dir);
    expect(error.code).toBe('STORE_IO');
    expect(error.exitCode).toBe(6);
    expect(error.message).toContain(`Cannot use the data folder ${dir}`);
    expect(error.message).toMatch(/EISDIR/);
  });
});
