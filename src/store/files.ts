/**
 * Low-level file helpers for the store: atomic replacement, strict UTF-8, JSON errors with
 * line numbers, and a line reader that reports torn last lines instead of failing on them.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ZodType } from 'zod';
import { SolidarityError } from '../errors.ts';

/** Writes a file so a reader sees either the old or the new content, never half: temp, fsync, rename, fsync dir. */
export async function writeFileAtomic(path: string, content: string | Buffer, fsync = true): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(content);
    if (fsync) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  if (fsync) await syncDir(dirname(path));
}

/** Makes a rename or a new file in `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function corrupt(
  file: string,
  line: number | undefined,
  problem: string,
  hint?: string,
): SolidarityError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new SolidarityError('STORE_CORRUPT', `${where}: ${problem}`, {
    hint:
      hint ??
      'The file was left untouched. Restore it from a backup, or move it out of the data folder to start that part afresh; run "solidarity store verify" to check everything.',
  });
}

/** One line of a JSON Lines data file, parsed; STORE_CORRUPT naming the file and line when it is not JSON. */
export function parseJsonLine(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw corrupt(file, line, `not valid JSON: ${(error as Error).message}`);
  }
}

/** A parsed line checked against its schema; STORE_CORRUPT naming the file, line and first wrong field. */
export function lineWithSchema<T>(schema: ZodType<T>, raw: unknown, file: string, line: number): T {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw corrupt(file, line, `wrong schema at ${issue.path.join('.') || '(line)'}: ${issue.message}`);
  }
  return result.data;
}

/** 1-based line of a byte (or character) offset. */
function lineAt(text: string | Buffer, offset: number): number {
  let line = 1;
  const limit = Math.min(offset, text.length);
  if (typeof text === 'string') {
    for (let i = 0; i < limit; i++) if (text.charCodeAt(i) === 10) line++;
  } else {
    for (let i = 0; i < limit; i++) if (text[i] === 10) line++;
  }
  return line;
}

/** Decodes UTF-8 or throws STORE_CORRUPT naming the line of the first bad byte. */
export function decodeUtf8(bytes: Buffer, file: string, firstLine = 1): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Find the first invalid byte by decoding growing prefixes line by line.
    let start = 0;
    let line = firstLine;
    while (start < bytes.length) {
      let end = bytes.indexOf(10, start);
      if (end === -1) end = bytes.length;
      try {
        strictUtf8.decode(bytes.subarray(start, end));
      } catch {
        throw corrupt(file, line, 'invalid UTF-8 (the bytes are not text).');
      }
      start = end + 1;
      line++;
    }
    throw corrupt(file, undefined, 'invalid UTF-8 (the bytes are not text).');
  }
}

/** JSON.parse that names the line of a syntax error, and says so when the file ends early. */
export function parseJson(text: string, file: string, firstLine = 1): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const pos = /position (\d+)/.exec(message);
    const truncated = /end of (JSON|data) input|Unterminated/i.test(message);
    const line = pos
      ? lineAt(text, Number(pos[1])) + firstLine - 1
      : lineAt(text, text.length) + firstLine - 1;
    throw corrupt(
      file,
      line,
      truncated ? `the JSON ends early (truncated file?): ${message}` : `not valid JSON: ${message}`,
    );
  }
}

export interface Line {
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  text: string;
}

export interface ReadLinesOptions {
  /** Byte offset to start at (must be a line start). */
  start?: number;
  /** Line number of the line at `start`. */
  firstLine?: number;
  /** Called with a last line that has no newline: a write cut short by a crash. */
  onTorn?: (torn: { line: number; offset: number; bytes: number }) => void;
}

/** Streams the complete lines of a file (constant memory). Empty lines are skipped. */
export async function* readLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const stream = createReadStream(file, { start: options.start ?? 0, highWaterMark: 256 * 1024 });
  let pending: Buffer | undefined;
  let offset = options.start ?? 0;
  let line = options.firstLine ?? 1;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const end = buf.indexOf(10, start);
      if (end === -1) break;
      if (end > start) {
        const bytes = buf.subarray(start, end);
        const text = decodeUtf8(bytes, file, line);
        yield { line, offset: offset + start, text };
      }
      line++;
      start = end + 1;
    }
    offset += start;
    pending = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
  }
  if (pending && pending.length > 0) options.onTorn?.({ line, offset, bytes: pending.length });
}
