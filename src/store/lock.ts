/**
 * One writer per data folder: data/store.lock names the PID holding it. A lock whose process is
 * gone (or whose PID now belongs to another program) is stale and is taken over safely.
 */
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { SolidarityError } from '../errors.ts';

export const LOCK_FILE = 'store.lock';

const lockSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  /** Kernel start time of the process (Linux), to tell a reused PID from the holder. */
  startTime: z.string().optional(),
  startedAt: z.string(),
  /** "bot" for the long-running service, "cli" for a short command that applies a change. */
  role: z.string(),
});
export type LockInfo = z.infer<typeof lockSchema>;

/** The kernel's start time for a process, or undefined off Linux. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the parenthesised command name (which may hold spaces).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process named in a lock is still the one that wrote it. */
export function holderAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // Cannot check another machine: assume it is alive.
  if (!pidAlive(info.pid)) return false;
  if (info.startTime) {
    const now = processStartTime(info.pid);
    if (now !== undefined && now !== info.startTime) return false; // PID reused by another program.
  }
  return true;
}

/** Reads the lock file; undefined when there is none. An unreadable lock counts as stale. */
export async function readLock(dir: string): Promise<LockInfo | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, LOCK_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return lockSchema.parse(JSON.parse(text));
  } catch {
    return 'unreadable';
  }
}

/** The live process holding the lock, if any. */
export async function liveHolder(dir: string): Promise<LockInfo | undefined> {
  const info = await readLock(dir);
  if (info === undefined || info === 'unreadable') return undefined;
  return holderAlive(info) ? info : undefined;
}

export interface Lock {
  info: LockInfo;
  release(): Promise<void>;
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${JSON.stringify(info)}\n`);
    await handle.sync();
  } catch (error) {
    // A full disk: leave no empty lock file behind.
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw error;
  }
  await handle.close();
  return true;
}

/**
 * Takes the lock or throws STORE_LOCKED naming the holder's PID. A stale lock is replaced under
 * a takeover mutex (a directory, created atomically), so two processes cannot both take it.
 */
export async function acquireLock(
  dir: string,
  options: { role: 'bot' | 'cli'; now: () => Date; waitMs?: number },
): Promise<Lock> {
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    startedAt: options.now().toISOString(),
    role: options.role,
  };
  const startTime = processStartTime(process.pid);
  if (startTime) info.startTime = startTime;
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    if (await tryCreate(path, info)) break;
    const current = await readLock(dir);
    if (current === undefined) continue; // Released between our two calls: try again.
    if (current !== 'unreadable' && holderAlive(current)) {
      // A short CLI change holds it only for a moment: wait for it when asked to.
      if (current.role === 'cli' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      throw new SolidarityError(
        'STORE_LOCKED',
        `The data folder ${dir} is in use by another process (PID ${current.pid}, ${current.role}, since ${current.startedAt}).`,
        {
          hint: `Only one bot can run on a data folder. Stop PID ${current.pid} first, or set SOLIDARITY_DATA_DIR to another folder. If no such process exists, delete ${path}.`,
        },
      );
    }
    if (current === 'unreadable') {
      // A lock being written this very moment is empty for a few microseconds: only an old one is stale.
      const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
      if (age < 2_000) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
    }
    await takeOverStale(dir, path, current);
  }
  return {
    info,
    async release() {
      const current = await readLock(dir);
      if (current !== undefined && current !== 'unreadable' && current.pid === info.pid) await unlink(path);
    },
  };
}

async function takeOverStale(dir: string, path: string, seen: LockInfo | 'unreadable'): Promise<void> {
  const mutex = join(dir, `${LOCK_FILE}.takeover`);
  try {
    await mkdir(mutex);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Someone else is taking over. A mutex left by a crashed process is cleared after 10 s.
    const age = Date.now() - (await stat(mutex).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > 10_000) await rmdir(mutex).catch(() => {});
    await new Promise((r) => setTimeout(r, 20));
    return;
  }
  try {
    // Still the same stale lock? Then it is ours to remove.
    const again = await readLock(dir);
    const same =
      again === 'unreadable'
        ? seen === 'unreadable'
        : again !== undefined &&
          seen !== 'unreadable' &&
          again.pid === seen.pid &&
          again.startedAt === seen.startedAt;
    if (same) await unlink(path).catch(() => {});
  } finally {
    await rmdir(mutex).catch(() => {});
  }
}
