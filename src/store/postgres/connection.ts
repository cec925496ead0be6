/** Pooled connections, checked out for one piece of work and handed back in a fit state. */
import type pg from 'pg';

/**
 * Runs `fn` on a pooled connection. A connection that dies while checked out emits 'error' on its
 * client, which the pool only listens for while the client is idle: unheard, it would end the
 * process. Such a connection, or one `fn` calls `lost` for, is not handed out again.
 */
export async function withClient<T>(
  pool: pg.Pool,
  fn: (client: pg.ClientBase, lost: () => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const lost = () => {
    broken = true;
  };
  client.on('error', lost);
  try {
    return await fn(client, lost);
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}

/** Deadlock or serialisation failure: the transaction did nothing and can run again. */
export function retryable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs `fn` in a transaction on a pooled connection, again after a deadlock or serialisation
 * failure, up to `attempts` times in all.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.ClientBase) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withClient(pool, async (client, lost) => {
        await client.query('BEGIN');
        try {
          const result = await fn(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          // A connection that cannot roll back is gone: do not hand it out again.
          await client.query('ROLLBACK').catch(lost);
          throw error;
        }
      });
    } catch (error) {
      if (attempt < attempts && retryable(error)) continue;
      throw error;
    }
  }
}
