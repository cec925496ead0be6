/**
 * A child process for the store's multi-process tests:
 *   hold DIR MS      open DIR as the writer, print "ready", keep the lock MS ms, close
 *   append DIR N     append events from N on forever, printing "event N", "flag N", "cursor N"
 *                    the moment each is acknowledged
 */

import { isSolidarityError } from '../src/errors.ts';
import { openFileStore } from '../src/store/file-store.ts';
import { at, flag, mentionEvent } from './store-fixtures.ts';

const [command, dir, arg] = process.argv.slice(2);

async function hold(ms: number): Promise<void> {
  try {
    const store = await openFileStore({ dir: dir!, mode: 'writer', inboxPollMs: 20 });
    process.stdout.write(`ready ${process.pid}\n`);
    await new Promise((r) => setTimeout(r, ms));
    await store.close();
    process.stdout.write('closed\n');
  } catch (error) {
    process.stdout.write(`error ${isSolidarityError(error) ? error.code : (error as Error).message}\n`);
    process.exitCode = 6;
  }
}

async function append(): Promise<void> {
  const store = await openFileStore({
    dir: dir!,
    mode: 'writer',
    inboxPollMs: 0,
    checkpointBytes: 64 * 1024,
  });
  let next = Number(arg ?? 0);
  process.stdout.write('ready\n');
  // Several appends in flight, each acknowledged on its own, as the monitor does.
  const worker = async () => {
    for (;;) {
      const n = next++;
      const when = at(n);
      // Each acknowledgement is printed the moment its promise resolves.
      await store.append(mentionEvent(n, when, n % 10 === 0));
      process.stdout.write(`event ${n}\n`);
      if (n % 10 === 0) {
        await store.addFlag(flag(n, when));
        process.stdout.write(`flag ${n}\n`);
      }
      await store.setCursor('child', String(n));
      process.stdout.write(`cursor ${n}\n`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

if (command === 'hold') await hold(Number(arg));
else if (command === 'append') await append();
else throw new Error(`unknown command ${command}`);
