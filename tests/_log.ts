/** A pino logger whose lines a test can read back. */
import pino from 'pino';
import type { Logger } from '../src/logger.ts';

export interface CapturedLog {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  /** Lines whose `code` field equals `code`. */
  withCode(code: string): Array<Record<string, unknown>>;
}

export function captureLog(level = 'info'): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines, withCode: (code) => lines.filter((l) => l.code === code) };
}
