/**
 * Backfill for Bluesky: pages through authenticated post search for each monitored tag over the
 * gap Jetstream can no longer replay, waiting out rate limits. Search may not reach every post
 * (its own documentation says pagination is not guaranteed to be complete); what it returns is
 * logged so the gap is visible.
 */

import { mergeHashtags } from '../../core/hashtags.ts';
import type { Mention } from '../../core/mention.ts';
import type { Logger } from '../../logger.ts';
import { isPlatformError } from '../errors.ts';
import type { BlueskyBackfill } from './jetstream.ts';
import { blueskyPostUrl } from './platform.ts';
import type { BlueskySearchClient, BlueskySearchPost } from './search.ts';

export function searchPostMention(post: BlueskySearchPost, capturedAt: string): Mention {
  return {
    platform: 'bluesky',
    id: post.uri,
    url: blueskyPostUrl(post.uri),
    authorId: post.authorDid,
    authorHandle: post.authorHandle,
    text: post.text,
    ...(post.langs?.[0] ? { lang: post.langs[0] } : {}),
    createdAt: post.createdAt,
    capturedAt,
    hashtags: mergeHashtags(post.tags, post.text),
    ...(post.replyParent ? { replyTo: post.replyParent } : {}),
    ...(post.quoteUri ? { quoteOf: post.quoteUri } : {}),
  };
}

export interface SearchBackfillOptions {
  client: BlueskySearchClient;
  logger: Logger;
  /** Pages of 100 per tag at most, so one backfill cannot run for hours. */
  maxPagesPerTag?: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function searchBackfill(options: SearchBackfillOptions): BlueskyBackfill {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxPages = options.maxPagesPerTag ?? 100;
  const log = options.logger.child({ name: 'monitor.bluesky.backfill' });
  return async function* backfill({ tags, since, until }, signal) {
    for (const tag of tags) {
      let cursor: string | undefined;
      let pages = 0;
      let found = 0;
      let failures = 0;
      while (!signal.aborted) {
        let page: Awaited<ReturnType<BlueskySearchClient['searchTag']>>;
        try {
          page = await options.client.searchTag({
            tag,
            since,
            until,
            limit: 100,
            ...(cursor ? { cursor } : {}),
          });
        } catch (error) {
          // A rate limit is waited out, not counted as a failure.
          if (isPlatformError(error) && error.kind === 'rate-limited') {
            const wait = Math.max(1000, (error.retryAt?.getTime() ?? clock() + 60_000) - clock());
            log.warn({ code: 'RATE_LIMITED', tag, waitMs: wait }, 'Bluesky search rate limit; waiting');
            await sleep(wait);
            continue;
          }
          failures += 1;
          if (failures >= 3) {
            log.error(
              { err: error, code: 'BLUESKY_GAP', tag, since, until, found },
              'backfill of this tag gave up',
            );
            break;
          }
          await sleep(2000 * failures);
          continue;
        }
        pages += 1;
        const capturedAt = new Date(clock()).toISOString();
        for (const post of page.posts) {
          found += 1;
          yield searchPostMention(post, capturedAt);
        }
        cursor = page.cursor;
        if (!cursor || page.posts.length === 0) break;
        if (pages >= maxPages) {
          log.warn(
            { code: 'BLUESKY_GAP', tag, pages, found },
            'backfill stopped at its page limit; older posts are not read',
          );
          break;
        }
      }
      log.info({ tag, pages, found }, 'backfilled tag');
    }
  };
}
