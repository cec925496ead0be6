import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/file-store.ts';
import { tempDataDir } from './store-fixtures.ts';

const CHILD = join(import.meta.dirname, 'store-child.ts');
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dataDir(): string {
  const { dir, cleanup } = tempDataDir();
  cleanups.push(cleanup);
  return dir;
}

function startChild(args: string[]): {
  child: ChildProcess;
  lines: string[];
  waitFor: (re: RegExp) => Promise<string>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
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
    const error = await openStore({ dir, mode: 'writer' }).catch((e) => e);
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.exitCode).toBe(6);
    expect(error.message).toContain(`PID ${pid}`);
    expect(JSON.parse(readFileSync(join(dir, 'store.lock'), 'utf8')).pid).toBe(pid);
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = dataDir();
    const pid = deadPid();
    writeFileSync(
      join(dir, 'store.lock'),
      JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', role: 'bot' }),
    );
    const store = await openStore({ dir, mode: 'writer', inboxPollMs: 0 });
    expect(JSON.parse(readFileSync(join(dir, 'store.lock'), 'utf8')).pid).toBe(process.pid);
    await store.close();
    expect(existsSync(join(dir, 'store.lock'))).toBe(false);
  });

  it('treats a lock whose PID now belongs to another program as stale', async () => {
    const dir = dataDir();
    // Our own PID, but a different process start time: the PID was reused.
    writeFileSync(
      join(dir, 'store.lock'),
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        startTime: '1',
        startedAt: '2026-01-01T00:00:00.000Z',
        role: 'bot',
      }),
    );
    const store = await openStore({ dir, mode: 'writer', inboxPollMs: 0 });
    await store.close();
  });

  it('lets exactly one of several processes take over a stale lock', async () => {
    const dir = dataDir();
    writeFileSync(
      join(dir, 'store.lock'),
      JSON.stringify({
        pid: deadPid(),
        host: hostname(),
        startedAt: '2026-01-01T00:00:00.000Z',
        role: 'bot',
      }),
    );
    const racers = Array.from({ length: 4 }, () => startChild(['hold', dir, '3000']));
    const outcomes = await Promise.all(racers.map((r) => r.waitFor(/^(ready|error)/)));
    expect(outcomes.filter((o) => o.startsWith('ready'))).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'error STORE_LOCKED')).toHaveLength(3);
  });

  it('readers open without the lock while a writer holds it', async () => {
    const dir = dataDir();
    const holder = startChild(['hold', dir, '20000']);
    await holder.waitFor(/^ready/);
    const reader = await openStore({ dir, mode: 'reader' });
    expect(reader.mode).toBe('reader');
    const auto = await openStore({ dir, mode: 'auto' });
    expect(auto.mode).toBe('client');
  });
});
