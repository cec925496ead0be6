import { migrateStore } from '../../store/migrate-store.ts';
import { type Command, writeLine } from '../command.ts';
import { cliLogger, storeSettings } from '../store-access.ts';

export const storeMigrateCommand: Command = {
  name: 'store migrate',
  summary: 'Migrate a data folder or database written by an older version (the bot also does it on start)',
  usage: 'store migrate',
  description: `Brings the store STORE_URL names to the current version. A data folder is opened as its
writer, which migrates older data and keeps the old files, renamed (data/db.json becomes
data/db.json.v1-migrated). A PostgreSQL database gets the schema migrations it lacks (versioned SQL
files, each recorded in the schema_migrations table), in one transaction.`,
  async run(_args, io) {
    const { target } = storeSettings(io);
    writeLine(io.stdout, await migrateStore(target, cliLogger(io)));
    return 0;
  },
};
