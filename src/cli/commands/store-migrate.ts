import { needsMigration } from '../../store/migrate.ts';
import { type Command, writeLine } from '../command.ts';
import { openForCommand, storeSettings } from '../store-access.ts';

export const storeMigrateCommand: Command = {
  name: 'store migrate',
  summary: 'Migrate a data folder written by an older version (the bot also does it on start)',
  usage: 'store migrate',
  description: `Opens the data folder as its writer, which migrates older data to the current version and
keeps the old files, renamed (data/db.json becomes data/db.json.v1-migrated).`,
  async run(_args, io) {
    const { dir } = storeSettings(io);
    const pending = needsMigration(dir);
    const store = await openForCommand(io, 'writer');
    await store.close();
    writeLine(
      io.stdout,
      pending ? `Migrated ${dir} to the current data version.` : `${dir} is already current.`,
    );
    return 0;
  },
};
