/** The store the dashboard benchmark runs on. */
import type { Store } from '../src/store/types.ts';
import { MemoryStore } from '../tests/_memory-store.ts';

export async function openBenchStore(
  _dir: string,
): Promise<{ store: Store; kind: string; close: () => Promise<void> }> {
  const store = new MemoryStore();
  return { store, kind: 'memory', close: () => store.close() };
}
