/**
 * A writer for the PostgreSQL crash test:
 *   _pg-tx-child.ts URL FIRST   opens the store at URL as the bot and commits transactions without
 *                               pause, 200 in flight: for n = FIRST, FIRST+1, …, the mention n, a
 *                               flag when n is a multiple of 10, and the cursor "child" = n. Prints
 *                               "tx N" once each is acknowledged, until killed.
 */
import { openStore } from '../src/store/open.ts';
import { at, flag, mentionEvent } from './store-fixtures.ts';

const url = process.argv[2]!;
const first = Number(process.argv[3]);
const store = await openStore(url, { use: 'bot', pruneEveryMs: 0 });
const inFlight = new Set<Promise<void>>();
for (let n = first; ; n++) {
  const flagged = n % 10 === 0;
  const work = store
    .commit({
      events: [mentionEvent(n, at(n), flagged)],
      ...(flagged ? { flags: [flag(n, at(n))] } : {}),
      cursors: [{ key: 'child', value: String(n) }],
    })
    .then(() => {
      process.stdout.write(`tx ${n}\n`);
    });
  inFlight.add(work);
  void work.finally(() => inFlight.delete(work));
  if (inFlight.size >= 200) await Promise.race(inFlight);
}
