/**
 * Opens the store STORE_URL names. The only place that chooses a backend: the rest of the code
 * receives a `Store` and never names a concrete one.
 *   file:<folder>            the file store in that folder (`file:` alone: SOLIDARITY_DATA_DIR)
 *   postgres://… postgresql://…   PostgreSQL
 */
import { resolve } from 'node:path';
import { isSolidarityError, SolidarityError } from '../errors.ts';
import type { Store, StoreOpenOptions } from './types.ts';

/** Where the data lives, parsed from STORE_URL. */
export type StoreTarget = { backend: 'file'; dir: string } | { backend: 'postgres'; url: string };

/**
 * Parses a store URL. Unset or empty, and `file:` with no folder, mean the file store in
 * `defaultDir` (SOLIDARITY_DATA_DIR). A relative folder is taken from the working directory.
 */
export function parseStoreUrl(url: string | undefined, defaultDir = 'data'): StoreTarget {
  const text = (url ?? '').trim();
  if (text === '' || text === 'file:') return { backend: 'file', dir: resolve(defaultDir) };
  if (text.startsWith('file:')) {
    let rest = text.slice('file:'.length);
    // file:///abs/path and file://localhost/abs/path as well as file:relative and file:/abs.
    if (rest.startsWith('//')) {
      const parsed = URL.canParse(text) ? new URL(text) : undefined;
      if (!parsed || (parsed.host !== '' && parsed.host !== 'localhost')) {
        throw storeUrlError(
          text,
          'a file: URL names a folder on this machine (file:data, file:/srv/bot/data)',
        );
      }
      rest = decodeURIComponent(parsed.pathname);
    }
    return { backend: 'file', dir: resolve(rest) };
  }
  if (/^postgres(ql)?:\/\//i.test(text)) {
    if (!URL.canParse(text)) throw storeUrlError(text, 'the PostgreSQL URL does not parse');
    return { backend: 'postgres', url: text };
  }
  throw storeUrlError(text, 'it is neither file:<folder> nor postgres://…');
}

function storeUrlError(url: string, why: string): SolidarityError {
  return new SolidarityError('ENV_INVALID', `STORE_URL "${redactUrl(url)}" is not usable: ${why}.`, {
    hint: 'Set STORE_URL to file:data (the default, a folder) or postgres://USER:PASSWORD@HOST:5432/DATABASE.',
  });
}

/** A URL fit to print: the password replaced by ***. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  // The driver also takes the password as a query parameter (?password=…).
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
  return parsed.toString();
}

/** Where the data is, fit to print. */
export function describeTarget(target: StoreTarget): string {
  return target.backend === 'file' ? target.dir : redactUrl(target.url);
}

/** What a backend module exports: `openPostgresStore` in ./postgres/store.ts. */
interface PostgresModule {
  openPostgresStore(url: string, options: StoreOpenOptions): Promise<Store>;
}

/** Opens the store at `target` (see parseStoreUrl) for `options.use`. */
export async function openStore(target: StoreTarget | string, options: StoreOpenOptions): Promise<Store> {
  const where = typeof target === 'string' ? parseStoreUrl(target) : target;
  if (where.backend === 'file') {
    const { openFileStoreFor } = await import('./file-store.ts');
    return openFileStoreFor(where.dir, options);
  }
  let backend: PostgresModule;
  try {
    // A variable specifier: the module is optional until it exists, and loads only when used.
    const path = './postgres/store.ts';
    backend = (await import(path)) as PostgresModule;
  } catch (error) {
    if (isSolidarityError(error)) throw error;
    throw new SolidarityError(
      'STORE_UNAVAILABLE',
      `STORE_URL names PostgreSQL (${redactUrl(where.url)}), but this build has no PostgreSQL store: ${(error as Error).message}`,
      {
        hint: 'Use the file store (unset STORE_URL, or STORE_URL=file:data), or update solidarity-bot.',
        cause: error,
      },
    );
  }
  return backend.openPostgresStore(where.url, options);
}
