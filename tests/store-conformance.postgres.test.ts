/**
 * The store conformance suite on PostgreSQL: this file gets a database on the run's throwaway
 * server (tests/_postgres.ts), and each test a fresh schema in it (the store's connections use it
 * through search_path in the URL), dropped after the test. A schema is much cheaper to make than
 * a database.
 */
import { createSchema, dropSchema } from '../src/store/postgres/admin.ts';
import { postgresAvailable, testDatabase } from './_postgres.ts';
import { describeStoreConformance } from './store-conformance/index.ts';
import { tempDataDir } from './store-fixtures.ts';

let database: Promise<string> | undefined;
let schemas = 0;

if (postgresAvailable('store-conformance.postgres')) {
  describeStoreConformance('postgres', {
    async fresh() {
      database ??= testDatabase();
      const base = await database;
      const schema = `test_${++schemas}`;
      const url = await createSchema(base, schema);
      // Logs and the local outbox of a CLI run stay in a folder, whatever STORE_URL says.
      const { dir, cleanup } = tempDataDir('solidarity-conformance-pg-');
      return {
        url,
        env: { STORE_URL: url, SOLIDARITY_DATA_DIR: dir },
        cleanup: async () => {
          cleanup();
          await dropSchema(base, schema);
        },
      };
    },
  });
}
