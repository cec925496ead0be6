/** The store conformance suite on the file store: fresh data is a new temp folder. */
import { describeStoreConformance } from './store-conformance/index.ts';
import { tempDataDir } from './store-fixtures.ts';

describeStoreConformance('file', {
  async fresh() {
    const { dir, cleanup } = tempDataDir('solidarity-conformance-');
    return { url: `file:${dir}`, env: { SOLIDARITY_DATA_DIR: dir }, cleanup };
  },
  options: { fsync: false },
});
