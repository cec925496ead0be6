/**
 * What the store conformance suite needs from a backend: fresh, empty data it can open through
 * `openStore(url, …)` like the bot does, and remove afterwards. Every backend runs the same tests.
 */
import { afterEach } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import type { Store, StoreOpenOptions, StoreUse } from '../../src/store/types.ts';

/** One place for data: a folder, or a database. */
export interface StoreData {
  /** STORE_URL of the data. */
  url: string;
  /** Environment for a CLI run on this data: STORE_URL, and a folder for logs and the outbox. */
  env: Record<string, string>;
}

/** A backend under test. */
export interface StoreBackend {
  /** Fresh, empty data, removed by `cleanup` after the test. */
  fresh(): Promise<StoreData & { cleanup(): unknown }>;
  /** Options given on every open (e.g. fsync off: these tests are not about power cuts). */
  options?: Partial<StoreOpenOptions>;
}

/** Fresh data in a test: open handles on it; every handle is closed after the test. */
export interface TestData extends StoreData {
  open(use: StoreUse, options?: Partial<Omit<StoreOpenOptions, 'use'>>): Promise<Store>;
}

export interface Conformance {
  /** Fresh data for this test. */
  data(): Promise<TestData>;
}

/** Wires a backend to vitest: handles and data are undone after each test, last first. */
export function conformance(backend: StoreBackend): Conformance {
  const undo: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of undo.splice(0).reverse()) await step();
  });
  return {
    async data() {
      const data = await backend.fresh();
      undo.push(() => data.cleanup());
      return {
        url: data.url,
        env: data.env,
        async open(use, options = {}) {
          const store = await openStore(data.url, { pruneEveryMs: 0, ...backend.options, ...options, use });
          undo.push(() => store.close());
          return store;
        },
      };
    },
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
