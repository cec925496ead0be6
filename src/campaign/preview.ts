/** What a campaign will post, when: the rows `solidarity preview` prints. Pure. */
import type { PlatformLengthSettings } from './limits.ts';
import { type PostDraft, renderPost } from './render.ts';
import type { Campaign, Platform } from './schema.ts';
import { nextSlots } from './slots.ts';
import { formatWithOffset } from './time.ts';

export interface PreviewRow {
  /** ISO 8601 with the campaign zone's offset. */
  at: string;
  utc: string;
  timezone: string;
  campaign: string;
  slot: string;
  platform: Platform;
  text: string;
  length: number;
  limit: number;
  unit: string;
  fits: boolean;
  messageIndex: number;
}

export function toPreviewRow(campaign: Campaign, draft: PostDraft): PreviewRow {
  return {
    at: formatWithOffset(draft.slotAt, campaign.timezone),
    utc: draft.slotAt.toISOString(),
    timezone: campaign.timezone,
    campaign: campaign.id,
    slot: draft.slotKey,
    platform: draft.platform,
    text: draft.text,
    length: draft.measure.length,
    limit: draft.measure.limit,
    unit: draft.measure.unit,
    fits: draft.measure.fits,
    messageIndex: draft.messageIndex,
  };
}

/** The next `runs` posts after `from` (one per slot and platform), in time order. */
export function previewPosts(
  campaign: Campaign,
  from: Date,
  runs: number,
  platforms: readonly Platform[] = campaign.platforms,
  settings: PlatformLengthSettings = {},
): PreviewRow[] {
  const perSlot = Math.max(platforms.length, 1);
  const slots = nextSlots(campaign, from, Math.ceil(runs / perSlot));
  const rows: PreviewRow[] = [];
  for (const slot of slots) {
    for (const platform of platforms) {
      if (rows.length >= runs) return rows;
      rows.push(toPreviewRow(campaign, renderPost(campaign, slot, platform, settings)));
    }
  }
  return rows;
}
