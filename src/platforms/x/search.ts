/**
 * X recent search (GET /2/tweets/search/recent) through twitter-api-v2, one page per call, with
 * author expansion. Rate limits come back as data (`rateLimit`) or as a `rate-limited` PlatformError, so the
 * monitor can wait for the reset instead of failing.
 */
import { Agent } from 'node:http';
import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import type { XCredentials } from '../../config/env.ts';
import { SolidarityError } from '../../errors.ts';
import { PlatformError } from '../errors.ts';

export interface XSearchTweet {
  id: string;
  text: string;
  authorId: string;
  authorUsername?: string;
  createdAt?: string;
  lang?: string;
  /** As X reports them in entities.hashtags (original case). */
  hashtags: string[];
  replyToId?: string;
  quoteOfId?: string;
  retweetOfId?: string;
}

export interface XRateLimitInfo {
  limit: number;
  remaining: number;
  /** Epoch ms when the window resets. */
  resetAt: number;
}

export interface XSearchPage {
  tweets: XSearchTweet[];
  /** Tweets X counts as read (and bills) for this page. */
  resultCount: number;
  newestId?: string;
  nextToken?: string;
  rateLimit?: XRateLimitInfo;
}

export interface XSearchRequest {
  query: string;
  sinceId?: string;
  nextToken?: string;
  /** 10..100 */
  maxResults: number;
}

export interface XSearchClient {
  searchRecent(request: XSearchRequest): Promise<XSearchPage>;
}

/** X refused since_id: recent search reaches back 7 days only, and the saved id is older. */
export class XSinceIdTooOld extends Error {
  constructor(detail: string) {
    super(`X refused since_id: ${detail}`);
    this.name = 'XSinceIdTooOld';
  }
}

export interface XSearchClientOptions {
  /** App-only bearer token (preferred for search), or OAuth 1.0a user credentials. */
  bearerToken?: string;
  credentials?: XCredentials;
  /** X_API_BASE_URL: another API root (a local fake in tests), e.g. http://127.0.0.1:4000. */
  baseUrl?: string;
  /** Clock for a missing reset header (epoch ms). */
  clock?: () => number;
}

interface RawTweet {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  lang?: string;
  entities?: { hashtags?: Array<{ tag: string }> };
  referenced_tweets?: Array<{ type: string; id: string }>;
}

interface RawSearch {
  data?: RawTweet[];
  includes?: { users?: Array<{ id: string; username: string }> };
  meta?: { result_count?: number; newest_id?: string; next_token?: string };
}

export function createXSearchClient(options: XSearchClientOptions): XSearchClient {
  const clock = options.clock ?? Date.now;
  // twitter-api-v2 always calls https.request; a plain-HTTP root (a local fake) needs an http Agent.
  const settings = options.baseUrl?.startsWith('http:') ? { httpAgent: new Agent({ keepAlive: true }) } : {};
  const root = options.bearerToken
    ? new TwitterApi(options.bearerToken, settings)
    : options.credentials
      ? new TwitterApi(options.credentials, settings)
      : undefined;
  if (!root) {
    throw new SolidarityError('PLATFORM_NOT_CONFIGURED', 'X monitoring needs X credentials.', {
      hint: 'Set X_BEARER_TOKEN (or the four X_API_KEY/X_API_SECRET/X_ACCESS_TOKEN/X_ACCESS_SECRET) in .env.',
    });
  }
  const v2 = root.readOnly.v2;
  // The same request v2.search() makes, with the API root replaceable (X_API_BASE_URL).
  const prefix = options.baseUrl
    ? `${options.baseUrl.replace(/\/+$/, '').replace(/\/2$/, '')}/2/`
    : 'https://api.x.com/2/';

  return {
    async searchRecent(request) {
      try {
        const response = await v2.get<RawSearch>(
          'tweets/search/recent',
          {
            query: request.query,
            max_results: request.maxResults,
            ...(request.sinceId ? { since_id: request.sinceId } : {}),
            ...(request.nextToken ? { next_token: request.nextToken } : {}),
            expansions: ['author_id', 'referenced_tweets.id'],
            'tweet.fields': ['created_at', 'lang', 'entities', 'referenced_tweets', 'author_id'],
            'user.fields': ['username'],
          },
          { fullResponse: true, prefix },
        );
        const raw = response.data;
        const users = new Map((raw.includes?.users ?? []).map((u) => [u.id, u.username]));
        const tweets = (raw.data ?? []).map((t): XSearchTweet => {
          const ref = (type: string) => t.referenced_tweets?.find((r) => r.type === type)?.id;
          const username = t.author_id ? users.get(t.author_id) : undefined;
          const replyToId = ref('replied_to');
          const quoteOfId = ref('quoted');
          const retweetOfId = ref('retweeted');
          return {
            id: t.id,
            text: t.text,
            authorId: t.author_id ?? 'unknown',
            ...(username ? { authorUsername: username } : {}),
            ...(t.created_at ? { createdAt: t.created_at } : {}),
            ...(t.lang ? { lang: t.lang } : {}),
            hashtags: (t.entities?.hashtags ?? []).map((h) => h.tag),
            ...(replyToId ? { replyToId } : {}),
            ...(quoteOfId ? { quoteOfId } : {}),
            ...(retweetOfId ? { retweetOfId } : {}),
          };
        });
        const rl = response.rateLimit;
        return {
          tweets,
          resultCount: raw.meta?.result_count ?? tweets.length,
          ...(raw.meta?.newest_id ? { newestId: raw.meta.newest_id } : {}),
          ...(raw.meta?.next_token ? { nextToken: raw.meta.next_token } : {}),
          ...(rl
            ? { rateLimit: { limit: rl.limit, remaining: rl.remaining, resetAt: rl.reset * 1000 } }
            : {}),
        };
      } catch (error) {
        if (error instanceof ApiResponseError) {
          if (error.rateLimitError) {
            const reset = error.rateLimit?.reset;
            const retryAt = new Date(reset ? reset * 1000 : clock() + 15 * 60_000);
            throw new PlatformError(
              'x',
              'rate-limited',
              `X rate limit reached; resets at ${retryAt.toISOString()}`,
              {
                status: 429,
                retryAt,
              },
            );
          }
          const data = error.data as {
            errors?: Array<{ parameters?: Record<string, unknown>; message?: string }>;
          };
          const sinceError = data?.errors?.find((e) => e.parameters && 'since_id' in e.parameters);
          if (error.code === 400 && sinceError)
            throw new XSinceIdTooOld(sinceError.message ?? 'since_id is too old');
          if (error.code === 401 || error.code === 403) {
            throw new SolidarityError('X_AUTH_FAILED', `X refused the search request (${error.code}).`, {
              hint: 'Check X_BEARER_TOKEN (or the OAuth 1.0a keys) and that the app has access to recent search.',
              cause: error,
            });
          }
          throw new SolidarityError('PLATFORM_ERROR', `X recent search failed with HTTP ${error.code}.`, {
            cause: error,
          });
        }
        throw new SolidarityError('PLATFORM_ERROR', `X recent search failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
  };
}
