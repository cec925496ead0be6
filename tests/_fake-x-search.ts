/**
 * A small local fake of X's GET /2/tweets/search/recent (v2), on 127.0.0.1, for driving the real
 * twitter-api-v2 client: newest-first pages with next_token, since_id, max_results 10..100,
 * author expansion, rate-limit headers and 429s, and a count of posts served (what X bills).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTweet {
  id: string;
  text: string;
  authorId: string;
  username: string;
  createdAt: string;
  lang?: string;
  retweetOf?: string;
}

export interface FakeXOptions {
  /** Requests allowed per window before 429 (default: unlimited). */
  requestsPerWindow?: number;
  /** Length of a rate-limit window (default 15 minutes). */
  windowMs?: number;
  /** The fake's clock (epoch ms), shared with the code under test. */
  now?: () => number;
  /** Bearer token expected (401 otherwise). */
  bearerToken?: string;
}

export class FakeXSearch {
  readonly tweets: FakeTweet[] = [];
  /** Every request's query string parameters. */
  readonly requests: Array<Record<string, string>> = [];
  postsServed = 0;
  rateLimited = 0;
  private windowCount = 0;
  private windowStart: number | undefined;
  private server: Server | undefined;
  private readonly options: FakeXOptions;
  /** Forces the next n requests to answer 429. */
  force429 = 0;
  /** Forces the next n requests to answer 503 (X over capacity). */
  force503 = 0;
  /** since_id values below this are refused with 400, as X does beyond its 7-day window. */
  oldestSinceId: bigint | undefined;

  constructor(options: FakeXOptions = {}) {
    this.options = options;
  }

  /** Adds tweets; ids must grow with time, as X's snowflake ids do. */
  add(...tweets: FakeTweet[]): void {
    this.tweets.push(...tweets);
    this.tweets.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): undefined {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
    return undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): undefined {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/2/tweets/search/recent' || req.method !== 'GET') {
      return this.send(res, 404, { title: 'Not Found' });
    }
    if (this.options.bearerToken && req.headers.authorization !== `Bearer ${this.options.bearerToken}`) {
      return this.send(res, 401, { title: 'Unauthorized', status: 401 });
    }
    const params = Object.fromEntries(url.searchParams);
    this.requests.push(params);
    const limit = this.options.requestsPerWindow ?? 1_000_000;
    const now = (this.options.now ?? Date.now)();
    const windowMs = this.options.windowMs ?? 15 * 60_000;
    if (this.windowStart === undefined || now >= this.windowStart + windowMs) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    const reset = String(Math.ceil((this.windowStart + windowMs) / 1000));
    this.windowCount += 1;
    const remaining = Math.max(0, limit - this.windowCount);
    const rlHeaders = {
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': String(remaining),
      'x-rate-limit-reset': reset,
    };
    if (this.force503 > 0) {
      this.force503 -= 1;
      return this.send(res, 503, { title: 'Service Unavailable', status: 503 });
    }
    if (this.force429 > 0 || this.windowCount > limit) {
      if (this.force429 > 0) this.force429 -= 1;
      this.rateLimited += 1;
      return this.send(
        res,
        429,
        { title: 'Too Many Requests', status: 429 },
        { ...rlHeaders, 'x-rate-limit-remaining': '0' },
      );
    }
    if (params.since_id && this.oldestSinceId !== undefined && BigInt(params.since_id) < this.oldestSinceId) {
      return this.send(res, 400, {
        errors: [
          {
            parameters: { since_id: [params.since_id] },
            message: `Invalid 'since_id':'${params.since_id}'. 'since_id' must be a tweet id created in the last 7 days.`,
          },
        ],
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      });
    }
    const max = Number(params.max_results ?? '10');
    if (!Number.isInteger(max) || max < 10 || max > 100) {
      return this.send(res, 400, { title: 'Invalid Request', detail: 'max_results must be 10..100' });
    }
    const query = params.query ?? '';
    const tags = [...query.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => m[1]!.toLowerCase());
    const noRetweets = /-is:retweet\b/.test(query);
    const since = params.since_id ? BigInt(params.since_id) : undefined;
    const matching = this.tweets
      .filter((t) => (since === undefined ? true : BigInt(t.id) > since))
      .filter((t) => !(noRetweets && t.retweetOf))
      .filter((t) => tags.some((tag) => t.text.toLowerCase().includes(`#${tag}`)))
      .reverse();
    // next_token is the id to continue below (exclusive); opaque to the client.
    const start = params.next_token
      ? matching.findIndex(
          (t) => BigInt(t.id) < BigInt(Buffer.from(params.next_token!, 'base64url').toString()),
        )
      : 0;
    const page = start < 0 ? [] : matching.slice(start, start + max);
    const more = start >= 0 && start + max < matching.length;
    this.postsServed += page.length;
    const users = new Map(
      page.map((t) => [t.authorId, { id: t.authorId, username: t.username, name: t.username }]),
    );
    const expandAuthors = (params.expansions ?? '').split(',').includes('author_id');
    const body: Record<string, unknown> = {
      meta: {
        result_count: page.length,
        ...(page.length > 0 ? { newest_id: page[0]!.id, oldest_id: page.at(-1)!.id } : {}),
        ...(more ? { next_token: Buffer.from(page.at(-1)!.id).toString('base64url') } : {}),
      },
    };
    if (page.length > 0) {
      body.data = page.map((t) => ({
        id: t.id,
        text: t.text,
        author_id: t.authorId,
        created_at: t.createdAt,
        lang: t.lang ?? 'en',
        edit_history_tweet_ids: [t.id],
        entities: {
          hashtags: [...t.text.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => ({
            start: m.index,
            end: m.index + m[0].length,
            tag: m[1],
          })),
        },
        ...(t.retweetOf ? { referenced_tweets: [{ type: 'retweeted', id: t.retweetOf }] } : {}),
      }));
      if (expandAuthors) body.includes = { users: [...users.values()] };
    }
    this.send(res, 200, body, rlHeaders);
    return undefined;
  }
}
