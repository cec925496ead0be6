/**
 * Leadership: which instance schedules, posts and monitors. Any number of instances may serve
 * the dashboard and run commands; exactly one posts. The file store settles it with its lock
 * (one host: a second bot stops at start with STORE_LOCKED); the PostgreSQL store with a
 * session-level advisory lock, held on a connection of its own, so it ends with its holder.
 */

/** The instance that posts, as far as another one can tell. */
export interface LeaderInfo {
  /** Plain words for the terminal, e.g. "solidarity PID 4242 on host-a, since 2026-12-07T12:00:00Z". */
  describe: string;
  /** When the holder says who it is (a bot of this version does). */
  pid?: number;
  host?: string;
  /** ISO time the holder's connection opened (about when it started posting). */
  since?: string;
}

export interface Leadership {
  /**
   * Tries to become the posting instance, waiting up to `waitMs` for the holder to let go (a
   * backend that cannot wait returns at once); true when this instance now holds it.
   */
  tryAcquire(waitMs?: number): Promise<boolean>;
  /** Who holds it now, when another instance does and it can be seen. */
  holder(): Promise<LeaderInfo | undefined>;
  /**
   * Aborted when this instance lost it after holding it (its database connection broke): it must
   * stop posting at once, since another instance may take over.
   */
  readonly lost: AbortSignal;
  /** Lets go (at a clean stop), so a standby takes over at its next try. */
  release(): Promise<void>;
}

/**
 * How long a standby waits for the lease in one try. PostgreSQL hands a waiting standby the lock
 * the moment its holder's connection ends, so takeover after a SIGKILL is immediate.
 */
export const STANDBY_POLL_MS = 5_000;

/** The file store: its writer lock, taken when the store was opened, already makes this the one poster. */
export function lockLeadership(): Leadership {
  return {
    tryAcquire: async () => true,
    holder: async () => undefined,
    lost: new AbortController().signal,
    release: async () => {},
  };
}

export interface StandbyOptions {
  /** Ends the wait (the bot is stopping): resolves false. */
  signal: AbortSignal;
  pollMs?: number;
  /** Called once, when the first try fails, with the holder when it is known. */
  onStandby?: (holder: LeaderInfo | undefined) => void;
}

/**
 * Waits until this instance holds the leadership: true at once when nobody else holds it, true
 * later when the holder stops or dies, false when `signal` ends the wait first.
 */
export async function waitForLeadership(leadership: Leadership, options: StandbyOptions): Promise<boolean> {
  const pollMs = options.pollMs ?? STANDBY_POLL_MS;
  // Stopping while a try waits in the server: letting go ends that wait at once.
  const stop = () => void leadership.release().catch(() => {});
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    let first = true;
    while (!options.signal.aborted) {
      const tried = Date.now();
      if (await leadership.tryAcquire(first ? 0 : pollMs)) return !options.signal.aborted;
      if (first) {
        first = false;
        options.onStandby?.(await leadership.holder().catch(() => undefined));
        continue;
      }
      // A backend that cannot wait in tryAcquire returned at once: wait out the rest here.
      const left = pollMs - (Date.now() - tried);
      if (left > 0 && !options.signal.aborted) await sleep(left, options.signal);
    }
    return false;
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
