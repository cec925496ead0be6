/**
 * The inbox: how a process that does not hold the lock (a CLI command beside the running bot)
 * changes the data folder. It writes data/inbox/NAME.json and waits; the bot applies the file
 * and removes it, or writes NAME.json.error with the reason first.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CATALOGUE, type ErrorCode, isSolidarityError, SolidarityError } from '../errors.ts';
import { ensureDir, removeQuietly, writeFileAtomic } from './files.ts';
import { liveHolder } from './lock.ts';
import { inboxFileSchema, SCHEMA_VERSION, type StoreChange } from './schema.ts';

export const INBOX_DIR = 'inbox';

export interface InboxClient {
  dir: string;
  clock: () => Date;
  fsync: boolean;
  applyTimeoutMs: number;
  /** Takes the lock and applies the inbox (throws STORE_LOCKED while another process holds it). */
  applyAsWriter: () => Promise<void>;
}

export interface InboxWriter {
  dir: string;
  fsync: boolean;
  logger: Logger;
  /** True once the store is closed or failed: stop applying. */
  stopped: () => boolean;
  apply: (change: StoreChange) => Promise<void>;
}

/** Client side: hands a change to the running bot and waits until it is applied (not the refresh). */
export async function submitChange(o: InboxClient, change: StoreChange): Promise<void> {
  const inbox = join(o.dir, INBOX_DIR);
  await ensureDir(inbox);
  const name = `${o.clock().getTime().toString().padStart(14, '0')}-${process.pid}-${randomBytes(4).toString('hex')}.json`;
  const path = join(inbox, name);
  const body = {
    v: SCHEMA_VERSION,
    pid: process.pid,
    submittedAt: o.clock().toISOString(),
    changes: [change],
  };
  await writeFileAtomic(path, `${JSON.stringify(body)}\n`, o.fsync);
  const deadline = Date.now() + o.applyTimeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 25));
    const pending = await stat(path).then(
      () => true,
      () => false,
    );
    if (!pending) {
      // Gone: applied, or refused (the bot writes NAME.error before it removes NAME).
      const rejected = await readFile(`${path}.error`, 'utf8').catch(() => undefined);
      if (rejected === undefined) break;
      await removeQuietly(`${path}.error`);
      throw errorFromJson(rejected);
    }
    if (!(await liveHolder(o.dir)) || Date.now() > deadline) {
      // The bot stopped (or is stuck): apply the inbox ourselves if we can take the lock.
      try {
        await o.applyAsWriter();
      } catch (error) {
        if (isSolidarityError(error) && error.code === 'STORE_LOCKED' && Date.now() <= deadline) continue;
        if (isSolidarityError(error) && error.code === 'STORE_LOCKED') {
          throw new SolidarityError(
            'STORE_LOCKED',
            `The running bot did not apply the change within ${Math.round(o.applyTimeoutMs / 1000)} s; it waits in ${path} and is applied when the bot next reads its inbox.`,
            {
              hint: 'Check that the bot is healthy (solidarity status), or stop it: the change is applied on the next start.',
            },
          );
        }
        throw error;
      }
    }
  }
}

/** Writer side: applies every change waiting in data/inbox, oldest first. */
export async function drainInbox(o: InboxWriter): Promise<void> {
  if (o.stopped()) return;
  const inbox = join(o.dir, INBOX_DIR);
  let names: string[];
  try {
    names = (await readdir(inbox)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(inbox, name);
    try {
      const text = await readFile(path, 'utf8');
      const parsed = inboxFileSchema.safeParse(JSON.parse(text));
      if (!parsed.success) {
        throw new SolidarityError(
          'INPUT_INVALID',
          `${path}: not a valid inbox change: ${parsed.error.issues[0]!.message}`,
        );
      }
      for (const change of parsed.data.changes) await o.apply(change);
      await unlink(path);
      o.logger.info({ file: name, changes: parsed.data.changes.map((c) => c.op) }, 'inbox change applied');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      if (o.stopped()) return;
      const failure = isSolidarityError(error)
        ? error
        : new SolidarityError('INPUT_INVALID', `${path}: ${(error as Error).message}`);
      o.logger.warn({ file: name, code: failure.code }, 'inbox change rejected');
      // The reason (and the change itself) go to NAME.error first, then NAME goes: a waiting
      // command that sees NAME gone finds the reason; with nobody waiting it stays for a person.
      const change = await readFile(path, 'utf8').catch(() => '');
      try {
        await writeFileAtomic(`${path}.error`, errorToJson(failure, change), o.fsync);
        await unlink(path);
      } catch (writeError) {
        o.logger.error({ file: name, err: writeError }, 'could not record an inbox refusal');
      }
    }
  }
}

function errorToJson(error: SolidarityError, change: string): string {
  const body = { code: error.code, message: error.message, hint: error.hint, details: error.details, change };
  return `${JSON.stringify(body)}\n`;
}

function errorFromJson(text: string): SolidarityError {
  try {
    const raw = JSON.parse(text) as { code: string; message: string; hint?: string; details?: string[] };
    const code = (raw.code in CATALOGUE ? raw.code : 'UNEXPECTED') as ErrorCode;
    return new SolidarityError(code, raw.message, {
      ...(raw.hint ? { hint: raw.hint } : {}),
      details: raw.details ?? [],
    });
  } catch {
    return new SolidarityError('UNEXPECTED', `The running bot rejected the change: ${text}`);
  }
}
