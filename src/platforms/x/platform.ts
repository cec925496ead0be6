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

/** The x.com page of a post (without the author's username, X redirects from /i/web/). */
export function xPostUrl(id: string, username?: string): string {
  return username ? `https://x.com/${username}/status/${id}` : `https://x.com/i/web/status/${id}`;
}

/** Reads used by one campaign on one UTC day; stored under `budgetStateKey(campaign)`. */
export interface XBudgetState {
  campaign: string;
  day: string;
  reads: number;
  limit: number;
  costUsd: number;
  exhaustedAt?: string;
}

/** Where the X mention source keeps a campaign's read budget (read by `status` without the client). */
export const budgetStateKey = (campaign: string) => `monitor.x.budget:${campaign}`;

/** What to check when X rejects the credentials. */
export const X_AUTH_HINT =
  'Check X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET in .env (the access token must have read and write permission); then restart the bot.';

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
    authHint: X_AUTH_HINT,
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
  cost: {
    async describe(texts, env) {
      const { describeXCost, estimateXCost } = await import('./cost.ts');
      const prices = { perPost: env.X_PRICE_PER_POST_USD, perPostWithUrl: env.X_PRICE_PER_POST_WITH_URL_USD };
      return describeXCost(estimateXCost(texts, prices), prices);
    },
    note: 'Prices come from X_PRICE_PER_POST_USD and X_PRICE_PER_POST_WITH_URL_USD; check X’s current pricing.',
  },
  monitorStatus: async (state, campaigns, now) => {
    const today = now.toISOString().slice(0, 10);
    const lines: string[] = [];
    const attention: string[] = [];
    for (const campaign of campaigns) {
      const b = await state.getState<XBudgetState>(budgetStateKey(campaign));
      if (!b || b.day !== today) continue;
      const status = b.exhaustedAt ? `EXHAUSTED at ${b.exhaustedAt} (X_READ_BUDGET_EXHAUSTED)` : 'ok';
      if (b.exhaustedAt) attention.push(campaign);
      lines.push(
        `  X reads today for ${campaign}: ${b.reads}/${b.limit} (about $${b.costUsd.toFixed(2)}), ${status}`,
      );
    }
    return { lines, attention };
  },
  links: {
    post: ({ id, author }) => xPostUrl(id, author),
  },
  share: {
    compose: (text, pageUrl) => `https://x.com/intent/post?text=${e(text)}&url=${e(pageUrl)}`,
    // X puts the page URL (23 weighted characters, whatever its length) after the text.
    limit: {
      describe: `${X_LIMIT} weighted characters with the page link`,
      measure: (text) => measureX(`${text} https://example.org/campaign/`),
    },
  },
  load: (): Promise<PlatformFactories> => import('./factories.ts'),
});
