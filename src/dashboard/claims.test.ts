import { describe, expect, it } from 'vitest';
import { sessionStorageBackends } from '../../tests/_session-storage.ts';
import { CLAIM_IDLE_MS, ClaimTable } from './claims.ts';

const backends = sessionStorageBackends('claims');

describe.each(backends)('claims (%s)', (_name, storage) => {
  it('one holder at a time unless taken over; expires after 10 minutes idle; activity keeps it', async () => {
    let now = 0;
    const claims = new ClaimTable(() => now, await storage());
    expect(await claims.claim('f1', 'alice')).toEqual({ ok: true });
    const refused = await claims.claim('f1', 'bob');
    expect(refused.ok).toBe(false);
    expect((await claims.heldByOther('f1', 'bob'))?.by).toBe('alice');
    now += CLAIM_IDLE_MS - 1000;
    await claims.touch('f1', 'alice');
    now += CLAIM_IDLE_MS - 1000;
    expect((await claims.holder('f1'))?.by).toBe('alice');
    now += 1000;
    expect(await claims.holder('f1')).toBeUndefined();
    expect(await claims.claim('f1', 'bob')).toEqual({ ok: true });
    expect(await claims.claim('f1', 'alice', true)).toEqual({ ok: true });
    expect((await claims.holder('f1'))?.by).toBe('alice');
    await claims.release('f1', 'bob');
    expect((await claims.holder('f1'))?.by).toBe('alice');
    await claims.release('f1', 'alice');
    expect(await claims.holder('f1')).toBeUndefined();
  });

  it('two instances sharing the storage: a claim made on one holds on the other', async () => {
    const now = 1_000_000;
    const shared = await storage();
    const a = new ClaimTable(() => now, shared);
    const b = new ClaimTable(() => now, shared);
    const [first, second] = await Promise.all([a.claim('f1', 'alice'), b.claim('f1', 'bob')]);
    // Exactly one of two claims made at once gets it.
    expect([first.ok, second.ok].filter(Boolean)).toHaveLength(1);
    const holder = first.ok ? 'alice' : 'bob';
    expect((await b.holder('f1'))?.by).toBe(holder);
    expect([...(await b.holders(['f1', 'f2'])).keys()]).toEqual(['f1']);
  });
});
