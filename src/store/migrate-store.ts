/**
 * `solidarity store migrate` for any backend: brings the data STORE_URL names to the current
 * version (the bot also does it on start) and says what changed, in one line.
 */
import type { Logger } from 'pino';
import { needsMigration } from './migrate.ts';
import { describeTarget, openStore, type StoreTarget } from './open.ts';

export async function migrateStore(target: StoreTarget, logger: Logger): Promise<string> {
  const where = describeTarget(target);
  if (target.backend === 'file') {
    const pending = needsMigration(target.dir);
    // Opening the folder as its writer migrates it.
    const store = await openStore(target, { use: 'change', logger });
    await store.close();
    return pending ? `Migrated ${where} to the current data version.` : `${where} is already current.`;
  }
  const path = './postgres/store.ts';
  const { migratePostgres } = (await import(path)) as typeof import('./postgres/store.ts');
  const status = await migratePostgres(target.url, logger);
  return status.applied.length > 0
    ? `Migrated ${where} from schema version ${status.from} to ${status.to} (${status.applied.join(', ')}).`
    : `${where} is already current (schema version ${status.to}).`;
}
