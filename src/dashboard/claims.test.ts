import { describe, expect, it } from 'vitest';
import { CLAIM_IDLE_MS, ClaimTable } from './claims.ts';

describe('claims', () => {
  it('one holder at a time unless taken over; expires after 10 minutes idle; activity keeps it', () => {
    let now = 0;
    const claims = new ClaimTable(() => now);
    expect(claims.claim('f1', 'alice')).toEqual({ ok: true });
    const refused = claims.claim('f1', 'bob');
    expect(refused.ok).toBe(false);
    expect(claims.heldByOther('f1', 'bob')?.by).toBe('alice');
    now += CLAIM_IDLE_MS - 1000;
    claims.touch('f1', 'alice');
    now += CLAIM_IDLE_MS - 1000;
    expect(claims.holder('f1')?.by).toBe('alice');
    now += 1000;
    expect(claims.holder('f1')).toBeUndefined();
    expect(claims.claim('f1', 'bob')).toEqual({ ok: true });
    expect(claims.claim('f1', 'alice', true)).toEqual({ ok: true });
    expect(claims.holder('f1')?.by).toBe('alice');
  });
});
