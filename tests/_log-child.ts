/**
 * Logs numbered lines as fast as it can into a daily log file in the folder given as argument,
 * and after each hundred prints on stdout how many it has logged; the test kills it with SIGKILL.
 */
import { writeSync } from 'node:fs';
import { createLogger } from '../src/logger.ts';

const logger = createLogger({ level: 'info', dir: process.argv[2], console: false });
let i = 0;
const levels = ['info', 'warn', 'error'] as const;
function batch(): void {
  for (let n = 0; n < 100; n++, i++) logger[levels[i % 3]!]({ i, pad: 'x'.repeat(i % 50) }, 'line');
  writeSync(1, `${i}\n`);
  setImmediate(batch);
}
batch();
