/**
 * The deployment kit: what can be checked here without Docker or systemd. The Dockerfile is parsed
 * (hadolint is not packaged in Debian) and held to the rules of docs/going-live.md; compose.yaml
 * is parsed; the systemd unit's ExecStart line runs as a child process, in the unit's way (its
 * working directory, SIGTERM to stop), and is the line the docs give.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cleanupAfterEach } from './_cleanups.ts';
import { ROOT } from './_util.ts';

const { cleanups, dataDir } = cleanupAfterEach();

const INSTRUCTIONS = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);

/** Dockerfile instructions with their arguments, continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Array<{ line: number; instruction: string; args: string }> {
  const out: Array<{ line: number; instruction: string; args: string }> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile:${start + 1}: not an instruction: ${line}`);
    const instruction = match[1]!.toUpperCase();
    if (!INSTRUCTIONS.has(instruction))
      throw new Error(`Dockerfile:${start + 1}: unknown instruction ${instruction}`);
    const args = match[2]!;
    if (args.startsWith('[')) JSON.parse(args); // exec form must be a JSON array
    out.push({ line: start + 1, instruction, args });
  }
  return out;
}

function unitValue(unit: string, key: string): string {
  const match = new RegExp(`^${key}=(.*)$`, 'm').exec(unit);
  if (!match) throw new Error(`deploy/solidarity-bot.service has no ${key}=`);
  return match[1]!;
}

describe('deployment kit', () => {
  it('Dockerfile: Node 24 slim, production dependencies only, non-root, volumes, health check on /healthz', () => {
    const steps = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    const all = (name: string) => steps.filter((s) => s.instruction === name);
    expect(all('FROM').map((s) => s.args)).toEqual(['node:24-slim']);
    const install = all('RUN').find((s) => s.args.includes('npm ci'));
    expect(install?.args).toMatch(/--omit=dev/);
    const user = all('USER').at(-1);
    expect(user?.args).toBe('node');
    // Nothing after USER runs as root again, and the image's last user is not root.
    expect(steps.indexOf(user!)).toBeGreaterThan(steps.indexOf(install!));
    expect(JSON.parse(all('VOLUME')[0]!.args)).toEqual(['/app/data', '/app/campaigns']);
    expect(all('HEALTHCHECK')[0]?.args).toMatch(/127\.0\.0\.1:3000\/healthz/);
    expect(
      all('ENV')
        .map((s) => s.args)
        .join(' '),
    ).toMatch(/SOLIDARITY_DATA_DIR=\/app\/data/);
    // Every file the image copies exists, and the entry point is the CLI.
    for (const copy of all('COPY')) {
      for (const source of copy.args.split(/\s+/).slice(0, -1))
        expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
    expect(JSON.parse(all('ENTRYPOINT')[0]!.args)).toEqual(['node', 'bin/solidarity.mjs']);
    expect(JSON.parse(all('CMD')[0]!.args)).toEqual(['start', '--log-file', 'none']);
  });

  it('compose.yaml: publishes the dashboard on 127.0.0.1 only, with data and campaigns as volumes', () => {
    const compose = parseYaml(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as {
      services: Record<string, { build: string; ports: string[]; volumes: string[] }>;
    };
    const bot = compose.services.bot!;
    expect(bot.build).toBe('.');
    expect(bot.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(bot.volumes).toEqual(['./data:/app/data', './campaigns:/app/campaigns:ro']);
  });

  it('systemd: the documented ExecStart line runs the bot, which logs to the journal and stops on SIGTERM', async () => {
    const unit = readFileSync(join(ROOT, 'deploy/solidarity-bot.service'), 'utf8');
    const workDir = unitValue(unit, 'WorkingDirectory');
    const execStart = unitValue(unit, 'ExecStart');
    expect(unitValue(unit, 'KillSignal')).toBe('SIGTERM');
    // docs/going-live.md shows the same line.
    expect(readFileSync(join(ROOT, 'docs/going-live.md'), 'utf8')).toContain(`ExecStart=${execStart}`);

    // The unit's paths point at the install folder; here the clone stands in for it.
    const [program, ...args] = execStart.replaceAll(workDir, ROOT).split(' ');
    const data = dataDir();
    const child = spawn(program!, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        SOLIDARITY_DATA_DIR: data,
        SOLIDARITY_MODE: 'local',
        DASHBOARD_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('Press Ctrl-C')) resolve();
      });
      child.on('close', () => reject(new Error(`ended first: ${stdout}${stderr}`)));
    });
    const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await ended).toBe(0);
    expect(stdout).toMatch(/Stopped\./);
    // --log-file none: the log is JSON lines on stderr (the journal keeps them), no files in data/logs.
    expect(stderr).toMatch(/"msg":"bot started"/);
    expect(existsSync(join(data, 'logs'))).toBe(false);
  });
});
