/**
 * A bot-like writer in its own process, for the conformance suite's readers test:
 *   writer-child.ts URL    opens the store at URL as the bot, then without pause appends a mention,
 *                          adds a flag for every tenth, and moves the cursor "child" to its number,
 *                          printing "cursor N" once each is acknowledged, until killed.
 */
import { openStore } from '../../src/store/open.ts';
import { at, flag, mentionEvent } from '../store-fixtures.ts';

const url = process.argv[2]!;
const store = await openStore(url, { use: 'bot', pruneEveryMs: 0, fsync: false });
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  const when = at(n);
  await store.append(mentionEvent(n, when, n % 10 === 0));
  if (n % 10 === 0) await store.addFlag(flag(n, when));
  await store.setCursor('child', String(n));
  process.stdout.write(`cursor ${n}\n`);
}
