/**
 * The campaign file, as organisers write it (YAML or JSON, snake_case keys), and the Campaign the
 * rest of the bot uses (camelCase, times resolved). `campaigns/schema.json` is generated from
 * CampaignFileSchema (`npm run schema`), so editors can autocomplete campaign files.
 */
import { z } from 'zod';
import {
  PLATFORM_IDS,
  PLATFORM_REGISTRY,
  type Platform,
  type PlatformOverrides,
} from '../platforms/registry.ts';
import { type ScoringConfig, ScoringConfigSchema } from '../scoring/config.ts';

/** The platform ids, from the registry (src/platforms/registry.ts: pure, no SDK loads). */
export const PLATFORMS = PLATFORM_IDS;
export type { Platform };

/** "local, x or bluesky": the registry's ids for messages. */
const platformList = `${PLATFORM_IDS.slice(0, -1).join(', ')} or ${PLATFORM_IDS.at(-1)}`;

const hashtag = z
  .string()
  .regex(/^#?[\p{L}\p{N}_]+$/u, 'a hashtag is letters, digits and _ only (no spaces or punctuation)')
  .describe('A hashtag, with or without the leading #.');

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use 24-hour HH:MM, e.g. "22:30"')
  .describe('24-hour wall-clock time in the campaign time zone, HH:MM.');

const dateTime = z
  .string()
  .describe(
    'ISO 8601 date-time. Without an offset it is wall-clock time in the campaign time zone ' +
      '(e.g. "2026-03-22T09:00"); with one it is an exact instant ("2026-03-22T09:00:00Z").',
  );

const messageText = z.string().min(1, 'a message cannot be empty');

export const IMAGE_TYPES = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
} as const;
/** Bluesky's limit per image (X allows 5 MB); the smaller one decides. */
export const IMAGE_MAX_BYTES = 1_000_000;

const messageImage = z
  .strictObject({
    file: z
      .string()
      .regex(/\.(png|jpe?g|gif|webp)$/i, 'an image file is .png, .jpg, .jpeg, .gif or .webp')
      .describe('Image file, relative to the campaign file (at most 1 MB).'),
    alt: z
      .string()
      .trim()
      .min(1, 'alt text is required: describe the image for people who cannot see it')
      .max(1000, 'alt text is at most 1000 characters')
      .describe('Alt text, read by screen readers. Required.'),
  })
  .describe('An image posted with the message, with its alt text.');

export const MessageSchema = z.union([
  messageText.describe('The message text; may use template variables such as {hashtags}.'),
  z
    .strictObject({
      text: messageText.describe('The message text; may use template variables such as {hashtags}.'),
      ...(Object.fromEntries(
        PLATFORM_REGISTRY.map((p) => [p.id, messageText.optional().describe(p.campaign.variant)]),
      ) as Record<Platform, z.ZodOptional<typeof messageText>>),
      image: messageImage.optional(),
    })
    .describe('A message with per-platform variants.'),
]);

export const ScheduleSchema = z.union([
  z
    .strictObject({
      cron: z
        .string()
        .describe('Five-field cron expression (minute hour day month weekday) in the campaign time zone.'),
    })
    .describe('Repeating schedule.'),
  z
    .strictObject({
      at: z.array(dateTime).min(1, 'list at least one date-time').describe('Exact date-times to post at.'),
    })
    .describe('One-off posts.'),
]);

const platformOverride = {
  hashtags: z
    .array(hashtag)
    .optional()
    .describe('Hashtags added on this platform instead of the campaign ones.'),
};

/**
 * Share buttons for networks the bot does not post to (`share.networks`). A platform in the
 * registry with a `share` entry brings its own button and comes first.
 */
export const OTHER_SHARE_NETWORKS = [
  'threads',
  'facebook',
  'linkedin',
  'whatsapp',
  'telegram',
  'email',
  'sms',
] as const;
export type OtherShareNetwork = (typeof OTHER_SHARE_NETWORKS)[number];
export type ShareNetwork = Platform | OtherShareNetwork;

/** Where a supporter can send the share message from the campaign page (`share.networks`). */
export const SHARE_NETWORKS = [
  ...PLATFORM_REGISTRY.filter((p) => 'share' in p && p.share).map((p) => p.id),
  ...OTHER_SHARE_NETWORKS,
] as ShareNetwork[] as [ShareNetwork, ...ShareNetwork[]];

const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as "en", "en-GB", "fr", "nl"');

const shareReport = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional().describe('Heading, e.g. "Report hate crime".'),
    intro: z.string().trim().min(1).max(1000).optional().describe('A sentence above the numbers.'),
    numbers: z
      .array(
        z.strictObject({
          label: z.string().trim().min(1).max(200).describe('What the number is for, e.g. "Emergency".'),
          number: z
            .string()
            .regex(/^\+?[0-9][0-9 ()-]{0,30}$/, 'a phone number is digits, spaces, ( ) - and a leading +')
            .describe('The number as people dial it, e.g. "0800 789 321".'),
        }),
      )
      .default([])
      .describe('Phone numbers, shown as tap-to-call links.'),
    links: z
      .array(
        z.strictObject({
          label: z.string().trim().min(1).max(200).describe('Link text.'),
          url: z.url({ protocol: /^https?$/, error: 'a link must be an http(s) URL' }),
        }),
      )
      .default([])
      .describe('Where to report online.'),
    checked: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date as YYYY-MM-DD, e.g. "2026-03-22"')
      .describe('The date the numbers and links were last checked (shown on the page), YYYY-MM-DD.'),
  })
  .describe('How to report: numbers, links and the date they were last checked.');

export const ShareSchema = z
  .strictObject({
    messages: z
      .array(messageText)
      .min(1, 'add at least one message, or leave out share.messages')
      .optional()
      .describe(
        'What supporters send (may use {campaign}, {hashtags}, {link.NAME}). Default: the bot ' +
          'messages that use no date or time.',
      ),
    networks: z
      .array(z.enum(SHARE_NETWORKS))
      .min(1, 'name at least one network')
      .optional()
      .describe(`Share buttons to show, in this order (default all: ${SHARE_NETWORKS.join(', ')}).`),
    report: shareReport.optional(),
    translations: z
      .record(
        languageTag,
        z.strictObject({
          name: z.string().min(1).optional().describe('The campaign name in this language.'),
          messages: z.array(messageText).min(1, 'add at least one message').describe('Translated messages.'),
          report: shareReport.optional().describe('The reporting block in this language.'),
        }),
      )
      .optional()
      .describe('Other languages of the campaign page, by language tag, e.g. fr, nl.'),
  })
  .describe(
    'The public campaign page where supporters send the message themselves (`solidarity site build`).',
  );

/** `overrides` of a campaign file: each platform's fields, typed from its registry entry. */
type OverrideShape = {
  [E in (typeof PLATFORM_REGISTRY)[number] as E['id']]: z.ZodOptional<
    z.ZodObject<OverrideFields<E['campaign']['overrideFields']>, z.core.$strict>
  >;
};
type OverrideFields<F> = F extends z.ZodRawShape ? typeof platformOverride & F : never;

export const CampaignFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path to the JSON Schema, for editors.'),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and - only, e.g. "westandtogether"')
      .optional()
      .describe('Stable id used in the store, status and CLI. Defaults to the file name without extension.'),
    name: z.string().min(1).describe('Campaign name, shown to moderators and usable as {campaign}.'),
    description: z.string().optional().describe('Free text for organisers; never posted.'),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as "en", "en-GB", "fr", "nl"')
      .default('en')
      .describe('Language of the messages (BCP 47); sets Bluesky langs and date formatting.'),
    timezone: z.string().describe('IANA time zone, e.g. "Europe/London". Schedules are in this zone.'),
    start: dateTime.describe('When the campaign starts. Rotation counts slots from here.'),
    end: dateTime.optional().describe('When the campaign ends (no posts after it). Optional.'),
    platforms: z
      .array(z.enum(PLATFORMS))
      .min(1, `name at least one platform: ${platformList}`)
      .describe(
        `Where to post: ${PLATFORM_REGISTRY.map((p) => ('outbox' in p && p.outbox ? `${p.id} (outbox file)` : p.id)).join(', ')}.`,
      ),
    paused: z
      .boolean()
      .default(false)
      .describe('true: post nothing until set back to false (or `solidarity resume`).'),
    rotation: z
      .enum(['in-order', 'shuffle'])
      .default('in-order')
      .describe(
        'Order of the message pool: in file order, or shuffled per round. Either way no message ' +
          'repeats until every one has been used, and never the same text twice in a row.',
      ),
    schedules: z.array(ScheduleSchema).min(1, 'add at least one schedule').describe('When to post.'),
    messages: z.array(MessageSchema).min(1, 'add at least one message').describe('The message pool.'),
    hashtags: z
      .array(hashtag)
      .default([])
      .describe(
        'Added to every post: where {hashtags} stands, else at the end (unless already in the text).',
      ),
    monitor_hashtags: z
      .array(hashtag)
      .optional()
      .describe('Hashtags to watch for mentions (default: the campaign hashtags).'),
    links: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_]*$/, 'link names are lower-case letters, digits and _'),
        z.url({ protocol: /^https?$/, error: 'a link must be an http(s) URL' }),
      )
      .default({})
      .describe('Named links, used in messages as {link.NAME}.'),
    quiet_hours: z
      .strictObject({ from: clock, to: clock })
      .optional()
      .describe('No posts between these wall-clock times (may wrap midnight, e.g. 22:00 to 07:00).'),
    grace_minutes: z
      .number()
      .int()
      .min(0)
      .max(1440)
      .default(15)
      .describe('A slot missed while the bot was down is posted late only within this many minutes.'),
    alert_after: z
      .number()
      .int()
      .min(1)
      .max(10080)
      .default(60)
      .describe(
        'Minutes a high-severity flag may wait unreviewed before `solidarity status` reports it (exit code 1).',
      ),
    overrides: z
      .strictObject(
        Object.fromEntries(
          PLATFORM_REGISTRY.map((p) => [
            p.id,
            z.strictObject({ ...platformOverride, ...p.campaign.overrideFields }).optional(),
          ]),
        ) as OverrideShape,
      )
      .default({})
      .describe('Per-platform settings.'),
    scoring: ScoringConfigSchema.optional().describe('Hate-scoring settings for mentions of this campaign.'),
    share: ShareSchema.optional(),
  })
  .describe('A solidarity-bot campaign file.');

export type CampaignFile = z.infer<typeof CampaignFileSchema>;
export type Message = z.infer<typeof MessageSchema>;

export type Schedule = { kind: 'cron'; cron: string } | { kind: 'at'; at: Date[] };

/** A validated campaign with times resolved, as the rest of the bot uses it. */
export interface Campaign {
  id: string;
  file: string;
  name: string;
  description?: string;
  language: string;
  timezone: string;
  start: Date;
  end?: Date;
  platforms: Platform[];
  paused: boolean;
  rotation: 'in-order' | 'shuffle';
  schedules: Schedule[];
  messages: Array<
    { text: string } & { [P in Platform]?: string } & {
      /** `file` as written, relative to the campaign file. */
      image?: { file: string; alt: string };
    }
  >;
  /** Without '#', as written. */
  hashtags: string[];
  /** Lower case, without '#'. */
  monitorHashtags: string[];
  links: Record<string, string>;
  /** Minutes after midnight. */
  quietHours?: { from: number; to: number };
  graceMinutes: number;
  /** Minutes an open high-severity flag may wait before status says it needs attention. */
  alertAfterMinutes: number;
  /** Per-platform settings, each as its registry entry reads it. */
  overrides: PlatformOverrides;
  scoring: ScoringConfig;
  /** The public campaign page; only campaigns with a `share` block have one. */
  share?: CampaignShare;
}

export interface ShareReport {
  title?: string;
  intro?: string;
  numbers: Array<{ label: string; number: string }>;
  links: Array<{ label: string; url: string }>;
  checked: string;
}

/** One language of the campaign page: its messages with variables and hashtags filled in. */
export interface ShareLanguage {
  lang: string;
  name: string;
  messages: string[];
  report?: ShareReport;
}

export interface CampaignShare {
  networks: ShareNetwork[];
  /** The campaign language first, then the translations in file order. */
  languages: ShareLanguage[];
}

/** The JSON Schema editors use for campaign files. */
export function campaignJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(CampaignFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: 'solidarity-bot campaign' };
}
