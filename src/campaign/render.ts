/** The final text of a post: the slot's message for a platform, with variables and hashtags filled in. */
import { postSettingsFor } from '../platforms/registry.ts';
import { type Measure, measure, type PlatformLengthSettings } from './limits.ts';
import { messageIndexFor } from './rotation.ts';
import type { Campaign, Platform } from './schema.ts';
import type { Slot } from './slots.ts';
import { renderTemplate, usesVariable } from './template.ts';
import { toWallTime } from './time.ts';

/** What will be posted for one slot on one platform. */
export interface PostDraft {
  campaign: string;
  slotKey: string;
  slotAt: Date;
  platform: Platform;
  messageIndex: number;
  text: string;
  lang: string;
  measure: Measure;
}

export function messageTemplate(campaign: Campaign, messageIndex: number, platform: Platform): string {
  const message = campaign.messages[messageIndex]!;
  return message[platform] ?? message.text;
}

export function hashtagsFor(campaign: Campaign, platform: Platform): string[] {
  return campaign.overrides[platform]?.hashtags ?? campaign.hashtags;
}

export interface TemplateValues {
  date: string;
  weekday: string;
  time: string;
  day: string;
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (validation formats a
// whole year of dates per campaign), so each language, zone and kind is built once.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(language: string, timeZone: string, kind: 'date' | 'weekday'): Intl.DateTimeFormat {
  const key = `${language}|${timeZone}|${kind}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      language,
      kind === 'date'
        ? { timeZone, day: 'numeric', month: 'long', year: 'numeric' }
        : { timeZone, weekday: 'long' },
    );
    dateFormats.set(key, format);
  }
  return format;
}

/** Date variables for an instant, in the campaign's language and zone. */
export function dateValues(campaign: Campaign, at: Date): TemplateValues {
  const zone = { timeZone: campaign.timezone };
  const wall = toWallTime(at, campaign.timezone);
  const startWall = toWallTime(campaign.start, campaign.timezone);
  const dayNumber =
    Math.round(
      (Date.UTC(wall.year, wall.month - 1, wall.day) -
        Date.UTC(startWall.year, startWall.month - 1, startWall.day)) /
        86_400_000,
    ) + 1;
  return {
    date: dateFormat(campaign.language, zone.timeZone, 'date').format(at),
    weekday: dateFormat(campaign.language, zone.timeZone, 'weekday').format(at),
    time: `${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}`,
    day: String(dayNumber),
  };
}

function hasHashtag(text: string, tag: string): boolean {
  const escaped = tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_])#${escaped}(?![\\p{L}\\p{N}_])`, 'iu').test(text);
}

/** Fills a template; hashtags go where {hashtags} stands, or at the end unless already in the text. */
export function fillMessage(
  campaign: Campaign,
  template: string,
  platform: Platform,
  values: TemplateValues,
): string {
  const tags = hashtagsFor(campaign, platform);
  const variables: Record<string, string> = {
    campaign: campaign.name,
    hashtags: tags.map((t) => `#${t}`).join(' '),
    ...values,
  };
  for (const [name, url] of Object.entries(campaign.links)) variables[`link.${name}`] = url;
  let text = renderTemplate(template, variables).trim();
  if (!usesVariable(template, 'hashtags')) {
    const missing = tags.filter((t) => !hasHashtag(text, t));
    if (missing.length > 0) text = `${text} ${missing.map((t) => `#${t}`).join(' ')}`;
  }
  return text;
}

/**
 * The post a slot makes on a platform, measured with the account's length settings (a Mastodon
 * instance's own limit) and any content warning the platform shows before it.
 */
export function renderPost(
  campaign: Campaign,
  slot: Slot,
  platform: Platform,
  settings: PlatformLengthSettings = {},
): PostDraft {
  const messageIndex = messageIndexFor(slot.index, campaign.messages.length, campaign.rotation, campaign.id);
  const text = fillMessage(
    campaign,
    messageTemplate(campaign, messageIndex, platform),
    platform,
    dateValues(campaign, slot.at),
  );
  return {
    campaign: campaign.id,
    slotKey: slot.key,
    slotAt: slot.at,
    platform,
    messageIndex,
    text,
    lang: campaign.language,
    measure: measure(
      `${postSettingsFor(campaign.overrides, platform).spoilerText ?? ''}${text}`,
      platform,
      settings,
    ),
  };
}
