/**
 * Who is reviewing which flag, so two moderators do not work on the same one at once. A claim
 * lasts while its holder is active on the flag and expires after CLAIM_IDLE_MS without activity.
 * Kept where the store keeps sessions: in memory with the file store (a restart releases every
 * claim, the harmless direction), in the database with PostgreSQL (every instance sees it).
 */
import type { ClaimRecord, SessionStorage } from '../store/sessions.ts';

export const CLAIM_IDLE_MS = 10 * 60 * 1000;

export type Claim = ClaimRecord;

export class ClaimTable {
  private readonly storage: SessionStorage;
  private readonly now: () => number;

  constructor(now: () => number, storage: SessionStorage) {
    this.now = now;
    this.storage = storage;
  }

  /** The live claim on a flag, if any. */
  async holder(flagId: string): Promise<Claim | undefined> {
    return (await this.holders([flagId])).get(flagId);
  }

  /** The live claims on these flags (a queue page). */
  holders(flagIds: readonly string[]): Promise<Map<string, Claim>> {
    return this.storage.claims(flagIds, this.now() - CLAIM_IDLE_MS);
  }

  /** Held by someone other than `by`. */
  async heldByOther(flagId: string, by: string): Promise<Claim | undefined> {
    const claim = await this.holder(flagId);
    return claim && claim.by !== by ? claim : undefined;
  }

  /**
   * Claims a flag for `by`. Refused (returns the other claim) when someone else holds it, unless
   * `takeOver` says the moderator chose to.
   */
  async claim(
    flagId: string,
    by: string,
    takeOver = false,
  ): Promise<{ ok: true } | { ok: false; heldBy: Claim }> {
    const at = this.now();
    const held = await this.storage.takeClaim(flagId, by, at, at - CLAIM_IDLE_MS, takeOver);
    return held.by === by ? { ok: true } : { ok: false, heldBy: held };
  }

  /** Keeps `by`'s claim alive (they looked at or decided on the flag). */
  touch(flagId: string, by: string): Promise<void> {
    const at = this.now();
    return this.storage.touchClaim(flagId, by, at, at - CLAIM_IDLE_MS);
  }

  release(flagId: string, by: string): Promise<void> {
    return this.storage.releaseClaim(flagId, by);
  }
}
