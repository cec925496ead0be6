/** What monitoring needs from a Campaign: its tags, its own words and accounts, its scoring options. */
import { dateValues, fillMessage, messageTemplate } from '../campaign/render.ts';
import type { Campaign, Platform } from '../campaign/schema.ts';
import { normaliseHashtag } from '../core/hashtags.ts';
import { OUTBOX_PLATFORM } from '../platforms/registry.ts';
import { scoreOptionsFrom } from '../scoring/config.ts';
import { OWN_TEXT_WILDCARD } from './own-posts.ts';
import type { MonitoredCampaign } from './types.ts';

const WILDCARD_VALUES = {
  date: OWN_TEXT_WILDCARD,
  weekday: OWN_TEXT_WILDCARD,
  time: OWN_TEXT_WILDCARD,
  day: OWN_TEXT_WILDCARD,
};

/**
 * Every message of the campaign as each platform would post it, with date and time variables left
 * open (they change from post to post).
 */
export function ownMessagePatterns(campaign: Campaign): string[] {
  // Also as the outbox renders them: in most campaigns, the plain message text.
  const platforms = new Set<Platform>([...campaign.platforms, OUTBOX_PLATFORM.id]);
  const texts = new Set<string>();
  campaign.messages.forEach((_, index) => {
    for (const platform of platforms) {
      texts.add(fillMessage(campaign, messageTemplate(campaign, index, platform), platform, WILDCARD_VALUES));
    }
  });
  return [...texts];
}

export interface MonitoredCampaignOptions {
  /** The bot's own account ids and handles (Bluesky DID and handle, X user id and username). */
  ownAccounts?: readonly string[];
  /** Texts the bot actually posted for this campaign (from the post journal). */
  postedTexts?: readonly string[];
  /** For the date variables in the messages handed to the scorer. */
  now?: Date;
}

export function monitoredCampaign(
  campaign: Campaign,
  options: MonitoredCampaignOptions = {},
): MonitoredCampaign {
  const now = options.now ?? new Date();
  const today = dateValues(campaign, now);
  const rendered = campaign.messages.map((_, i) =>
    fillMessage(campaign, messageTemplate(campaign, i, OUTBOX_PLATFORM.id), OUTBOX_PLATFORM.id, today),
  );
  const hashtags = [...new Set(campaign.monitorHashtags.map(normaliseHashtag))];
  return {
    id: campaign.id,
    hashtags,
    ownMessages: [...ownMessagePatterns(campaign), ...(options.postedTexts ?? [])],
    ownAccounts: [...(options.ownAccounts ?? [])],
    scoreOptions: {
      ...scoreOptionsFrom(campaign.scoring),
      ownMessages: [...rendered, ...(options.postedTexts ?? [])],
      campaignHashtags: [...new Set([...hashtags, ...campaign.hashtags.map(normaliseHashtag)])],
    },
  };
}
