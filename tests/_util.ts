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

/** Runs the real CLI in a child process (the Node that runs the tests). */
export function runCliProcess(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
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
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
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
