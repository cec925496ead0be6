/**
 * Mastodon in the platform registry: pure data and functions only. The adapter and the hashtag
 * stream/timeline source (masto.js, ws) load through `load()`.
 */
import { z } from 'zod';
import { mastodonCredentials } from '../../config/env.ts';
import { definePlatform, graphemeCount, type LengthSettings, type Measure } from '../../core/platform.ts';
import type { PlatformFactories } from '../types.ts';

/** Mastodon's own defaults; an instance may allow more (`/api/v2/instance` says). */
export const MASTODON_MAX_CHARACTERS = 500;
export const MASTODON_CHARACTERS_RESERVED_PER_URL = 23;

// Mastodon counts URLs with a scheme (Twitter's extractor, as it uses) at a fixed length, and a
// remote mention @user@domain as @user only.
const URL = /\bhttps?:\/\/[^\s<>"]*[^\s<>".,;:!?)'\]]/giu;
const REMOTE_MENTION = /(^|[^\p{L}\p{N}_/])@([\p{L}\p{N}_]+)@[\p{L}\p{N}.-]+\.\p{L}{2,}/giu;

/** Mastodon: graphemes, every URL at characters_reserved_per_url, against max_characters. */
export function measureMastodon(text: string, settings: LengthSettings = {}): Measure {
  const limit = settings.maxCharacters ?? MASTODON_MAX_CHARACTERS;
  const perUrl = settings.charactersReservedPerUrl ?? MASTODON_CHARACTERS_RESERVED_PER_URL;
  const countable = text.replace(URL, 'x'.repeat(perUrl)).replace(REMOTE_MENTION, '$1@$2');
  const length = graphemeCount(countable);
  return { length, limit, unit: 'characters', fits: length <= limit };
}

export const MASTODON_AUTH_HINT =
  'Check MASTODON_URL and MASTODON_ACCESS_TOKEN in .env (a token from Preferences → Development on that instance, with scopes read, write:statuses and write:media); then restart the bot.';

const visibility = z.enum(['public', 'unlisted', 'private']);

export const mastodonPlatform = definePlatform({
  id: 'mastodon',
  label: 'Mastodon',
  limits: {
    summary: `the instance's max_characters (${MASTODON_MAX_CHARACTERS} by default), every URL counted at its characters_reserved_per_url (${MASTODON_CHARACTERS_RESERVED_PER_URL})`,
    measure: measureMastodon,
    fromEnv: (env) => ({
      maxCharacters: env.MASTODON_MAX_CHARACTERS,
      charactersReservedPerUrl: env.MASTODON_CHARACTERS_RESERVED_PER_URL,
    }),
  },
  credentials: {
    env: ['MASTODON_URL', 'MASTODON_ACCESS_TOKEN'],
    configured: (env) => mastodonCredentials(env) !== undefined,
    authError: 'MASTODON_AUTH_FAILED',
    authHint: MASTODON_AUTH_HINT,
  },
  campaign: {
    variant: 'Replaces text on Mastodon.',
    overrideFields: {
      visibility: visibility
        .optional()
        .describe(
          'Who sees campaign posts on Mastodon: public, unlisted (kept off public timelines) or private (followers only); default MASTODON_VISIBILITY (public).',
        ),
      spoiler_text: z
        .string()
        .trim()
        .min(1)
        .max(500)
        .optional()
        .describe('A content warning shown before campaign posts on Mastodon (counts toward the length).'),
    },
    readOverride: (file, stripHash) => ({
      ...(file.visibility ? { visibility: file.visibility } : {}),
      ...(file.spoiler_text ? { spoilerText: file.spoiler_text } : {}),
      ...(file.hashtags ? { hashtags: file.hashtags.map(stripHash) } : {}),
    }),
    // Mastodon has no reply restriction per post.
    replyPolicy: () => 'everyone',
    postSettings: (override) => ({
      ...(override?.visibility ? { visibility: override.visibility } : {}),
      ...(override?.spoilerText ? { spoilerText: override.spoilerText } : {}),
    }),
  },
  share: {
    // Mastodon has no central compose screen: the page asks for the supporter's server.
    compose: (text) => `https://{instance}/share?text=${encodeURIComponent(text)}`,
    perInstance: true,
    limit: {
      describe: `${MASTODON_MAX_CHARACTERS} characters, every link counting ${MASTODON_CHARACTERS_RESERVED_PER_URL} (the default of Mastodon servers)`,
      measure: (text) => measureMastodon(text),
    },
  },
  links: {
    // A mention's id is the status URI, which every instance serves (or redirects to) as its page.
    post: ({ id }) => id,
  },
  load: (): Promise<PlatformFactories> => import('./factories.ts'),
});
