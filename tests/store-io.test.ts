/**
 * Every command on a read-only data folder and on a full disk: a clear STORE_IO (exit 6) naming the
 * path with a hint, or the command works when it only reads; never a stack trace, never a temp or
 * lock file left, and the folder verifies afterwards. The read-only mount and the small tmpfs live
 * in a private mount namespace (`unshare -rm`), so nothing is mounted on the machine itself.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileStore } from '../src/store/file-store.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { CLI, ROOT, runCliProcess } from './_util.ts';
import { flag } from './store-fixtures.ts';

const { dataDir } = cleanupAfterEach();

const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;

/** Runs the CLI with `data` mounted read-only, or copied into a full 1 MB tmpfs, in its own namespace. */
function runIn(kind: 'read-only' | 'full', data: string, args: string[]) {
  const script =
    kind === 'read-only'
      ? 'mount --bind "$D" "$D" && mount -o remount,bind,ro "$D" && exec "$@"'
      : 'mkdir -p "$D.full" && mount -t tmpfs -o size=1m tmpfs "$D.full" && cp -r "$D"/. "$D.full"/ && ' +
        '{ dd if=/dev/zero of="$D.full/filler" bs=4k 2>/dev/null; true; } && SOLIDARITY_DATA_DIR="$D.full" "$@"; rc=$?; ' +
        'rm -f "$D.full/filler"; ls -A "$D.full" >&3; SOLIDARITY_DATA_DIR="$D.full" "$1" "$2" store verify >&4 2>&1; exit $rc';
  const run = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', process.execPath, CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, D: data, SOLIDARITY_DATA_DIR: data, SOLIDARITY_MODE: 'local', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = run.output as Array<string | null>;
  return {
    code: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    /** Full disk only: the files left in the folder, and `store verify` run on it afterwards. */
    left: (output[3] ?? '').split('\n').filter(Boolean),
    verify: output[4] ?? '',
  };
}

async function sampleData(): Promise<string> {
  const data = join(dataDir(), 'data');
  const store = await openFileStore({ dir: data, mode: 'writer', role: 'cli' });
  const now = new Date().toISOString();
  await store.addFlag(flag(1, now, { campaign: 'westandtogether' }));
  await store.close();
  expect(
    (
      await runCliProcess(['moderator', 'add', 'ada', '--role', 'admin'], {
        env: { SOLIDARITY_DATA_DIR: data },
      })
    ).code,
  ).toBe(0);
  return data;
}

const READERS: string[][] = [['status', '--no-check'], ['review', 'list'], ['export'], ['store', 'verify']];
const WRITERS: string[][] = [
  ['moderator', 'add', 'grace', '--role', 'moderator'],
  ['pause', 'westandtogether'],
  ['stop-all'],
  ['review', 'ack', 'bluesky:at://did:plc:user1/app.bsky.feed.post/1'],
  ['start'],
];

describe.skipIf(!canUnshare)('a data folder that cannot be written', () => {
  it('read-only: reading commands work, writing ones stop with STORE_IO naming the folder', async () => {
    const data = await sampleData();
    for (const args of READERS) {
      const run = runIn('read-only', data, args);
      expect([0, 1], `${args.join(' ')}: ${run.stderr}`).toContain(run.code);
      expect(run.stderr, args.join(' ')).not.toMatch(/UNEXPECTED|EROFS|\n\s+at /);
    }
    for (const args of WRITERS) {
      const run = runIn('read-only', data, args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(6);
      expect(run.stderr).toMatch(new RegExp(`^STORE_IO: .*${data.replaceAll('/', '\\/')}.*EROFS`, 'm'));
      expect(run.stderr).toMatch(/^Hint: /m);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await runCliProcess(['store', 'verify'], { env: { SOLIDARITY_DATA_DIR: data } })).code).toBe(0);
  });

  it('full disk: writing commands stop with STORE_IO, leave no temp or lock file, and the folder verifies', async () => {
    const data = await sampleData();
    const before = readdirSync(data).sort();
    for (const args of WRITERS) {
      const run = runIn('full', data, args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(6);
      expect(run.stderr).toMatch(/^STORE_IO: .*(ENOSPC|disk is full)/m);
      expect(run.stderr).not.toMatch(/UNEXPECTED|\n\s+at /);
      expect(run.left.sort(), args.join(' ')).toEqual(before);
      expect(run.verify, args.join(' ')).toMatch(/^Data folder: /m);
      expect(run.verify).not.toMatch(/STORE_CORRUPT|problem/i);
    }
    for (const args of READERS) {
      const run = runIn('full', data, args);
      expect([0, 1], `${args.join(' ')}: ${run.stderr}`).toContain(run.code);
      expect(run.stderr).not.toMatch(/UNEXPECTED|ENOSPC|\n\s+at /);
    }
  });
});
