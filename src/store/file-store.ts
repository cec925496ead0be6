import { type FileHandle, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { Logger } from 'pino';
import type { Flag, ReviewEvent } from '../core/review.ts';
import { isSolidarityError, SolidarityError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import {
  dayOf,
  EVENTS_DIR,
  eventLine,
  readEvents,
  repairTornTail,
  SegmentWriter,
  segmentPath,
} from './activity-log.ts';
import { ensureDir, lineWithSchema, parseJsonLine, readLines, removeQuietly, syncDir } from './files.ts';
import { type Batch, GroupCommit } from './group-commit.ts';
import { drainInbox, INBOX_DIR, submitChange } from './inbox.ts';
import { acquireLock, type Lock, liveHolder } from './lock.ts';
import { legacyError, migrateLegacy, needsMigration } from './migrate.ts';
import { ReviewQueue } from './queue.ts';
import { type PendingTx, recoverTxEvents, txLineId } from './recover.ts';
import {
  BOT_PRUNE_EVERY_MS,
  DEFAULT_RETENTION,
  type PruneReport,
  PruneSchedule,
  prune,
  type RetentionPolicy,
} from './retention.ts';
import {
  type CountsTable,
  changeSchema,
  SCHEMA_VERSION,
  type Snapshot,
  type StoreChange,
  type TxChange,
  walRecordSchema,
} from './schema.ts';
import { emptySnapshot, SnapshotFile } from './snapshot.ts';
import { StatsReader } from './stats.ts';
import type {
  ActivityEvent,
  ActivityType,
  JournalEntry,
  Moderator,
  QueuePage,
  QueueQuery,
  Stats,
  StatsRange,
  Store,
  StoreAccess,
  StoreEntry,
  StoreOpenOptions,
  StoreTx,
} from './types.ts';

export const STATE_FILE = 'state.json';
/** State key holding the report of the last prune. */
export const LAST_PRUNE = 'store.lastPrune';
export { INBOX_DIR } from './inbox.ts';

const WAL = /^wal-(\d+)\.jsonl$/;

export function walPath(dir: string, gen: number): string {
  return join(dir, `wal-${gen}.jsonl`);
}

/**
 * writer: holds the lock, applies changes and the inbox. reader: read-only view, no lock.
 * client: read view whose changes go through the inbox to the running bot (the lock holder).
 * auto: client when a live bot holds the lock, otherwise writer (a short-lived CLI writer).
 */
export type StoreMode = 'writer' | 'reader' | 'client';

export interface OpenStoreOptions {
  dir: string;
  mode: StoreMode | 'auto';
  logger?: Logger;
  clock?: () => Date;
  /** Who takes the lock in writer mode: the long-running bot, or a short CLI command. */
  role?: 'bot' | 'cli';
  /** fsync before acknowledging (default true). false survives a process crash, not a power cut. */
  fsync?: boolean;
  /** How long a commit waits to gather more changes (default 2 ms). */
  commitWindowMs?: number;
  /** Write a new snapshot once the write-ahead log passes this size (default 16 MiB). */
  checkpointBytes?: number;
  /** How often the writer looks in the inbox (default 250 ms; 0 turns polling off). */
  inboxPollMs?: number;
  /** How long a client waits for the bot to apply its change (default 10 s). */
  applyTimeoutMs?: number;
  /** Retention policy (default: the env defaults, 7 and 90 days). */
  retention?: RetentionPolicy;
  /** How often the bot prunes (default daily for role "bot", first run a minute after start; 0 never). */
  pruneEveryMs?: number;
}

export class FileStore implements Store {
  readonly backend = 'file' as const;
  readonly dir: string;
  readonly logger: Logger;
  readonly clock: () => Date;
  #mode: StoreMode;
  readonly #fsync: boolean;
  readonly #checkpointBytes: number;
  readonly #applyTimeoutMs: number;
  readonly retention: RetentionPolicy;

  readonly #cursors = new Map<string, string>();
  readonly #kv = new Map<string, unknown>();
  readonly #moderators = new Map<string, Moderator>();
  readonly #journal = new Map<string, JournalEntry>();
  #queue = new ReviewQueue();
  #seq = 0;
  #walGen = 1;
  #walBytes = 0;
  #snapshotSeq = 0;
  /** Reader side: which state.json was read, and where the complete write-ahead lines end. */
  #snapshotKey: string | undefined;
  #walOffset = 0;
  #walLine = 1;

  #lock: Lock | undefined;
  #db: Low<Snapshot> | undefined;
  #wal: FileHandle | undefined;
  #segments: SegmentWriter | undefined;
  readonly #group: GroupCommit;
  #closed = false;
  #intervals: NodeJS.Timeout[] = [];
  #draining: Promise<void> | undefined;
  #pruneSchedule: PruneSchedule | undefined;
  readonly #stats: StatsReader;
  /** Transactions in the write-ahead log after the snapshot (writer start-up only). */
  #pendingTx: PendingTx[] = [];
  /** Segment offsets the snapshot read at start recorded. */
  #snapshotSegments: Record<string, number> | undefined;
  /** Day segments this writer appended to (their sizes go into the next snapshot). */
  readonly #daysWritten = new Set<string>();

  private constructor(options: OpenStoreOptions, mode: StoreMode) {
    this.dir = options.dir;
    this.logger = (options.logger ?? silentLogger()).child({ name: 'store' });
    this.clock = options.clock ?? (() => new Date());
    this.#mode = mode;
    this.#fsync = options.fsync ?? true;
    this.#checkpointBytes = options.checkpointBytes ?? 16 * 1024 * 1024;
    this.#applyTimeoutMs = options.applyTimeoutMs ?? 10_000;
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.#stats = new StatsReader(this.dir);
    this.#group = new GroupCommit({
      windowMs: options.commitWindowMs ?? 2,
      write: (batch) => this.#write(batch),
      afterCommit: () => this.#afterCommit(),
      failure: (error) => this.#writeFailure(error),
    });
  }

  get mode(): StoreMode {
    return this.#mode;
  }

  get location(): string {
    return this.dir;
  }

  get access(): StoreAccess {
    return this.#mode === 'writer' ? 'owner' : this.#mode === 'client' ? 'forwarded' : 'read-only';
  }

  /** Opens the store in the data folder; see OpenStoreOptions.mode. */
  static async open(options: OpenStoreOptions): Promise<FileStore> {
    try {
      return await FileStore.#open(options);
    } catch (error) {
      // A file-system error (permissions, a file where a folder should be, disk full) is named
      // with its path, not shown as a bug.
      const errno = error as NodeJS.ErrnoException;
      if (isSolidarityError(error) || typeof errno?.code !== 'string') throw error;
      throw new SolidarityError('STORE_IO', `Cannot use the data folder ${options.dir}: ${errno.message}`, {
        hint: 'Check that the folder and the files in it can be read and written by this user, and that the disk has space; or set SOLIDARITY_DATA_DIR.',
        cause: error,
      });
    }
  }

  static async #open(options: OpenStoreOptions): Promise<FileStore> {
    let mode: StoreMode;
    let role = options.role ?? 'bot';
    if (options.mode === 'auto') {
      const holder = await liveHolder(options.dir);
      mode = holder && holder.role === 'bot' ? 'client' : 'writer';
      role = 'cli';
    } else {
      mode = options.mode;
    }
    const store = new FileStore(options, mode);
    if (mode === 'writer') {
      await store.#openWriter(role, options.inboxPollMs ?? 250);
      const every = options.pruneEveryMs ?? (role === 'bot' ? BOT_PRUNE_EVERY_MS : 0);
      if (every > 0)
        store.#pruneSchedule = new PruneSchedule(
          every,
          () => store.prune(),
          () => !store.#closed && !store.#group.failed,
          store.logger,
        );
    } else {
      if (needsMigration(options.dir)) throw legacyError(options.dir);
      await store.#load(false);
    }
    return store;
  }

  async #openWriter(role: 'bot' | 'cli', inboxPollMs: number): Promise<void> {
    await ensureDir(this.dir).catch((error) => {
      throw new SolidarityError(
        'STORE_IO',
        `Cannot create the data folder ${this.dir}: ${(error as Error).message}`,
        {
          hint: 'Check the path and its permissions, or set SOLIDARITY_DATA_DIR.',
        },
      );
    });
    this.#lock = await acquireLock(this.dir, { role, now: this.clock, waitMs: 3_000 });
    try {
      await migrateLegacy(this.dir, this.clock(), this.logger, this.#fsync);
      await ensureDir(join(this.dir, EVENTS_DIR));
      await ensureDir(join(this.dir, INBOX_DIR));
      await this.#load(true);
      // Write-ahead logs of other generations are leftovers of an interrupted checkpoint.
      for (const name of await readdir(this.dir)) {
        const gen = WAL.exec(name)?.[1];
        if (gen !== undefined && Number(gen) !== this.#walGen) await unlink(join(this.dir, name));
      }
      const path = walPath(this.dir, this.#walGen);
      await repairTornTail(path, this.logger);
      this.#wal = await open(path, 'a');
      this.#walBytes = (await this.#wal.stat()).size;
      await syncDir(this.dir);
      this.#segments = new SegmentWriter(this.dir, this.logger);
      // A crash between a transaction's write-ahead record and its activity log lines.
      const pending = this.#pendingTx;
      this.#pendingTx = [];
      for (const tx of pending) for (const e of tx.events) this.#daysWritten.add(dayOf(e.at));
      await recoverTxEvents({
        dir: this.dir,
        pending,
        offsets: this.#snapshotSegments,
        segments: this.#segments,
        fsync: this.#fsync,
        logger: this.logger,
      });
      await this.#drainInbox();
      if (inboxPollMs > 0) {
        this.#intervals.push(setInterval(() => void this.#drainInbox(), inboxPollMs).unref());
      }
      // A quiet bot still folds its write-ahead log into the snapshot now and then.
      this.#intervals.push(
        setInterval(() => {
          if (this.#seq > this.#snapshotSeq) void this.#enqueueCheckpoint();
        }, 60_000).unref(),
      );
    } catch (error) {
      await this.#wal?.close().catch(() => {});
      await this.#lock.release();
      throw error;
    }
  }

  // ---- loading ------------------------------------------------------------------------------

  async #load(writer: boolean): Promise<void> {
    const file = new SnapshotFile(join(this.dir, STATE_FILE), this.#fsync);
    this.#db = new Low(file, emptySnapshot(this.clock()));
    for (let attempt = 0; ; attempt++) {
      // Taken before the read: if the file is replaced in between, the next refresh sees a new
      // key and reads everything again.
      const key = await this.#stateKey();
      await this.#db.read();
      const snapshot = this.#db.data;
      this.#reset(snapshot);
      this.#snapshotKey = key;
      try {
        await this.#replay(walPath(this.dir, snapshot.walGen), snapshot.seq, writer);
        return;
      } catch (error) {
        // A reader can race a checkpoint that removed the log it was about to read: read again.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          if (writer || attempt >= 5) return;
          const again = await file.read();
          if (!again || again.walGen === snapshot.walGen) return;
          continue;
        }
        throw error;
      }
    }
  }

  /** Identifies the state.json on disk (a checkpoint replaces it with a new inode). */
  async #stateKey(): Promise<string> {
    try {
      const st = await stat(join(this.dir, STATE_FILE));
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return 'none';
    }
  }

  #reset(snapshot: Snapshot): void {
    this.#cursors.clear();
    this.#kv.clear();
    this.#moderators.clear();
    this.#journal.clear();
    this.#queue = new ReviewQueue();
    for (const { key, value } of snapshot.cursors) this.#cursors.set(key, value);
    for (const { key, value } of snapshot.state) this.#kv.set(key, value);
    for (const m of snapshot.moderators) this.#moderators.set(m.name, m as Moderator);
    for (const j of snapshot.journal) this.#journal.set(j.key, j as JournalEntry);
    for (const f of snapshot.flags) this.#queue.add(f as Flag);
    this.#walGen = snapshot.walGen;
    this.#seq = snapshot.seq;
    this.#snapshotSeq = snapshot.seq;
    this.#snapshotSegments = snapshot.segments;
    this.#pendingTx = [];
  }

  /** Applies the write-ahead log from `start` (a line start); remembers where the complete lines end. */
  async #replay(path: string, after: number, writer: boolean, start = 0, firstLine = 1): Promise<void> {
    await stat(path); // ENOENT surfaces here, before any state changes.
    this.#walOffset = start;
    this.#walLine = firstLine;
    const lines = readLines(path, {
      start,
      firstLine,
      onTorn: (t) => {
        if (writer)
          this.logger.warn({ file: path, line: t.line }, 'torn last line in the write-ahead log skipped');
      },
    });
    for await (const { text, line, offset } of lines) {
      const raw = parseJsonLine(text, path, line);
      const v = (raw as { v?: unknown } | null)?.v;
      if (typeof v === 'number' && v > SCHEMA_VERSION) {
        throw new SolidarityError(
          'STORE_VERSION',
          `${path}:${line}: written by a newer version of solidarity-bot.`,
          {
            hint: 'Upgrade solidarity-bot (git pull && npm ci).',
          },
        );
      }
      const record = lineWithSchema(walRecordSchema, raw, path, line);
      this.#walOffset = offset + Buffer.byteLength(text) + 1;
      this.#walLine = line + 1;
      if (record.seq <= after) continue;
      if (writer && record.op === 'tx' && record.events.length > 0) {
        this.#pendingTx.push({ seq: record.seq, events: record.events as ActivityEvent[] });
      }
      this.#apply(record as StoreChange);
      this.#seq = Math.max(this.#seq, record.seq);
    }
  }

  /** Applies one change to memory; returns false when it changed nothing. */
  #apply(change: StoreChange): boolean {
    switch (change.op) {
      case 'setCursor':
        this.#cursors.set(change.key, change.value);
        return true;
      case 'setState':
        if (change.value === undefined) this.#kv.delete(change.key);
        else this.#kv.set(change.key, change.value);
        return true;
      case 'putModerator':
        this.#moderators.set(change.moderator.name, change.moderator as Moderator);
        return true;
      case 'putJournal':
        this.#journal.set(change.entry.key, change.entry as JournalEntry);
        return true;
      case 'addFlag': {
        if (this.#queue.flags.has(change.flag.id)) return false;
        this.#queue.add(change.flag as Flag);
        return true;
      }
      case 'addReviewEvent': {
        const flag = this.#queue.flags.get(change.event.flagId);
        if (!flag) {
          this.logger.warn({ flagId: change.event.flagId }, 'review event for an unknown flag skipped');
          return false;
        }
        if (flag.events.some((e) => e.id === change.event.id)) return false;
        this.#queue.addEvent(change.event as ReviewEvent);
        return true;
      }
      case 'dropFlags':
        for (const id of change.ids) this.#queue.remove(id);
        return true;
      case 'tx':
        for (const c of change.changes) this.#apply(c);
        return true;
      case 'append':
        return true;
      case 'prune':
        return false;
    }
  }

  /** Re-reads the state from disk (reader and client modes). */
  async refresh(): Promise<void> {
    if (this.#mode === 'writer') return;
    // Same state.json as last time: only the log lines written since need reading.
    if (this.#snapshotKey !== undefined && (await this.#stateKey()) === this.#snapshotKey) {
      try {
        await this.#replay(walPath(this.dir, this.#walGen), this.#seq, false, this.#walOffset, this.#walLine);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    await this.#load(false);
  }

  // ---- group commit -------------------------------------------------------------------------

  #assertWritable(): void {
    if (this.#closed) throw new SolidarityError('UNEXPECTED', 'The store is closed.');
    if (this.#group.failed) throw this.#group.failed;
    if (this.#mode === 'reader') {
      throw new SolidarityError('UNEXPECTED', 'This store was opened read-only (mode "reader").', {
        hint: 'Open it with mode "auto" to change it, so changes reach the running bot through the inbox.',
      });
    }
  }

  #enqueue(walChange: StoreChange | undefined, event: ActivityEvent | undefined): Promise<void> {
    const batch = this.#group.batch();
    const addLine = (e: ActivityEvent, tx?: string) => {
      const day = dayOf(e.at);
      let lines = batch.byDay.get(day);
      if (!lines) {
        lines = [];
        batch.byDay.set(day, lines);
      }
      lines.push(eventLine(e, tx));
    };
    if (walChange) {
      this.#seq++;
      batch.wal.push(`${JSON.stringify({ v: SCHEMA_VERSION, seq: this.#seq, ...walChange })}\n`);
      if (walChange.op === 'tx' && walChange.events.length > 0) {
        batch.ordered = true;
        const seq = this.#seq;
        walChange.events.forEach((e, i) => {
          addLine(e as ActivityEvent, txLineId(seq, i));
        });
      }
    }
    if (event) addLine(event);
    return this.#group.wait();
  }

  /** One group commit: the write-ahead lines and the activity log lines, each made durable. */
  async #write(batch: Batch): Promise<void> {
    for (const day of batch.byDay.keys()) this.#daysWritten.add(day);
    const writeWal = async () => {
      if (batch.wal.length === 0) return;
      const text = batch.wal.join('');
      await this.#wal!.appendFile(text);
      this.#walBytes += Buffer.byteLength(text);
      if (this.#fsync) await this.#wal!.datasync();
    };
    const writeSegments = async () => {
      if (batch.byDay.size > 0) await this.#segments!.write(batch.byDay, this.#fsync);
    };
    if (batch.ordered) {
      // The record first: events without their record would be a half transaction.
      await writeWal();
      await writeSegments();
    } else {
      await Promise.all([writeWal(), writeSegments()]);
    }
  }

  async #afterCommit(): Promise<void> {
    if (this.#walBytes < this.#checkpointBytes) return;
    try {
      await this.#checkpoint();
    } catch (error) {
      // The write-ahead log still holds every change; the next checkpoint tries again.
      this.logger.error({ err: error }, 'checkpoint failed');
    }
  }

  #writeFailure(error: unknown): SolidarityError {
    const failure = isSolidarityError(error)
      ? error
      : new SolidarityError(
          'STORE_IO',
          `Cannot write to the data folder ${this.dir}: ${(error as Error).message}`,
          {
            hint: 'Check free disk space and permissions, then restart the bot. Changes not yet acknowledged were not saved.',
            cause: error,
          },
        );
    this.logger.error(
      { code: failure.code, err: error },
      'store write failed; the store refuses further changes',
    );
    return failure;
  }

  /** Folds the write-ahead log into a new state.json and starts the next log generation. */
  async #checkpoint(): Promise<void> {
    const gen = this.#walGen + 1;
    const nextPath = walPath(this.dir, gen);
    await (await open(nextPath, 'w')).close();
    const next = await open(nextPath, 'a');
    const snapshot = this.#snapshot(gen);
    // No commit runs now: the segments end where the records folded into this snapshot end.
    const segments: Record<string, number> = {};
    for (const day of this.#daysWritten) {
      const size = await stat(segmentPath(this.dir, day)).then(
        (s) => s.size,
        () => undefined,
      );
      if (size !== undefined) segments[day] = size;
    }
    snapshot.segments = segments;
    try {
      this.#db!.data = snapshot;
      await this.#db!.write();
    } catch (error) {
      await next.close();
      await removeQuietly(nextPath);
      throw error;
    }
    const old = this.#wal!;
    const oldPath = walPath(this.dir, this.#walGen);
    this.#wal = next;
    this.#walGen = gen;
    this.#walBytes = 0;
    this.#snapshotSeq = snapshot.seq;
    await old.close();
    await unlink(oldPath);
    this.logger.debug({ gen, seq: snapshot.seq }, 'checkpoint written');
  }

  async #enqueueCheckpoint(): Promise<void> {
    try {
      await this.#exclusive(() => this.#checkpoint());
    } catch (error) {
      this.logger.error({ err: error }, 'checkpoint failed; the write-ahead log keeps every change');
    }
  }

  /** Runs `fn` after every waiting change is committed, with no commit running meanwhile. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#group.exclusive(fn);
  }

  #snapshot(gen: number): Snapshot {
    return {
      version: SCHEMA_VERSION,
      walGen: gen,
      seq: this.#seq,
      savedAt: this.clock().toISOString(),
      cursors: [...this.#cursors].map(([key, value]) => ({ key, value })),
      state: [...this.#kv].map(([key, value]) => ({ key, value })),
      moderators: [...this.#moderators.values()],
      journal: [...this.#journal.values()],
      flags: [...this.#queue.flags.values()],
    };
  }

  // ---- changes --------------------------------------------------------------------------------

  /** Applies a change: in memory and the log here (writer), or through the inbox (client). */
  #change(change: StoreChange, event?: ActivityEvent): Promise<void> {
    try {
      this.#assertWritable();
      this.#validate(change);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#mode === 'client') return this.#submit(change);
    if (!this.#apply(change)) return Promise.resolve(); // A repeated flag or review event: nothing to write.
    return this.#enqueue(change.op === 'append' ? undefined : change, event);
  }

  /**
   * Checks a change against the schema it is read back with, so nothing written can fail
   * validation later. Synchronous, and the parsed copy is dropped at once: it dies young.
   */
  #validate(change: StoreChange): void {
    const parsed = changeSchema.safeParse(change);
    if (parsed.success) return;
    const issue = parsed.error.issues[0]!;
    throw new SolidarityError(
      'INPUT_INVALID',
      `The store refused a "${change.op}" change: ${issue.path.join('.') || '(value)'}: ${issue.message}`,
      { hint: 'This is a bug in the caller; the data folder was not changed.' },
    );
  }

  append(event: ActivityEvent): Promise<void> {
    if (Number.isNaN(Date.parse(event.at))) {
      return Promise.reject(
        new SolidarityError(
          'INPUT_INVALID',
          `Activity event "${event.type}" has an invalid time "${event.at}".`,
        ),
      );
    }
    return this.#change({ op: 'append', event }, event);
  }

  setCursor(key: string, value: string): Promise<void> {
    return this.#change({ op: 'setCursor', key, value });
  }

  commit(tx: StoreTx): Promise<void> {
    for (const event of tx.events ?? []) {
      if (Number.isNaN(Date.parse(event.at))) {
        return Promise.reject(
          new SolidarityError(
            'INPUT_INVALID',
            `Activity event "${event.type}" has an invalid time "${event.at}".`,
          ),
        );
      }
    }
    const changes: TxChange[] = [
      ...(tx.journal ?? []).map((entry) => ({ op: 'putJournal' as const, entry: { ...entry } })),
      ...(tx.flags ?? []).map((flag) => ({ op: 'addFlag' as const, flag: structuredClone(flag) })),
      ...(tx.cursors ?? []).map(({ key, value }) => ({ op: 'setCursor' as const, key, value })),
      ...(tx.state ?? []).map(({ key, value }) => ({
        op: 'setState' as const,
        key,
        value: value === undefined ? undefined : JSON.parse(JSON.stringify(value)),
      })),
    ];
    return this.#change({ op: 'tx', events: [...(tx.events ?? [])], changes });
  }

  async getCursor(key: string): Promise<string | undefined> {
    return this.#cursors.get(key);
  }

  async listCursors(): Promise<Array<StoreEntry<string>>> {
    return [...this.#cursors].map(([key, value]) => ({ key, value }));
  }

  async getJournal(key: string): Promise<JournalEntry | undefined> {
    return this.#journal.get(key);
  }

  putJournal(entry: JournalEntry): Promise<void> {
    return this.#change({ op: 'putJournal', entry: { ...entry } });
  }

  async listJournal(
    filter: { campaign?: string; state?: JournalEntry['state'] } = {},
  ): Promise<JournalEntry[]> {
    return [...this.#journal.values()].filter(
      (e) =>
        (filter.campaign === undefined || e.campaign === filter.campaign) &&
        (filter.state === undefined || e.state === filter.state),
    );
  }

  addFlag(flag: Flag): Promise<void> {
    return this.#change({ op: 'addFlag', flag: structuredClone(flag) });
  }

  /** The stored flag: treat it (and queuePage items) as read-only; change it through addReviewEvent. */
  async getFlag(id: string): Promise<Flag | undefined> {
    return this.#queue.flags.get(id);
  }

  async queuePage(query: QueueQuery): Promise<QueuePage> {
    return this.#queue.page(query);
  }

  /** Group commits so far (each: one write per file touched and one fsync each). */
  get commits(): number {
    return this.#group.commits;
  }

  /** The number of flags in the queue, every state. */
  get flagCount(): number {
    return this.#queue.size;
  }

  /** Every flag, in no particular order (retention, verification, copy). */
  async *flags(): AsyncIterable<Flag> {
    // A copy of the ids: a flag dropped meanwhile is skipped, not an error.
    for (const id of [...this.#queue.flags.keys()]) {
      const flag = this.#queue.flags.get(id);
      if (flag) yield flag;
    }
  }

  async addReviewEvent(event: ReviewEvent): Promise<Flag> {
    this.#assertWritable();
    if (this.#mode === 'client') {
      await this.#submit({ op: 'addReviewEvent', event });
      const flag = this.#queue.flags.get(event.flagId);
      if (!flag)
        throw new SolidarityError('UNEXPECTED', `Flag ${event.flagId} vanished after a review event.`);
      return flag;
    }
    if (!this.#queue.flags.has(event.flagId)) {
      // Throws INPUT_INVALID naming the flag.
      this.#queue.addEvent(event);
    }
    await this.#change(
      { op: 'addReviewEvent', event: { ...event } },
      { type: 'review.event', at: event.at, event: { ...event } },
    );
    return this.#queue.flags.get(event.flagId)!;
  }

  /** Removes flags from the queue (retention). */
  dropFlags(ids: string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.#change({ op: 'dropFlags', ids });
  }

  async getModerator(name: string): Promise<Moderator | undefined> {
    return this.#moderators.get(name);
  }

  putModerator(moderator: Moderator): Promise<void> {
    return this.#change({ op: 'putModerator', moderator: { ...moderator } });
  }

  async listModerators(): Promise<Moderator[]> {
    return [...this.#moderators.values()];
  }

  async getState<T>(key: string): Promise<T | undefined> {
    return this.#kv.get(key) as T | undefined;
  }

  async listState(): Promise<Array<StoreEntry<unknown>>> {
    return [...this.#kv].map(([key, value]) => ({ key, value }));
  }

  /** Stores a JSON value under `key`; `undefined` removes the key. */
  setState<T>(key: string, value: T): Promise<void> {
    // A JSON round trip: the stored value is what a restart reads back, and later changes to the
    // caller's object do not leak in.
    const copy = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
    return this.#change({ op: 'setState', key, value: copy });
  }

  events(
    options: { since?: string; until?: string; types?: ActivityType[] } = {},
  ): AsyncIterable<ActivityEvent> {
    return readEvents(this.dir, options);
  }

  /** Posts, mentions and alerts per hour, from the activity log (read incrementally). */
  stats(range: StatsRange): Promise<Stats> {
    return this.#stats.stats(range);
  }

  /** Every hourly count, per campaign, for store copy (see copy.ts): kept forever, unlike the lines. */
  hourlyCounts(): Promise<CountsTable> {
    return this.#stats.allCounts();
  }

  // ---- retention ------------------------------------------------------------------------------------

  /** Applies the retention policy now (through the inbox when a bot holds the lock). */
  async prune(policy: RetentionPolicy = this.retention): Promise<PruneReport> {
    this.#assertWritable();
    if (this.#mode === 'client') {
      await this.#submit({ op: 'prune' });
      const report = this.#kv.get(LAST_PRUNE) as PruneReport | undefined;
      if (!report) throw new SolidarityError('UNEXPECTED', 'The running bot pruned but left no report.');
      return report;
    }
    const report = await prune(
      {
        dir: this.dir,
        allFlags: () => this.#queue.flags.values(),
        dropFlags: (ids) => this.dropFlags(ids),
        withSegment: (day, fn) =>
          this.#exclusive(async () => {
            await this.#segments!.release(day);
            try {
              return await fn();
            } finally {
              this.#stats.forget(day);
            }
          }),
        checkpointNow: () => this.#exclusive(() => this.#checkpoint()),
      },
      policy,
      this.clock(),
    );
    await this.setState(LAST_PRUNE, report);
    this.logger.info(
      {
        flagsDropped: report.flagsDropped,
        linesDropped: report.linesDropped,
        segments: report.segmentsRewritten,
      },
      'retention applied',
    );
    return report;
  }

  // ---- inbox ------------------------------------------------------------------------------------

  /** Client side: hands a change to the running bot and waits until it is applied. */
  async #submit(change: StoreChange): Promise<void> {
    await submitChange(
      {
        dir: this.dir,
        clock: this.clock,
        fsync: this.#fsync,
        applyTimeoutMs: this.#applyTimeoutMs,
        // The bot stopped (or is stuck): apply the inbox ourselves if the lock can be had.
        applyAsWriter: async () => {
          const writer = await FileStore.open({
            dir: this.dir,
            mode: 'writer',
            role: 'cli',
            logger: this.logger,
            clock: this.clock,
            inboxPollMs: 0,
          });
          await writer.close();
        },
      },
      change,
    );
    await this.refresh();
  }

  /** Writer side: applies every change waiting in data/inbox, oldest first. */
  #drainInbox(): Promise<void> {
    this.#draining ??= drainInbox({
      dir: this.dir,
      fsync: this.#fsync,
      logger: this.logger,
      stopped: () => this.#closed || this.#group.failed !== undefined,
      apply: (change) => this.#applyChange(change),
    }).finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #applyChange(change: StoreChange): Promise<void> {
    switch (change.op) {
      case 'append':
        return this.append(change.event as ActivityEvent);
      case 'addReviewEvent':
        await this.addReviewEvent(change.event as ReviewEvent);
        return;
      case 'prune':
        await this.prune();
        return;
      default:
        return this.#change(change);
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /** Resolves when everything appended so far is durable. */
  flush(): Promise<void> {
    return this.#group.flush();
  }

  /** Flushes, writes a final snapshot, and releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const interval of this.#intervals) clearInterval(interval);
    const pruned = this.#pruneSchedule?.stop();
    if (this.#mode === 'writer') {
      await this.#draining;
      await pruned;
      try {
        await this.flush();
        if (this.#seq > this.#snapshotSeq && !this.#group.failed)
          await this.#exclusive(() => this.#checkpoint());
      } finally {
        this.#closed = true;
        await this.#segments?.close();
        await this.#wal?.close();
        await this.#lock?.release();
      }
    }
    this.#closed = true;
  }
}

/** Opens the file store with its own options (file-specific tests, benches, the file backend). */
export function openFileStore(options: OpenStoreOptions): Promise<FileStore> {
  return FileStore.open(options);
}

/** Opens the file store in `dir` for one of the uses every backend knows (see StoreUse). */
export async function openFileStoreFor(dir: string, options: StoreOpenOptions): Promise<FileStore> {
  const common = {
    dir,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.retention ? { retention: options.retention } : {}),
    ...(options.pruneEveryMs !== undefined ? { pruneEveryMs: options.pruneEveryMs } : {}),
    ...(options.fsync !== undefined ? { fsync: options.fsync } : {}),
  };
  switch (options.use) {
    case 'bot':
      return FileStore.open({ ...common, mode: 'writer', role: 'bot' });
    case 'read':
      return FileStore.open({ ...common, mode: 'reader' });
    case 'change':
      return FileStore.open({ ...common, mode: 'auto', inboxPollMs: 0 });
    case 'serve':
      // Long-running, so it takes the data folder like the bot does (CLI commands then go through
      // its inbox); when a bot already holds it, read the bot's data and send changes to it.
      try {
        return await FileStore.open({ ...common, mode: 'writer', role: 'bot' });
      } catch (error) {
        if (!isSolidarityError(error) || error.code !== 'STORE_LOCKED') throw error;
        return FileStore.open({ ...common, mode: 'auto' });
      }
  }
}
