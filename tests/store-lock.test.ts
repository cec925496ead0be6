import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileStore } from '../src/store/file-store.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { runCliProcess, startCliProcess } from './_util.ts';

const CHILD = join(import.meta.dirname, 'store-child.ts');
const { cleanups, dataDir } = cleanupAfterEach();

function startChild(args: string[]): {
  child: ChildProcess;
  lines: string[];
  waitFor: (re: RegExp) => Promise<string>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killAfterTest(child);
  const lines: string[] = [];
  let buffer = '';
  const listeners: Array<() => void> = [];
  child.stdout!.on('data', (chunk) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
    for (const l of listeners) l();
  });
  const waitFor = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = lines.find((l) => re.test(l));
        if (hit) resolve(hit);
      };
      listeners.push(check);
      child.on('exit', () => {
        check();
        reject(new Error(`child exited before printing ${re}: ${lines.join(' | ')}`));
      });
      check();
    });
  return { child, lines, waitFor };
}

/** Kills `child` after the test if it is still running. */
function killAfterTest(child: ChildProcess): void {
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
}

/** Writes the lock file a bot on this host with `pid` would have written. */
function writeLock(dir: string, lock: { pid: number; startedAt: string; startTime?: string }): void {
  writeFileSync(join(dir, 'store.lock'), JSON.stringify({ ...lock, host: hostname(), role: 'bot' }));
}

/** A live process that holds the lock on `dir` but never reads the inbox (a hung or dying bot). */
function hungBotHolding(dir: string): ChildProcess {
  const fake = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  killAfterTest(fake);
  writeLock(dir, { pid: fake.pid!, startedAt: new Date().toISOString() });
  return fake;
}

function deadPid(): number {
  const done = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(done.stdout.toString());
}

describe('store lock', () => {
  it('refuses a second writer and names the PID holding the lock', async () => {
    const dir = dataDir();
    const holder = startChild(['hold', dir, '20000']);
    const ready = await holder.waitFor(/^ready/);
    const pid = Number(ready.split(' ')[1]);
    const error = await openFileStore({ dir, mode: 'writer' }).catch((e) => e);
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.exitCode).toBe(6);
    expect(error.message).toContain(`PID ${pid}`);
    expect(JSON.parse(readFileSync(join(dir, 'store.lock'), 'utf8')).pid).toBe(pid);
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = dataDir();
    const pid = deadPid();
    writeLock(dir, { pid, startedAt: '2026-01-01T00:00:00.000Z' });
    const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0 });
    expect(JSON.parse(readFileSync(join(dir, 'store.lock'), 'utf8')).pid).toBe(process.pid);
    await store.close();
    expect(existsSync(join(dir, 'store.lock'))).toBe(false);
  });

  it('treats a lock whose PID now belongs to another program as stale', async () => {
    const dir = dataDir();
    // Our own PID, but a different process start time: the PID was reused.
    writeLock(dir, { pid: process.pid, startTime: '1', startedAt: '2026-01-01T00:00:00.000Z' });
    const store = await openFileStore({ dir, mode: 'writer', inboxPollMs: 0 });
    await store.close();
  });

  it('lets exactly one of several processes take over a stale lock', async () => {
    const dir = dataDir();
    writeLock(dir, { pid: deadPid(), startedAt: '2026-01-01T00:00:00.000Z' });
    const racers = Array.from({ length: 4 }, () => startChild(['hold', dir, '3000']));
    const outcomes = await Promise.all(racers.map((r) => r.waitFor(/^(ready|error)/)));
    expect(outcomes.filter((o) => o.startsWith('ready'))).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'error STORE_LOCKED')).toHaveLength(3);
  });

  it('readers open without the lock while a writer holds it', async () => {
    const dir = dataDir();
    const holder = startChild(['hold', dir, '20000']);
    await holder.waitFor(/^ready/);
    const reader = await openFileStore({ dir, mode: 'reader' });
    expect(reader.mode).toBe('reader');
    const auto = await openFileStore({ dir, mode: 'auto' });
    expect(auto.mode).toBe('client');
  });
});

describe('two bots on one data folder', () => {
  it('the second "solidarity start" exits 6 naming the PID of the first', async () => {
    const dir = dataDir();
    const env = { SOLIDARITY_DATA_DIR: dir, SOLIDARITY_MODE: 'local' };
    const first = startCliProcess(['start'], { env });
    cleanups.push(() => first.stop('SIGKILL'));
    await first.waitFor('Press Ctrl-C');
    const second = await runCliProcess(['start'], { env, timeoutMs: 20_000 });
    expect(second.code).toBe(6);
    expect(second.stderr).toContain(
      `STORE_LOCKED: The data folder ${dir} is in use by another process (PID ${first.pid}`,
    );
    expect((await first.stop('SIGTERM')).code).toBe(0);
    expect(existsSync(join(dir, 'store.lock'))).toBe(false);
  });
});

describe('inbox when the bot goes away', () => {
  it('a change waiting for a bot that died is applied by the command itself', async () => {
    const dir = dataDir();
    await (await openFileStore({ dir, mode: 'writer', inboxPollMs: 0 })).close();
    const fake = hungBotHolding(dir);
    const cli = await openFileStore({ dir, mode: 'auto', applyTimeoutMs: 20_000 });
    expect(cli.mode).toBe('client');
    const change = cli.setState('pause:demo', { paused: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(readdirSync(join(dir, 'inbox')).filter((n) => n.endsWith('.json'))).toHaveLength(1);
    fake.kill('SIGKILL');
    await change;
    expect(await cli.getState('pause:demo')).toEqual({ paused: true });
    expect(readdirSync(join(dir, 'inbox'))).toEqual([]);
    expect(existsSync(join(dir, 'store.lock'))).toBe(false);
  });

  it('a change the bot does not apply in time says where it waits', async () => {
    const dir = dataDir();
    hungBotHolding(dir);
    const cli = await openFileStore({ dir, mode: 'auto', applyTimeoutMs: 300 });
    const error = await cli.setState('k', 1).catch((e) => e);
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toMatch(/did not apply the change within .* it waits in .*inbox/);
  });
});
