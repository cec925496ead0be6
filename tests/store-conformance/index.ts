/**
 * The store conformance suite: every behaviour of the `Store` interface that is not about files,
 * run against one backend. A backend's test file calls describeStoreConformance with a factory of
 * fresh, empty data; see tests/store-conformance.file.test.ts.
 */
import { describe } from 'vitest';
import { activityTests } from './activity.ts';
import { consistencyTests } from './consistency.ts';
import { exportTests } from './export.ts';
import { handleTests } from './handles.ts';
import { conformance, type StoreBackend } from './harness.ts';
import { queueTests } from './queue.ts';
import { recordTests } from './records.ts';
import { retentionTests } from './retention.ts';

export type { StoreBackend, StoreData } from './harness.ts';

export function describeStoreConformance(name: string, backend: StoreBackend): void {
  describe(`store conformance: ${name}`, () => {
    const suite = conformance(backend);
    activityTests(suite);
    recordTests(suite);
    queueTests(suite);
    handleTests(suite);
    retentionTests(suite);
    exportTests(suite);
    consistencyTests(suite);
  });
}
