import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'appPassword',
  '*.appPassword',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'accessSecret',
  '*.accessSecret',
  'refreshJwt',
  '*.refreshJwt',
  'accessJwt',
  '*.accessJwt',
  'apiSecret',
  '*.apiSecret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  'cookie',
  '*.cookie',
];

export interface LoggerOptions {
  level?: string;
  /** Folder for JSON-lines log files (one per day); none when omitted. */
  dir?: string | undefined;
  /** Pretty, human lines on stdout (default: when stdout is a TTY). */
  pretty?: boolean;
  /** Write to stdout at all (CLI commands that print JSON keep stdout clean). */
  console?: boolean;
  /** Where console lines go; default stderr so command output on stdout stays parseable. */
  consoleFd?: 1 | 2;
}

/** The root logger: JSON lines to data/logs/YYYY-MM-DD.log and a readable stream on the terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  // Silenced: no transport threads and no empty log files.
  if (level === 'silent') return pino({ level: 'silent' });
  const fd = options.consoleFd ?? 2;
  const targets: pino.TransportTargetOptions[] = [];
  if (options.console !== false) {
    const pretty = options.pretty ?? Boolean(fd === 1 ? process.stdout.isTTY : process.stderr.isTTY);
    targets.push(
      pretty
        ? {
            target: 'pino-pretty',
            level,
            options: {
              destination: fd,
              colorize: true,
              translateTime: 'SYS:HH:MM:ss',
              ignore: 'pid,hostname',
            },
          }
        : { target: 'pino/file', level, options: { destination: fd } },
    );
  }
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    const day = new Date().toISOString().slice(0, 10);
    targets.push({ target: 'pino/file', level, options: { destination: join(options.dir, `${day}.log`) } });
  }
  if (targets.length === 0) return pino({ level: 'silent' });
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } },
    pino.transport({ targets }),
  );
}

/** A logger that writes nowhere, for tests and pure code paths. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
