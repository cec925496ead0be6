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

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'bin', 'solidarity.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ProcessResult extends CliResult {
  /** The signal that ended the process, when one did. */
  signal: NodeJS.Signals | null;
}

/**
 * Runs `node ...nodeArgs` (the Node that runs the tests) to its end and collects its output; with
 * `timeoutMs` it is sent SIGTERM if it has not ended by then.
 */
export function runNodeProcess(
  nodeArgs: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), options.timeoutMs) : undefined;
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
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
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the real CLI as a long-running child process; stop it in a `finally` or a cleanup. */
export function startCliProcess(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor(ready) {
      const met = typeof ready === 'string' ? (out: string) => out.includes(ready) : ready;
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!met(stdout)) return;
          child.stdout.off('data', check);
          resolve(stdout);
        };
        child.stdout.on('data', check);
        void ended.then(({ code, signal }) => {
          check();
          reject(new Error(`solidarity ${args.join(' ')} ended (${code ?? signal}): ${stdout}${stderr}`));
        });
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
