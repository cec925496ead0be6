/** Shared helpers for integration tests. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { validateCampaignText } from '../src/campaign/load.ts';
import type { Campaign } from '../src/campaign/schema.ts';
import type { CommandIO } from '../src/cli/command.ts';
import { runCli } from '../src/cli/main.ts';
import { trackChild } from './_children.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'bin', 'solidarity.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How a child process ended: its exit code, or the signal that ended it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessResult extends CliResult, Exit {}

/** Spawns `node ...nodeArgs` (the Node that runs the tests), collecting what it prints. */
function spawnNode(nodeArgs: string[], options: { env?: Record<string, string>; cwd?: string }) {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  /** Resolves once the process has exited and all its output is read. */
  const ended = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  ended.catch(() => {}); // a failed spawn is reported to whoever awaits `ended`, not as unhandled
  return { child, stdout: () => stdout, stderr: () => stderr, ended };
}

/**
 * Runs `node ...nodeArgs` to its end and collects its output; with `timeoutMs` it is sent SIGTERM
 * if it has not ended by then.
 */
export async function runNodeProcess(
  nodeArgs: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  const run = spawnNode(nodeArgs, options);
  const timer = options.timeoutMs
    ? setTimeout(() => run.child.kill('SIGTERM'), options.timeoutMs)
    : undefined;
  run.child.stdin.end(options.input ?? '');
  try {
    const { code, signal } = await run.ended;
    return { code, signal, stdout: run.stdout(), stderr: run.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the real CLI in a child process to its end. */
export function runCliProcess(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return runNodeProcess([CLI, ...args], { ...options, env: { LOG_LEVEL: 'warn', ...options.env } });
}

/** A CLI command running as a child process (a bot, a dashboard) until it is stopped. */
export interface CliProcess {
  readonly pid: number;
  /** What the process has printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once it contains `text` (or `ready(stdout)` holds); rejects if the process ends first. */
  waitFor(ready: string | ((stdout: string) => boolean)): Promise<string>;
  /** Sends `signal` (unless the process has ended) and resolves with how it ended. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Starts the real CLI as a long-running child process; stop it in a `finally` or a cleanup. */
export function startCliProcess(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliProcess {
  const { child, stdout, stderr, ended } = spawnNode([CLI, ...args], {
    cwd: options.cwd,
    env: { LOG_LEVEL: 'warn', ...options.env },
  });
  return {
    pid: child.pid!,
    stdout,
    stderr,
    waitFor(ready) {
      const met = typeof ready === 'string' ? (out: string) => out.includes(ready) : ready;
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!met(stdout())) return;
          child.stdout.off('data', check);
          resolve(stdout());
        };
        child.stdout.on('data', check);
        const endedFirst = () => {
          check();
          reject(new Error(`solidarity ${args.join(' ')} ended first: ${stdout()}${stderr()}`));
        };
        ended.then(endedFirst, endedFirst);
        check();
      });
    },
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return ended;
    },
  };
}

/** A temp folder removed after the test (call the returned cleanup in afterEach/finally). */
export function tempDir(prefix = 'solidarity-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A campaign from YAML text; throws listing the problems when it is invalid. */
export function campaignFromYaml(yaml: string, file = 'test.yaml'): Campaign {
  const result = validateCampaignText(file, yaml);
  if (!result.campaign)
    throw new Error(result.problems.map((p) => `${p.line}: ${p.field}: ${p.message}`).join('\n'));
  return result.campaign;
}

/** A CommandIO whose output is captured, for running commands in-process. */
export function captureIo(
  env: NodeJS.ProcessEnv = {},
  input = '',
): { io: CommandIO; stdout: () => string; stderr: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  return {
    io: { stdout, stderr, stdin: Readable.from([input]), env, debug: false },
    stdout: () => out,
    stderr: () => err,
  };
}

/** Runs one command line in this process (faster than a child; same exit codes and output). */
export async function runCliInProcess(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  input = '',
): Promise<CliResult> {
  const captured = captureIo(env, input);
  const code = await runCli(argv, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
