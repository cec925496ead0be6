/**
 * Who is reviewing which flag, so two moderators do not work on the same one at once. A claim
 * lasts while its holder is active on the flag and expires after CLAIM_IDLE_MS without activity.
 * Held in memory: a restart releases every claim, which is the harmless direction.
 */
export const CLAIM_IDLE_MS = 10 * 60 * 1000;

export interface Claim {
  by: string;
  since: number;
  lastActive: number;
}

export class ClaimTable {
  private readonly claims = new Map<string, Claim>();

  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** The live claim on a flag, if any. */
  holder(flagId: string): Claim | undefined {
    const claim = this.claims.get(flagId);
    if (claim && this.now() - claim.lastActive >= CLAIM_IDLE_MS) {
      this.claims.delete(flagId);
      return undefined;
    }
    return claim;
  }

  /** Held by someone other than `by`. */
  heldByOther(flagId: string, by: string): Claim | undefined {
    const claim = this.holder(flagId);
    return claim && claim.by !== by ? claim : undefined;
  }

  /**
   * Claims a flag for `by`. Refused (returns the other claim) when someone else holds it, unless
   * `takeOver` says the moderator chose to.
   */
  claim(flagId: string, by: string, takeOver = false): { ok: true } | { ok: false; heldBy: Claim } {
    const other = this.heldByOther(flagId, by);
    if (other && !takeOver) return { ok: false, heldBy: other };
    const at = this.now();
    const mine = this.holder(flagId);
    this.claims.set(flagId, { by, since: mine?.by === by ? mine.since : at, lastActive: at });
    if (this.claims.size > 10_000) this.sweep();
    return { ok: true };
  }

  /** Keeps `by`'s claim alive (they looked at or decided on the flag). */
  touch(flagId: string, by: string): void {
    const claim = this.holder(flagId);
    if (claim?.by === by) claim.lastActive = this.now();
  }

  release(flagId: string, by: string): void {
    if (this.holder(flagId)?.by === by) this.claims.delete(flagId);
  }

  private sweep(): void {
    const at = this.now();
    for (const [id, c] of this.claims) if (at - c.lastActive >= CLAIM_IDLE_MS) this.claims.delete(id);
  }
}
