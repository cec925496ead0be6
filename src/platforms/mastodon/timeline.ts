/**
 * What Mastodon monitoring reads: the hashtag timeline (REST, masto.js, `min_id` pages) and the
 * messages of the streaming API's `hashtag` stream, both turned into one small shape.
 */
import { z } from 'zod';
import { PlatformError } from '../errors.ts';
import {
  createMastodonRest,
  instanceInfo,
  type MastodonRest,
  type MastodonStatus,
  mapMastodonError,
  rateLimitFrom,
} from './client.ts';
import { htmlToText } from './text.ts';

/** A status as monitoring needs it, text already plain. */
export interface MastodonPost {
  /** The status id on the instance read (the timeline cursor). */
  id: string;
  /** The status's global URI (the same whichever instance it is read on). */
  uri: string;
  /** Its web page. */
  url: string;
  createdAt: string;
  text: string;
  language?: string;
  accountId: string;
  /** user (local) or user@domain (remote). */
  acct: string;
  /** Lower case, without '#'. */
  tags: string[];
  inReplyToId?: string;
  reblogOf?: string;
}

export interface TagPage {
  /** Oldest first. */
  posts: MastodonPost[];
  rateLimit?: { limit: number; remaining: number; resetAt: number };
}

export interface MastodonTimelineClient {
  /** Up to `limit` statuses with the tag right after `minId` (all, oldest first, when it is absent). */
  tagPage(tag: string, minId: string | undefined, limit?: number): Promise<TagPage>;
  /** The streaming API's WebSocket origin, when the instance offers one. */
  streamingUrl(): Promise<string | undefined>;
}

/** Text for scoring: the content warning (which can hide the worst) then the content. */
function plain(content: string, spoiler: string | null | undefined): string {
  const text = htmlToText(content);
  return spoiler?.trim() ? `${spoiler.trim()}\n\n${text}` : text;
}

/** The fields of a status monitoring reads, as masto.js gives them (the stream's are renamed to these). */
type StatusFields = Pick<MastodonStatus, 'id' | 'uri' | 'createdAt' | 'content'> & {
  url?: string | null;
  spoilerText?: string | null;
  language?: string | null;
  inReplyToId?: string | null;
  account: { id: string; acct: string };
  tags: ReadonlyArray<{ name: string }>;
  reblog?: { uri: string } | null;
};

export function postFromStatus(status: StatusFields): MastodonPost {
  return {
    id: status.id,
    uri: status.uri,
    url: status.url ?? status.uri,
    createdAt: status.createdAt,
    text: plain(status.content, status.spoilerText),
    ...(status.language ? { language: status.language } : {}),
    accountId: status.account.id,
    acct: status.account.acct,
    tags: status.tags.map((t) => t.name.toLowerCase()),
    ...(status.inReplyToId ? { inReplyToId: status.inReplyToId } : {}),
    ...(status.reblog ? { reblogOf: status.reblog.uri } : {}),
  };
}

const streamedStatus = z.looseObject({
  id: z.string().min(1),
  uri: z.string().min(1),
  url: z.string().nullish(),
  created_at: z.string(),
  content: z.string(),
  spoiler_text: z.string().nullish(),
  language: z.string().nullish(),
  in_reply_to_id: z.string().nullish(),
  account: z.looseObject({ id: z.string(), acct: z.string() }),
  tags: z.array(z.looseObject({ name: z.string() })).default([]),
  reblog: z.looseObject({ uri: z.string() }).nullish(),
});

const streamMessage = z.looseObject({
  stream: z.array(z.string()).optional(),
  event: z.string(),
  payload: z.string().optional(),
});

export type StreamParse =
  | { kind: 'post'; post: MastodonPost }
  | { kind: 'other' }
  | { kind: 'malformed'; problem: string };

/** One streaming-API message: a new status (`update`) or anything else. Pure. */
export function parseStreamMessage(raw: string): StreamParse {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'malformed', problem: 'not JSON' };
  }
  const message = streamMessage.safeParse(json);
  if (!message.success) return { kind: 'malformed', problem: 'not a streaming event' };
  if (message.data.event !== 'update') return { kind: 'other' };
  let payload: unknown;
  try {
    payload = JSON.parse(message.data.payload ?? '');
  } catch {
    return { kind: 'malformed', problem: 'payload is not JSON' };
  }
  const parsed = streamedStatus.safeParse(payload);
  if (!parsed.success) return { kind: 'malformed', problem: parsed.error.issues[0]?.message ?? 'bad status' };
  const s = parsed.data;
  return {
    kind: 'post',
    post: postFromStatus({
      id: s.id,
      uri: s.uri,
      url: s.url,
      createdAt: s.created_at,
      content: s.content,
      spoilerText: s.spoiler_text,
      language: s.language,
      inReplyToId: s.in_reply_to_id,
      account: s.account,
      tags: s.tags,
      reblog: s.reblog,
    }),
  };
}

export function createMastodonTimelineClient(options: {
  url: string;
  accessToken: string;
  timeoutMs?: number;
  clock?: () => number;
}): MastodonTimelineClient {
  const rest: MastodonRest = createMastodonRest(options);
  const clock = options.clock ?? Date.now;
  return {
    async tagPage(tag, minId, limit = 40) {
      try {
        const res = await rest.v1.timelines.tag
          .$select(tag)
          .list.$raw({ limit, ...(minId ? { minId } : {}) });
        const state = rateLimitFrom(res.headers, new Date(clock()));
        // Mastodon serves the page newest first; monitoring hands mentions on oldest first.
        const posts = res.data.map(postFromStatus).reverse();
        return {
          posts,
          ...(state?.limit !== undefined && state.remaining !== undefined
            ? {
                rateLimit: {
                  limit: state.limit,
                  remaining: state.remaining,
                  resetAt: state.resetAt ? Date.parse(state.resetAt) : clock() + 300_000,
                },
              }
            : {}),
        };
      } catch (error) {
        throw mapMastodonError(error, `reading the #${tag} timeline`, new Date(clock()));
      }
    },
    async streamingUrl() {
      try {
        return instanceInfo(await rest.v2.instance.fetch()).streamingUrl;
      } catch (error) {
        const mapped = mapMastodonError(error, 'reading the instance', new Date(clock()));
        if (mapped instanceof PlatformError && mapped.kind === 'auth') throw mapped;
        return undefined;
      }
    },
  };
}
