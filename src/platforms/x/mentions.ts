/**
 * X mentions by polling recent search, one source per campaign:
 * `(#a OR #b) -is:retweet`, newest first, following next_token to the end of each cycle, then
 * saving the newest id as since_id once every mention of the cycle is stored.
 *
 * X bills every post read, so each campaign has a daily read budget (UTC day). When it runs out
 * the source logs X_READ_BUDGET_EXHAUSTED once, records it for `solidarity status`, and waits
 * for the next day. A 429 waits for the rate-limit reset and retries the same page.
 */

import { mergeHashtags } from '../../core/hashtags.ts';
import type { Mention, MentionSource, SourceItem, SourceStats } from '../../core/mention.ts';
import { isSolidarityError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/types.ts';
import { isPlatformError } from '../errors.ts';
import { abortableSleep } from '../sleep.ts';
import { budgetStateKey, type XBudgetState, xPostUrl } from './platform.ts';
import { type XSearchClient, type XSearchTweet, XSinceIdTooOld } from './search.ts';

export const X_MIN_RESULTS = 10;
export const X_MAX_RESULTS = 100;

export const sinceIdKey = (campaign: string) => `monitor.x.since:${campaign}`;
export { budgetStateKey, type XBudgetState };

/** The recent-search query for a campaign's tags. */
export function xQuery(hashtags: readonly string[]): string {
  const tags = hashtags.map((t) => `#${t}`);
  return `${tags.length > 1 ? `(${tags.join(' OR ')})` : tags[0]} -is:retweet`;
}

export function xMention(tweet: XSearchTweet, capturedAt: string): Mention {
  const handle = tweet.authorUsername ?? tweet.authorId;
  return {
    platform: 'x',
    id: tweet.id,
    url: xPostUrl(tweet.id, tweet.authorUsername),
    authorId: tweet.authorId,
    authorHandle: handle,
    text: tweet.text,
    ...(tweet.lang ? { lang: tweet.lang } : {}),
    createdAt: tweet.createdAt ?? capturedAt,
    capturedAt,
    hashtags: mergeHashtags(tweet.hashtags, tweet.text),
    ...(tweet.replyToId ? { replyTo: tweet.replyToId } : {}),
    ...(tweet.quoteOfId ? { quoteOf: tweet.quoteOfId } : {}),
    ...(tweet.retweetOfId ? { repostOf: tweet.retweetOfId } : {}),
  };
}

export interface XSearchSourceOptions {
  campaign: { id: string; hashtags: readonly string[] };
  client: XSearchClient;
  store: Store;
  logger: Logger;
  /** Reads per campaign per UTC day (X_READ_BUDGET_PER_DAY). */
  budgetPerDay: number;
  /** X_PRICE_PER_READ_USD, for the cost shown beside the budget. */
  pricePerRead: number;
  /** Pause between search cycles (X_SEARCH_INTERVAL_SECONDS). */
  intervalMs: number;
  clock?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export class XSearchSource implements MentionSource {
  readonly name: string;
  private readonly o: XSearchSourceOptions;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly counters: SourceStats = { malformed: 0, reconnects: 0, backfilled: 0 };
  private rateLimitedUntil = 0;
  private errorsInARow = 0;
  /** The since_id and budget last read or written, for status() (which cannot wait on the store). */
  private savedSinceId: string | undefined;
  private savedBudget: XBudgetState | undefined;

  constructor(options: XSearchSourceOptions) {
    this.o = options;
    this.name = `x:${options.campaign.id}`;
    this.log = options.logger.child({ name: 'monitor.x', campaign: options.campaign.id });
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
  }

  stats(): SourceStats {
    return { ...this.counters };
  }

  status(): Record<string, unknown> {
    return {
      sinceId: this.savedSinceId,
      budget: this.budgetFrom(this.savedBudget),
      rateLimitedUntil:
        this.rateLimitedUntil > this.clock() ? new Date(this.rateLimitedUntil).toISOString() : undefined,
    };
  }

  /** Today's budget state (a new day starts from zero). */
  async budget(): Promise<XBudgetState> {
    this.savedBudget = await this.o.store.getState<XBudgetState>(budgetStateKey(this.o.campaign.id));
    return this.budgetFrom(this.savedBudget);
  }

  private budgetFrom(saved: XBudgetState | undefined): XBudgetState {
    const day = new Date(this.clock()).toISOString().slice(0, 10);
    if (saved && saved.day === day) return { ...saved, limit: this.o.budgetPerDay };
    return { campaign: this.o.campaign.id, day, reads: 0, limit: this.o.budgetPerDay, costUsd: 0 };
  }

  private async saveBudget(b: XBudgetState): Promise<void> {
    await this.o.store.setState(budgetStateKey(this.o.campaign.id), b);
    this.savedBudget = { ...b };
  }

  private async spend(reads: number): Promise<XBudgetState> {
    const b = await this.budget();
    b.reads += reads;
    b.costUsd = Number((b.reads * this.o.pricePerRead).toFixed(4));
    await this.saveBudget(b);
    return b;
  }

  private async markExhausted(b: XBudgetState, pagesLeft: boolean): Promise<void> {
    if (b.exhaustedAt) return;
    b.exhaustedAt = new Date(this.clock()).toISOString();
    await this.saveBudget(b);
    this.log.warn(
      {
        code: 'X_READ_BUDGET_EXHAUSTED',
        reads: b.reads,
        limit: b.limit,
        costUsd: b.costUsd,
        day: b.day,
        pagesLeft,
      },
      `X read budget for today used up (${b.reads}/${b.limit} reads, about $${b.costUsd}); X monitoring of this campaign waits for the next UTC day. Raise X_READ_BUDGET_PER_DAY to read more.`,
    );
  }

  private msToNextDay(): number {
    const now = this.clock();
    const next = new Date(now);
    next.setUTCHours(24, 0, 0, 0);
    return next.getTime() - now;
  }

  async *mentions(signal: AbortSignal): AsyncIterable<SourceItem> {
    while (!signal.aborted) {
      yield* this.cycle(signal);
      if (signal.aborted) break;
      const b = await this.budget();
      const wait = b.limit - b.reads < X_MIN_RESULTS ? this.msToNextDay() + 1000 : this.o.intervalMs;
      await this.sleep(wait, signal);
    }
  }

  /** One search cycle: every page newer than since_id, or until the budget runs out. */
  private async *cycle(signal: AbortSignal): AsyncGenerator<SourceItem> {
    const key = sinceIdKey(this.o.campaign.id);
    let sinceId = await this.o.store.getCursor(key);
    this.savedSinceId = sinceId;
    const query = xQuery(this.o.campaign.hashtags);
    let nextToken: string | undefined;
    let newestId: string | undefined;
    let held: Mention | undefined;
    let pages = 0;
    for (;;) {
      if (signal.aborted) return;
      const before = await this.budget();
      const left = before.limit - before.reads;
      if (left < X_MIN_RESULTS) {
        await this.markExhausted(before, pages > 0 && nextToken !== undefined);
        break;
      }
      if (this.rateLimitedUntil > this.clock()) {
        const wait = this.rateLimitedUntil - this.clock() + 1000;
        this.log.info({ waitMs: wait }, 'waiting for the X rate limit to reset');
        await this.sleep(wait, signal);
        if (signal.aborted) return;
      }
      let page: Awaited<ReturnType<XSearchClient['searchRecent']>>;
      try {
        page = await this.o.client.searchRecent({
          query,
          maxResults: Math.min(X_MAX_RESULTS, left),
          ...(sinceId ? { sinceId } : {}),
          ...(nextToken ? { nextToken } : {}),
        });
        this.errorsInARow = 0;
      } catch (error) {
        if (isPlatformError(error) && error.kind === 'rate-limited') {
          const resetAt = error.retryAt?.getTime() ?? this.clock() + 15 * 60_000;
          this.counters.reconnects += 1;
          this.rateLimitedUntil = resetAt;
          this.log.warn(
            { code: 'RATE_LIMITED', resetAt: new Date(resetAt).toISOString() },
            'X rate limit hit',
          );
          continue;
        }
        if (error instanceof XSinceIdTooOld && sinceId) {
          // Down longer than recent search reaches (7 days): read what X still has.
          this.log.warn(
            { code: 'X_GAP', sinceId, detail: error.message },
            'X monitoring was down longer than recent search reaches back; posts older than 7 days are not read',
          );
          sinceId = undefined;
          nextToken = undefined;
          continue;
        }
        if (isSolidarityError(error) && error.code === 'X_AUTH_FAILED') throw error;
        // Network or server trouble: keep since_id, try again next cycle (with growing waits).
        this.errorsInARow += 1;
        this.counters.reconnects += 1;
        this.log.warn({ err: error, attempt: this.errorsInARow }, 'X search failed; retrying next cycle');
        await this.sleep(Math.min(15 * 60_000, 5000 * 2 ** (this.errorsInARow - 1)), signal);
        // Mentions already read this cycle are still handed on; since_id stays, duplicates are dropped.
        if (held) yield { mention: held };
        return;
      }
      pages += 1;
      if (page.rateLimit) {
        if (page.rateLimit.remaining <= 0) this.rateLimitedUntil = page.rateLimit.resetAt;
      }
      const spent = await this.spend(page.resultCount);
      newestId ??= page.newestId;
      const capturedAt = new Date(this.clock()).toISOString();
      for (const tweet of page.tweets) {
        if (held) yield { mention: held };
        held = xMention(tweet, capturedAt);
      }
      this.log.debug({ page: pages, results: page.resultCount, reads: spent.reads }, 'X search page read');
      nextToken = page.nextToken;
      if (!nextToken) break;
    }
    if (!newestId) {
      if (held) yield { mention: held };
      return;
    }
    const newest = newestId;
    const checkpoint = async () => {
      await this.o.store.setCursor(key, newest);
      this.savedSinceId = newest;
    };
    // The last mention carries the checkpoint: since_id moves once all of them are stored.
    if (held) yield { mention: held, checkpoint };
    else await checkpoint();
  }
}
