/**
 * The root logger. Everything goes as JSON lines to a daily file in data/logs (detail for later);
 * the terminal gets only warnings and errors (or everything with --verbose, or with no log file),
 * as one plain line each on a TTY and as JSON lines without stack traces otherwise.
 *
 * Writes are synchronous and in this thread (no worker, no buffer): a line is in the file when
 * the call returns, so a crash or SIGKILL loses at most the line being written, and nothing needs
 * flushing on exit. A log file that cannot be written (read-only folder, full disk) never stops
 * the bot: the terminal says so once and logging goes on there.
 */
import { closeSync, mkdirSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
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

/** Days a daily log file is kept when nothing else is said. */
export const DEFAULT_LOG_RETENTION_DAYS = 14;

const DAY_MS = 86_400_000;
const LOG_FILE = /^(\d{4}-\d{2}-\d{2})\.log$/;

export interface LoggerOptions {
  /** Level of the log file (and of the terminal when there is no file). */
  level?: string;
  /** Folder for the daily JSON-lines files (YYYY-MM-DD.log); no file when omitted. */
  dir?: string | undefined;
  /** Daily files older than this many days are deleted (default 14). */
  retentionDays?: number;
  /** Write log lines to the terminal at all (default true). */
  console?: boolean;
  /** Level on the terminal: default "warn" with a file, the file's level without one. */
  consoleLevel?: string;
  /** Where terminal lines go; default stderr so command output on stdout stays parseable. */
  consoleFd?: 1 | 2;
  /** Plain one-line records (default: when the terminal is a TTY); else JSON lines. */
  pretty?: boolean;
  /** Keep stack traces on the terminal (--debug). The file always keeps them. */
  debug?: boolean;
  /** The date that names the file; tests move it to cross midnight. */
  now?: () => Date;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Writes one line with writeSync, retrying the part a short write left. */
function writeAll(fd: number, line: string): void {
  let buffer = Buffer.from(line);
  while (buffer.length > 0) {
    const written = writeSync(fd, buffer);
    buffer = buffer.subarray(written);
  }
}

/**
 * A JSON-lines file per day (UTC), opened for appending; files past the retention are deleted at
 * start and at each change of day. Errors are reported once through `onError` and the line is dropped.
 */
export class DailyLogFile {
  readonly dir: string;
  private readonly retentionDays: number;
  private readonly now: () => Date;
  private readonly onError: (message: string) => void;
  private day = '';
  private fd: number | undefined;
  private failed = false;

  constructor(dir: string, retentionDays: number, now: () => Date, onError: (message: string) => void) {
    this.dir = dir;
    this.retentionDays = retentionDays;
    this.now = now;
    this.onError = onError;
  }

  /** The file lines are written to today. */
  get path(): string {
    return join(this.dir, `${this.day || this.now().toISOString().slice(0, 10)}.log`);
  }

  write(line: string): void {
    if (this.failed) return;
    try {
      const day = this.now().toISOString().slice(0, 10);
      if (day !== this.day || this.fd === undefined) this.open(day);
      writeAll(this.fd as number, line);
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException);
    }
  }

  private open(day: string): void {
    this.close();
    this.day = day;
    mkdirSync(this.dir, { recursive: true });
    this.fd = openSync(this.path, 'a');
    this.prune();
  }

  /** Deletes the daily files of days more than `retentionDays` before today; returns their names. */
  prune(): string[] {
    const oldestKept = new Date(this.now().getTime() - this.retentionDays * DAY_MS)
      .toISOString()
      .slice(0, 10);
    const deleted: string[] = [];
    for (const name of readdirSync(this.dir)) {
      const day = LOG_FILE.exec(name)?.[1];
      if (!day || day >= oldestKept) continue;
      unlinkSync(join(this.dir, name));
      deleted.push(name);
    }
    return deleted;
  }

  private fail(error: NodeJS.ErrnoException): void {
    this.failed = true;
    this.close();
    const why = error.code ? `${error.code}: ${error.message}` : String(error);
    this.onError(
      `The log file in ${this.dir} cannot be written (${why}); logging goes on to the terminal only. ` +
        'Free space or fix the folder permissions, then restart to log to the file again.',
    );
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed or the disk is gone: nothing more to lose.
    }
    this.fd = undefined;
  }
}

/** A record as one readable line: time, level (when not info), where from, message, code, error. */
export function plainLine(record: Record<string, unknown>, debug = false): string {
  const time = new Date(Number(record.time ?? Date.now())).toTimeString().slice(0, 8);
  const level = LEVEL_NAMES[Number(record.level)] ?? 'INFO';
  const err = record.err as { message?: string; stack?: string } | undefined;
  const parts = [
    time,
    level === 'INFO' ? '' : level,
    record.name ? `${record.name}:` : '',
    String(record.msg ?? ''),
  ];
  if (record.code) parts.push(`(${record.code})`);
  if (err?.message && !String(record.msg ?? '').includes(err.message)) parts.push(`- ${err.message}`);
  const line = parts.filter(Boolean).join(' ');
  return debug && err?.stack ? `${line}\n${err.stack}` : line;
}

/** The terminal side: plain lines on a TTY, JSON lines (stack traces removed unless debug) otherwise. */
function terminalStream(fd: 1 | 2, pretty: boolean, debug: boolean): pino.DestinationStream {
  return {
    write(line: string) {
      let out = line;
      if (pretty || !debug) {
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          if (pretty) out = `${plainLine(record, debug)}\n`;
          else if (record.err && typeof record.err === 'object' && 'stack' in record.err) {
            const { stack: _stack, ...err } = record.err as Record<string, unknown>;
            out = `${JSON.stringify({ ...record, err })}\n`;
          }
        } catch {
          // Not JSON: write it as it came.
        }
      }
      try {
        writeAll(fd, out);
      } catch (error) {
        // A closed pipe (| head) or a gone terminal: nobody reads any more; drop it.
        if (
          (error as NodeJS.ErrnoException).code !== 'EPIPE' &&
          (error as NodeJS.ErrnoException).code !== 'EAGAIN'
        )
          throw error;
      }
    },
  };
}

const levelValue = (level: string) => pino.levels.values[level] ?? Number.POSITIVE_INFINITY;

/** The root logger: a daily JSON-lines file and the terminal, each at its own level. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (level === 'silent') return pino({ level: 'silent' });
  const fd = options.consoleFd ?? 2;
  const pretty = options.pretty ?? Boolean(fd === 1 ? process.stdout.isTTY : process.stderr.isTTY);
  const consoleLevel = options.consoleLevel ?? (options.dir ? 'warn' : level);
  const terminal = terminalStream(fd, pretty, options.debug ?? false);
  const streams: pino.StreamEntry[] = [];
  if (options.console !== false) streams.push({ level: consoleLevel as pino.Level, stream: terminal });
  if (options.dir) {
    const file = new DailyLogFile(
      options.dir,
      options.retentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
      options.now ?? (() => new Date()),
      (message) => terminal.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: message })}\n`),
    );
    streams.push({ level: level as pino.Level, stream: file });
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  const lowest = streams.reduce((a, b) =>
    levelValue(a.level as string) <= levelValue(b.level as string) ? a : b,
  );
  return pino(
    {
      level: lowest.level as string,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    pino.multistream(streams, { dedupe: false }),
  );
}

/** A logger that writes nowhere, for tests and pure code paths. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
