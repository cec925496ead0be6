/**
 * Bluesky post search (app.bsky.feed.searchPosts) with an authenticated session, used to backfill
 * hashtag mentions after monitoring was down longer than Jetstream keeps events. The session is the
 * publishing adapter's, saved in the store: monitoring never logs in on its own.
 */
import type { AtpAgent } from '@atproto/api';

export interface BlueskySearchPost {
  uri: string;
  authorDid: string;
  authorHandle: string;
  text: string;
  createdAt: string;
  langs?: string[];
  /** Tags from facets and the record's tags field, as written. */
  tags: string[];
  replyParent?: string;
  quoteUri?: string;
}

export interface BlueskySearchPage {
  posts: BlueskySearchPost[];
  cursor?: string;
}

export interface BlueskySearchRequest {
  tag: string;
  /** ISO 8601, inclusive. */
  since: string;
  /** ISO 8601, exclusive. */
  until: string;
  cursor?: string;
  /** 1..100 */
  limit: number;
}

export interface BlueskySearchClient {
  /** The DID of the logged-in account (the bot's own). */
  readonly did: string;
  searchTag(request: BlueskySearchRequest): Promise<BlueskySearchPage>;
}

interface RecordShape {
  text?: unknown;
  createdAt?: unknown;
  langs?: unknown;
  tags?: unknown;
  facets?: Array<{ features?: Array<{ $type?: string; tag?: string }> }>;
  reply?: { parent?: { uri?: string } };
  embed?: { record?: { uri?: string; record?: { uri?: string } } };
}

/**
 * One page of app.bsky.feed.searchPosts for a tag, on an agent that already holds a session (the
 * Bluesky adapter's: see `BlueskyAdapter.searchClient`). XRPC errors are thrown as they come, so
 * the caller's session handling sees them.
 */
export async function searchPosts(
  agent: AtpAgent,
  request: BlueskySearchRequest,
): Promise<BlueskySearchPage> {
  const res = await agent.app.bsky.feed.searchPosts({
    q: `#${request.tag}`,
    tag: [request.tag],
    sort: 'latest',
    since: request.since,
    until: request.until,
    limit: request.limit,
    ...(request.cursor ? { cursor: request.cursor } : {}),
  });
  const posts = res.data.posts.map((view): BlueskySearchPost => {
    const record = view.record as RecordShape;
    const tags: string[] = Array.isArray(record.tags) ? record.tags.filter((t) => typeof t === 'string') : [];
    for (const facet of record.facets ?? []) {
      for (const f of facet.features ?? [])
        if (f.$type === 'app.bsky.richtext.facet#tag' && f.tag) tags.push(f.tag);
    }
    const langs = Array.isArray(record.langs) ? record.langs.filter((l) => typeof l === 'string') : undefined;
    const quoteUri = record.embed?.record?.uri ?? record.embed?.record?.record?.uri;
    return {
      uri: view.uri,
      authorDid: view.author.did,
      authorHandle: view.author.handle,
      text: typeof record.text === 'string' ? record.text : '',
      createdAt: typeof record.createdAt === 'string' ? record.createdAt : view.indexedAt,
      ...(langs && langs.length > 0 ? { langs } : {}),
      tags,
      ...(record.reply?.parent?.uri ? { replyParent: record.reply.parent.uri } : {}),
      ...(quoteUri ? { quoteUri } : {}),
    };
  });
  return { posts, ...(res.data.cursor ? { cursor: res.data.cursor } : {}) };
}
