/**
 * Bluesky in the platform registry: pure data and functions only. The adapter (@atproto/api),
 * Jetstream and search backfill load through `load()`.
 */
import { z } from 'zod';
import { blueskyCredentials } from '../../config/env.ts';
import { definePlatform, graphemeCount, type Measure } from '../../core/platform.ts';
import type { PlatformFactories } from '../types.ts';

export const BLUESKY_GRAPHEME_LIMIT = 300;
export const BLUESKY_BYTE_LIMIT = 3000;

/** Bluesky: 300 graphemes and 3000 UTF-8 bytes. */
export function measureBluesky(text: string): Measure {
  const length = graphemeCount(text);
  const bytes = Buffer.byteLength(text, 'utf8');
  return {
    length,
    limit: BLUESKY_GRAPHEME_LIMIT,
    unit: 'graphemes',
    fits: length <= BLUESKY_GRAPHEME_LIMIT && bytes <= BLUESKY_BYTE_LIMIT,
    bytes,
    byteLimit: BLUESKY_BYTE_LIMIT,
  };
}

/** The bsky.app page of a post, from its at:// URI (at://did/app.bsky.feed.post/rkey). */
export function blueskyPostUrl(uri: string, web = 'https://bsky.app'): string {
  const [, , did = '', , rkey = ''] = uri.split('/');
  return `${web.replace(/\/$/, '')}/profile/${did}/post/${rkey}`;
}

/** What to check when Bluesky rejects the credentials. */
export const BLUESKY_AUTH_HINT =
  'Check BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD in .env (an app password from Settings → Privacy and security → App passwords) and BLUESKY_SERVICE; then restart the bot.';

export const blueskyPlatform = definePlatform({
  id: 'bluesky',
  label: 'Bluesky',
  limits: {
    summary: `${BLUESKY_GRAPHEME_LIMIT} graphemes and ${BLUESKY_BYTE_LIMIT} UTF-8 bytes`,
    measure: measureBluesky,
  },
  credentials: {
    env: ['BLUESKY_IDENTIFIER', 'BLUESKY_APP_PASSWORD'],
    configured: (env) => blueskyCredentials(env) !== undefined,
    authError: 'BLUESKY_AUTH_FAILED',
    authHint: BLUESKY_AUTH_HINT,
  },
  campaign: {
    variant: 'Replaces text on Bluesky.',
    overrideFields: {
      threadgate: z
        .enum(['everyone', 'nobody', 'following', 'mentioned'])
        .default('following')
        .describe(
          'Who can reply to campaign posts on Bluesky (a threadgate); default: people the account follows.',
        ),
      link_card: z
        .strictObject({
          title: z.string().min(1).max(300).describe('Card title.'),
          description: z.string().max(1000).default('').describe('Card text under the title.'),
        })
        .optional()
        .describe(
          'Show the first link of a post as a card with this title and text (the bot fetches no web pages).',
        ),
    },
    readOverride: (file, stripHash) => ({
      threadgate: file.threadgate,
      ...(file.link_card ? { linkCard: file.link_card } : {}),
      ...(file.hashtags ? { hashtags: file.hashtags.map(stripHash) } : {}),
    }),
    replyPolicy: (override) => override?.threadgate ?? 'following',
    linkCard: (override) => override?.linkCard,
  },
  links: {
    post: ({ id }) => blueskyPostUrl(id),
  },
  share: {
    compose: (text) => `https://bsky.app/intent/compose?text=${encodeURIComponent(text)}`,
    limit: {
      describe: `${BLUESKY_GRAPHEME_LIMIT} graphemes, ${BLUESKY_BYTE_LIMIT} bytes`,
      measure: measureBluesky,
    },
  },
  load: (): Promise<PlatformFactories> => import('./factories.ts'),
});
