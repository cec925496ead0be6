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
    const { target, where } = storeSettings(io);
    const pending = target.backend === 'file' ? needsMigration(target.dir) : false;
    const store = await openForCommand(io, 'change');
    await store.close();
    writeLine(
      io.stdout,
      pending ? `Migrated ${where} to the current data version.` : `${where} is already current.`,
    );
    return 0;
  },
};
