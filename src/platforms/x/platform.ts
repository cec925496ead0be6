/**
 * X in the platform registry: pure data and functions only. The adapter and the recent-search
 * source (twitter-api-v2) load through `load()`.
 */
import { createRequire } from 'node:module';
import type twitterText from 'twitter-text';
import { z } from 'zod';
import { xCredentials } from '../../config/env.ts';
import { definePlatform, type Measure } from '../../core/platform.ts';
import type { PlatformFactories } from '../types.ts';

// twitter-text's index loads its every module (about 240, a third of a second); parseTweet alone
// needs half of them, and only commands that measure a post load even those.
let parseTweet: typeof twitterText.parseTweet | undefined;
function tweetWeight(text: string): number {
  parseTweet ??= createRequire(import.meta.url)(
    'twitter-text/dist/parseTweet.js',
  ) as typeof twitterText.parseTweet;
  return parseTweet(text).weightedLength;
}

export const X_LIMIT = 280;

/** X: twitter-text's weighted length (CJK and emoji weigh 2, every URL 23). */
export function measureX(text: string): Measure {
  const length = tweetWeight(text);
  return { length, limit: X_LIMIT, unit: 'weighted characters', fits: length <= X_LIMIT };
}

const e = encodeURIComponent;

export const xPlatform = definePlatform({
  id: 'x',
  label: 'X',
  limits: {
    summary: `${X_LIMIT} weighted characters (twitter-text: CJK and emoji weigh 2, a URL 23)`,
    measure: measureX,
  },
  credentials: {
    env: ['X_API_KEY', 'X_API_SECRET', 'X_ACCESS_TOKEN', 'X_ACCESS_SECRET'],
    configured: (env) => xCredentials(env) !== undefined,
    authError: 'X_AUTH_FAILED',
    authHint:
      'Check X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET in .env (the access token must have read and write permission); then restart the bot.',
  },
  campaign: {
    variant: 'Replaces text on X.',
    overrideFields: {
      reply_settings: z
        .enum(['everyone', 'following', 'mentionedUsers'])
        .default('everyone')
        .describe('Who can reply to campaign posts on X.'),
    },
    readOverride: (file, stripHash) => ({
      replySettings: file.reply_settings,
      ...(file.hashtags ? { hashtags: file.hashtags.map(stripHash) } : {}),
    }),
    replyPolicy: (override) => {
      const setting = override?.replySettings ?? 'everyone';
      return setting === 'mentionedUsers' ? 'mentioned' : setting;
    },
  },
  links: {
    post: ({ id, author }) =>
      author ? `https://x.com/${author}/status/${id}` : `https://x.com/i/web/status/${id}`,
    compose: (text, pageUrl) => `https://x.com/intent/post?text=${e(text)}&url=${e(pageUrl)}`,
  },
  load: (): Promise<PlatformFactories> => import('./factories.ts'),
});
