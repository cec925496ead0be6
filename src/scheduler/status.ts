/**
 * What `solidarity status` reports, per campaign and platform, from the campaigns and the store.
 * Pure but for the store reads; credential checks are added by the command.
 */
import type { Campaign, Platform } from '../campaign/schema.ts';
import { nextSlotAt } from '../campaign/slots.ts';
import { formatWithOffset } from '../campaign/time.ts';
import type { CredentialCheck, RateLimitState } from '../platforms/types.ts';
import type { JournalEntry, Store } from '../store/types.ts';
import { holdFor } from './controls.ts';
import { isFinal, platformStopKey, rateLimitKey } from './publish.ts';

export interface PlatformStatus {
  platform: Platform;
  nextSlot?: string;
  /** The last confirmed post: when it was posted (postedAt), for which slot, and where. */
  lastPost?: { postedAt: string; slotAt: string; url?: string; remoteId?: string };
  pending: Array<{ key: string; slotAt: string; state: string; attempts: number; note?: string }>;
  needsAttention: Array<{ key: string; slotAt: string; note?: string }>;
  rateLimit?: { limitedUntil: string; active: boolean };
  /** What the network's rate-limit headers said at the login check (X-RateLimit-*). */
  rateLimitNow?: RateLimitState;
  stopped?: { code: string; message: string; at: string };
  credentials?: CredentialCheck;
}

export interface CampaignStatus {
  id: string;
  name: string;
  state: 'running' | 'held';
  hold?: string;
  platforms: PlatformStatus[];
}

export async function campaignStatus(
  campaign: Campaign,
  store: Pick<Store, 'getState' | 'listJournal'>,
  now: Date,
  credentials: Partial<Record<Platform, CredentialCheck>> = {},
  rateLimits: Partial<Record<Platform, RateLimitState>> = {},
): Promise<CampaignStatus> {
  const hold = await holdFor(campaign, store);
  const journal = await store.listJournal({ campaign: campaign.id });
  const next = nextSlotAt(campaign, now);
  const platforms: PlatformStatus[] = [];
  for (const platform of campaign.platforms) {
    const mine = journal.filter((e) => e.platform === platform);
    const confirmed = mine
      .filter((e) => e.state === 'confirmed')
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
    const limit = await store.getState<{ limitedUntil: string }>(rateLimitKey(platform));
    const stopped = await store.getState<{ code: string; message: string; at: string } | null>(
      platformStopKey(platform),
    );
    const status: PlatformStatus = {
      platform,
      pending: mine
        .filter((e) => !isFinal(e))
        .map((e: JournalEntry) => ({
          key: e.key,
          slotAt: e.slotAt,
          state: e.state,
          attempts: e.attempts,
          ...(e.note ? { note: e.note } : {}),
        })),
      needsAttention: mine
        .filter((e) => e.state === 'needs-attention')
        .map((e) => ({ key: e.key, slotAt: e.slotAt, ...(e.note ? { note: e.note } : {}) })),
    };
    if (next) status.nextSlot = formatWithOffset(next, campaign.timezone);
    if (confirmed) {
      status.lastPost = {
        postedAt: confirmed.updatedAt,
        slotAt: confirmed.slotAt,
        ...(confirmed.url ? { url: confirmed.url } : {}),
        ...(confirmed.remoteId ? { remoteId: confirmed.remoteId } : {}),
      };
    }
    if (limit?.limitedUntil) {
      status.rateLimit = { limitedUntil: limit.limitedUntil, active: new Date(limit.limitedUntil) > now };
    }
    if (stopped) status.stopped = stopped;
    const check = credentials[platform];
    if (check) status.credentials = check;
    const reported = rateLimits[platform];
    if (reported) status.rateLimitNow = reported;
    platforms.push(status);
  }
  return {
    id: campaign.id,
    name: campaign.name,
    state: hold.held ? 'held' : 'running',
    ...(hold.held ? { hold: hold.reason } : {}),
    platforms,
  };
}

/** Readable lines for the terminal. */
export function formatStatus(statuses: CampaignStatus[]): string[] {
  const lines: string[] = [];
  for (const c of statuses) {
    lines.push(`${c.id} (${c.name}): ${c.state === 'held' ? `HELD — ${c.hold}` : 'running'}`);
    for (const p of c.platforms) {
      lines.push(`  ${p.platform}`);
      lines.push(`    next slot:        ${p.nextSlot ?? 'none (the campaign has ended)'}`);
      lines.push(
        `    last post:        ${p.lastPost ? `${p.lastPost.postedAt}  ${p.lastPost.url ?? p.lastPost.remoteId ?? ''}  (slot ${p.lastPost.slotAt})` : 'none yet'}`,
      );
      lines.push(`    pending:          ${p.pending.length}`);
      for (const e of p.pending)
        lines.push(`      ${e.slotAt} ${e.state} (attempt ${e.attempts})${e.note ? `: ${e.note}` : ''}`);
      lines.push(`    needs attention:  ${p.needsAttention.length}`);
      for (const e of p.needsAttention) lines.push(`      ${e.slotAt}: ${e.note ?? ''}`);
      lines.push(
        `    rate limit:       ${p.rateLimit ? (p.rateLimit.active ? `limited until ${p.rateLimit.limitedUntil}` : `last limited until ${p.rateLimit.limitedUntil} (over)`) : 'none reported'}`,
      );
      if (p.rateLimitNow?.limit !== undefined) {
        const r = p.rateLimitNow;
        lines.push(
          `    rate limit now:   ${r.remaining ?? '?'}/${r.limit} requests left${r.resetAt ? `, window resets ${r.resetAt}` : ''}`,
        );
      }
      if (p.stopped)
        lines.push(`    STOPPED:          ${p.stopped.code} at ${p.stopped.at}: ${p.stopped.message}`);
      if (p.credentials) {
        lines.push(
          `    credentials:      ${p.credentials.ok ? 'ok' : 'PROBLEM'} — ${p.credentials.message}${p.credentials.hint && !p.credentials.ok ? `\n      ${p.credentials.hint}` : ''}`,
        );
      }
    }
  }
  return lines;
}
