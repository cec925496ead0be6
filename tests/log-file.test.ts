import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, DailyLogFile } from '../src/logger.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { ROOT } from './_util.ts';

const { dataDir } = cleanupAfterEach();

describe('log file', () => {
  it('holds every line but at most the last when the process is killed with SIGKILL while logging', async () => {
    const dir = join(dataDir(), 'logs');
    const child = spawn(process.execPath, [join(ROOT, 'tests/_log-child.ts'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let reported = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const counts = chunk.toString().trim().split('\n').map(Number);
        reported = Math.max(reported, ...counts);
        if (reported >= 2000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.on('close', resolve));
    const [file] = readdirSync(dir);
    const lines = readFileSync(join(dir, file!), 'utf8').split('\n');
    const last = lines.pop(); // '' after a complete last line, or the torn line
    const numbers = lines.map((line) => (JSON.parse(line) as { i: number }).i);
    // Every line reported before the kill is there, in order, none torn but the last.
    expect(numbers.length).toBeGreaterThanOrEqual(reported);
    expect(numbers).toEqual(numbers.map((_, i) => i));
    if (last) expect(() => JSON.parse(last)).toThrow();
  });

  it('starts a new file each day and deletes files older than the retention', () => {
    const dir = join(dataDir(), 'logs');
    mkdirSync(dir, { recursive: true });
    for (const day of ['2026-01-01', '2026-01-03', '2026-01-09'])
      writeFileSync(join(dir, `${day}.log`), '{}\n');
    writeFileSync(join(dir, 'notes.txt'), 'kept: not a daily log');
    let now = new Date('2026-01-10T23:59:00Z');
    const logger = createLogger({ dir, console: false, retentionDays: 7, now: () => now });
    logger.info('before midnight');
    expect(readdirSync(dir).sort()).toEqual([
      '2026-01-03.log',
      '2026-01-09.log',
      '2026-01-10.log',
      'notes.txt',
    ]);
    now = new Date('2026-01-11T00:00:01Z');
    logger.info('after midnight');
    expect(readdirSync(dir).sort()).toEqual([
      '2026-01-09.log',
      '2026-01-10.log',
      '2026-01-11.log',
      'notes.txt',
    ]);
    expect(readFileSync(join(dir, '2026-01-10.log'), 'utf8')).toContain('before midnight');
    expect(readFileSync(join(dir, '2026-01-11.log'), 'utf8')).toContain('after midnight');
  });

  it('a folder it cannot write is reported once and never throws', () => {
    const dir = join(dataDir(), 'logs');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o500);
    const messages: string[] = [];
    try {
      const file = new DailyLogFile(
        dir,
        14,
        () => new Date(),
        (m) => messages.push(m),
      );
      file.write('{"msg":"one"}\n');
      file.write('{"msg":"two"}\n');
      // root ignores permissions: then the lines are simply written.
      if (process.getuid?.() === 0) expect(messages).toEqual([]);
      else expect(messages).toEqual([expect.stringMatching(/EACCES.*terminal only/)]);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('off a terminal, warnings and errors are JSON lines without stack traces unless --debug', () => {
    const script = (debug: boolean) =>
      `import { createLogger } from './src/logger.ts';
       const log = createLogger({ level: 'info', consoleLevel: 'warn', pretty: false, debug: ${debug} });
       log.info('detail for the file only');
       log.error({ err: new Error('connect refused'), code: 'PLATFORM_ERROR' }, 'search failed');`;
    for (const debug of [false, true]) {
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script(debug)], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      const record = JSON.parse(lines[0]!);
      expect(record).toMatchObject({
        msg: 'search failed',
        code: 'PLATFORM_ERROR',
        err: { message: 'connect refused' },
      });
      expect('stack' in record.err).toBe(debug);
    }
  });
});
