import type { Command } from '../command.ts';
import { exportCommand } from './export.ts';
import { storeMigrateCommand } from './store-migrate.ts';
import { storePruneCommand } from './store-prune.ts';
import { storeVerifyCommand } from './store-verify.ts';

/** Every CLI command, in the order `solidarity --help` lists them. */
export const COMMANDS: Command[] = [
  exportCommand,
  storeVerifyCommand,
  storePruneCommand,
  storeMigrateCommand,
];
