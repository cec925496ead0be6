/**
 * Group commit: every change waiting when a commit starts goes out in one write per file and one
 * fsync, and each caller's promise resolves only after that. One commit runs at a time; a job that
 * must see no commit running (a checkpoint, a prune rewriting a segment) runs through exclusive().
 * After a failed write the group refuses everything: changes not acknowledged were not saved.
 */
import type { SolidarityError } from '../errors.ts';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What one commit writes. */
export interface Batch {
  /** Activity log lines per UTC day. */
  byDay: Map<string, string[]>;
  /** Write-ahead log lines. */
  wal: string[];
  /** Holds a transaction: its write-ahead record must be durable before its events are written. */
  ordered: boolean;
}

export interface GroupCommitOptions {
  /** How long a commit waits to gather more changes (ms). */
  windowMs: number;
  /** Writes a batch durably (throws on failure). */
  write: (batch: Batch) => Promise<void>;
  /** Runs after each successful commit, before the next (e.g. a checkpoint when the log is big). */
  afterCommit: () => Promise<void>;
  /** Turns a write error into the error every later change is refused with (and logs it). */
  failure: (error: unknown) => SolidarityError;
}

export class GroupCommit {
  readonly #o: GroupCommitOptions;
  #batch: (Batch & { waiters: Waiter[] }) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #committing = false;
  #idle: Array<() => void> = [];
  #failed: SolidarityError | undefined;
  #commits = 0;

  constructor(options: GroupCommitOptions) {
    this.#o = options;
  }

  /** The error the store refuses changes with after a failed write. */
  get failed(): SolidarityError | undefined {
    return this.#failed;
  }

  /** Commits so far. */
  get commits(): number {
    return this.#commits;
  }

  /** The batch the next commit writes: add lines to it, then wait(). */
  batch(): Batch {
    this.#batch ??= { byDay: new Map<string, string[]>(), wal: [], waiters: [], ordered: false };
    return this.#batch;
  }

  /** Resolves once what was added to the current batch is durable. */
  wait(): Promise<void> {
    const batch = this.#batch ?? (this.batch() as Batch & { waiters: Waiter[] });
    const promise = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (!this.#timer && !this.#committing) this.#timer = setTimeout(() => this.#kick(), this.#o.windowMs);
    return promise;
  }

  #kick(): void {
    this.#timer = undefined;
    if (this.#committing) return;
    this.#committing = true;
    void this.#loop();
  }

  async #loop(): Promise<void> {
    while (this.#batch) {
      const batch = this.#batch;
      this.#batch = undefined;
      await this.#commit(batch);
      if (!this.#failed) await this.#o.afterCommit();
    }
    this.#committing = false;
    this.#wakeIdle();
  }

  #wakeIdle(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  async #commit(batch: Batch & { waiters: Waiter[] }): Promise<void> {
    try {
      if (this.#failed) throw this.#failed;
      await this.#o.write(batch);
      this.#commits++;
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (error) {
      this.#failed ??= this.#o.failure(error);
      for (const waiter of batch.waiters) waiter.reject(this.#failed);
    }
  }

  /** Resolves when everything added so far is durable. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#kick();
    }
    if (this.#committing) await new Promise<void>((resolve) => this.#idle.push(resolve));
    if (this.#failed) throw this.#failed;
  }

  /** Runs `fn` after every waiting change is committed, with no commit running meanwhile. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.flush();
    while (this.#committing) await new Promise<void>((resolve) => this.#idle.push(resolve));
    if (this.#failed) throw this.#failed;
    this.#committing = true;
    try {
      return await fn();
    } finally {
      this.#committing = false;
      if (this.#batch) this.#kick();
      else this.#wakeIdle();
    }
  }
}
