/**
 * Stopping mid-way: a stop (SIGTERM, Ctrl-C) aborts a signal, and anything waiting on the network
 * stops waiting at once. The call itself may still land; the journal keeps its intent, which the
 * next start looks up before anything else.
 */

export class StoppedError extends Error {
  constructor(what: string) {
    super(`stopped while ${what}`);
    this.name = 'StoppedError';
  }
}

export function isStopped(error: unknown): error is StoppedError {
  return error instanceof StoppedError;
}

/** Resolves or rejects like `promise`, or rejects with StoppedError as soon as `signal` aborts. */
export function untilStopped<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(new StoppedError(what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(new StoppedError(what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
