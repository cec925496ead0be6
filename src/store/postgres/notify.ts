/**
 * LISTEN/NOTIFY for changes between instances. A writer adds `pg_notify` to the transaction that
 * makes the change, so the notice goes out at commit, never for a change that was rolled back.
 * Each instance listens on a connection of its own and re-listens after it breaks, telling its
 * subscribers to re-read (notices sent meanwhile are lost, as PostgreSQL does not queue them).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { StoreChanges, StoreNotice } from '../changes.ts';
import { activityEventSchema } from '../schema.ts';
import type { ActivityEvent } from '../types.ts';

export const CHANGES_CHANNEL = 'solidarity_changes';
/** PostgreSQL refuses payloads from 8000 bytes (the schema name is added): a larger notice goes as a resync. */
const MAX_PAYLOAD = 7_800;

const envelopeSchema = z.object({
  /** The sending instance, so it skips its own notices. */
  from: z.string(),
  /** The schema the change was made in: stores in other schemas of the database ignore it. */
  schema: z.string(),
  notice: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('state'), key: z.string() }),
    z.object({ kind: z.literal('event'), event: activityEventSchema }),
    z.object({ kind: z.literal('resync') }),
  ]),
});

/** The statement that sends `notice` when run inside the writing transaction. */
export function noticeStatement(from: string, notice: StoreNotice): { text: string; values: string[] } {
  let body = JSON.stringify(notice);
  if (Buffer.byteLength(body) > MAX_PAYLOAD) body = JSON.stringify({ kind: 'resync' });
  return {
    // The schema comes from the writing connection itself (STORE_URL's search_path).
    text: "SELECT pg_notify($1, json_build_object('from', $2::text, 'schema', current_schema(), 'notice', $3::json)::text)",
    values: [CHANGES_CHANNEL, from, body],
  };
}

/** What other instances hear about a write: every state key it sets, every control event. */
export function noticesFor(set: { state: Array<{ key: string }>; events: ActivityEvent[] }): StoreNotice[] {
  return [
    ...set.state.map((s): StoreNotice => ({ kind: 'state', key: s.key })),
    ...set.events.filter((e) => e.type === 'control').map((event): StoreNotice => ({ kind: 'event', event })),
  ];
}

/** Sends `notices` from inside the writing transaction (they leave at its commit). */
export async function sendNotices(
  client: pg.ClientBase,
  from: string,
  notices: StoreNotice[],
): Promise<void> {
  for (const notice of notices) await client.query(noticeStatement(from, notice));
}

export interface ChangeListenerOptions {
  connectionString: string;
  logger: Logger;
  /** This instance's id, as given to noticeStatement. */
  from: string;
  /** Wait before listening again after the connection broke (default 1 s). */
  retryMs?: number;
}

/** One listening connection per instance, opened at the first subscriber. */
export class ChangeListener implements StoreChanges {
  readonly #options: ChangeListenerOptions;
  readonly #log: Logger;
  readonly #listeners = new Set<(notice: StoreNotice) => void>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  /** The schema this store lives in, read from the listening connection. */
  #schema: string | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ChangeListenerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ part: 'changes' });
  }

  /** A fresh id for an instance. */
  static newInstanceId(): string {
    return randomUUID();
  }

  subscribe(listener: (notice: StoreNotice) => void): () => void {
    this.#listeners.add(listener);
    void this.listening().catch(() => {});
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the connection listens (a change committed after it is reported). */
  listening(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#client) return Promise.resolve();
    this.#connecting ??= this.#listen().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#connecting?.catch(() => {});
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('end');
      client.on('error', () => {});
      await client.end().catch(() => {});
    }
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      application_name: `solidarity listener PID ${process.pid}`,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
    });
    client.on('notification', (message) => this.#deliver(message.payload));
    const broken = (error?: Error) => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.removeAllListeners('end');
      void client.end().catch(() => {});
      if (this.#closed) return;
      this.#log.warn({ err: error }, 'change notices interrupted; listening again');
      this.#scheduleRetry();
    };
    client.on('error', broken);
    client.on('end', () => broken());
    try {
      await client.connect();
      const { rows } = await client.query<{ schema: string }>('SELECT current_schema() AS schema');
      this.#schema = rows[0]?.schema ?? 'public';
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      client.on('error', () => {});
      await client.end().catch(() => {});
      if (!this.#closed) {
        this.#log.warn({ err: error }, 'could not listen for change notices; trying again');
        this.#scheduleRetry();
      }
      throw error;
    }
    if (this.#closed) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
  }

  #scheduleRetry(): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      void this.listening().then(
        () => this.#emit({ kind: 'resync' }),
        () => {},
      );
    }, this.#options.retryMs ?? 1_000);
    this.#retry.unref();
  }

  #deliver(payload: string | undefined): void {
    let parsed: ReturnType<typeof envelopeSchema.safeParse>;
    try {
      parsed = envelopeSchema.safeParse(JSON.parse(payload ?? ''));
    } catch {
      parsed = envelopeSchema.safeParse(undefined);
    }
    if (!parsed.success) {
      // Someone else's NOTIFY on our channel, or a newer version's: re-read rather than guess.
      this.#log.warn('unreadable change notice; re-reading');
      this.#emit({ kind: 'resync' });
      return;
    }
    if (parsed.data.from === this.#options.from || parsed.data.schema !== this.#schema) return;
    this.#emit(parsed.data.notice as StoreNotice);
  }

  #emit(notice: StoreNotice): void {
    for (const listener of this.#listeners) {
      try {
        listener(notice);
      } catch (error) {
        this.#log.error({ err: error }, 'a change listener failed');
      }
    }
  }
}
