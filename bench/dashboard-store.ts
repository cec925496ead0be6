/** The store the dashboard benchmark runs on: the real file store in a temp folder. */
import { openStore } from '../src/store/index.ts';
import type { Store } from '../src/store/types.ts';

export async function openBenchStore(
  dir: string,
): Promise<{ store: Store; kind: string; close: () => Promise<void> }> {
  const store = await openStore({ backend: 'file', dir }, { use: 'bot', fsync: false, pruneEveryMs: 0 });
  return { store, kind: 'file', close: () => store.close() };
}
