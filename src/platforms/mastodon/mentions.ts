/**
 * Mastodon mentions: the streaming API's `hashtag` stream when the instance offers one, and the
 * hashtag timeline (`GET /api/v1/timelines/tag/:tag?min_id=`) to catch up from the saved cursor at
 * every (re)connect, or on its own, polled, when there is no stream.
 *
 * The stream is read with `ws` directly, as Jetstream is: masto.js's streaming client hands
 * messages through an unbounded queue with no way to pause the socket, and reconnects on its own
 * without saying so, so the gap could not be filled from the timeline. Here the socket is paused
 * while the buffer is full (resumed at half), and every reconnect first reads the timeline from
 * the cursor. The cursor (one per tag, the newest status id handed on) moves only through the
 * checkpoints, once the mentions before it are stored. The campaign account's own statuses are
 * skipped. The instance's rate limit is honoured: at X-RateLimit-Remaining 0, or after a 429,
 * reading waits for X-RateLimit-Reset.
 */
import WebSocket from 'ws';
import { mergeHashtags, normaliseHashtag } from '../../core/hashtags.ts';
import type { Mention, MentionSource, SourceItem, SourceStats } from '../../core/mention.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/types.ts';
import { isPlatformError } from '../errors.ts';
import { abortableSleep } from '../sleep.ts';
import { type MastodonPost, type MastodonTimelineClient, parseStreamMessage } from './timeline.ts';

export const mastodonCursorKey = (tag: string) => `monitor.mastodon.min_id:${tag}`;

export interface MastodonSourceOptions {
  /** Monitored tags of every campaign on Mastodon (any case, with or without '#'). */
  hashtags: readonly string[];
  client: MastodonTimelineClient;
  /** For the streaming API (the same token as posting). */
  accessToken: string;
  store: Pick<Store, 'getCursor' | 'setCursor'>;
  logger: Logger;
  /** The campaign account's id(s) on this instance: its statuses are skipped. */
  ownAccountIds?: readonly string[];
  /** false: never open the stream, only poll the timeline (MASTODON_STREAMING=off). */
  streaming?: boolean;
  /** Pause between timeline reads when polling (MASTODON_POLL_INTERVAL_SECONDS). */
  intervalMs: number;
  /** Buffered stream statuses at which the socket is paused (resumed at half). */
  highWater?: number;
  /** Wait before reconnect attempt n (1-based). */
  reconnectDelayMs?: (attempt: number) => number;
  /** A stream with no message and no ping for this long is taken for dead and reconnected. */
  idleTimeoutMs?: number;
  clock?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Mastodon ids are numeric strings of growing length: compare by length, then text. */
function newer(a: string, b: string | undefined): boolean {
  if (b === undefined) return true;
  return a.length !== b.length ? a.length > b.length : a > b;
}

export function mastodonMention(post: MastodonPost, capturedAt: string): Mention {
  return {
    platform: 'mastodon',
    id: post.uri,
    url: post.url,
    authorId: post.accountId,
    authorHandle: post.acct,
    text: post.text,
    ...(post.language ? { lang: post.language } : {}),
    createdAt: post.createdAt,
    capturedAt,
    hashtags: mergeHashtags(post.tags, post.text),
    ...(post.inReplyToId ? { replyTo: post.inReplyToId } : {}),
    ...(post.reblogOf ? { repostOf: post.reblogOf } : {}),
  };
}

/** One streaming connection, subscribed to every tag, with a bounded buffer. */
class HashtagStream {
  readonly opened: Promise<boolean>;
  private readonly socket: WebSocket;
  private readonly buffer: MastodonPost[] = [];
  private readonly highWater: number;
  private paused = false;
  private closed = false;
  private wake: (() => void) | undefined;
  malformed = 0;
  /** Times the socket was paused because the consumer fell behind. */
  pauses = 0;
  private idle: NodeJS.Timeout | undefined;
  private readonly idleMs: number;
  private readonly log: Logger;

  constructor(
    url: string,
    token: string,
    tags: readonly string[],
    options: { highWater: number; idleMs: number },
    log: Logger,
  ) {
    this.highWater = options.highWater;
    this.idleMs = options.idleMs;
    this.log = log;
    const endpoint = new URL('/api/v1/streaming', url);
    endpoint.searchParams.set('stream', 'hashtag');
    endpoint.searchParams.set('tag', tags[0]!);
    this.socket = new WebSocket(endpoint, { headers: { Authorization: `Bearer ${token}` } });
    this.opened = new Promise((resolve) => {
      this.socket.once('open', () => {
        for (const tag of tags.slice(1)) {
          this.socket.send(JSON.stringify({ type: 'subscribe', stream: 'hashtag', tag }));
        }
        this.touch();
        resolve(true);
      });
      this.socket.once('close', () => resolve(false));
    });
    // Mastodon pings every open stream; a connection that goes silent is dead, not quiet.
    this.socket.on('ping', () => this.touch());
    this.socket.on('message', (data) => {
      this.touch();
      const parsed = parseStreamMessage(String(data));
      if (parsed.kind === 'malformed') {
        this.malformed += 1;
        log.debug({ problem: parsed.problem }, 'malformed streaming message skipped');
        return;
      }
      if (parsed.kind !== 'post') return;
      this.buffer.push(parsed.post);
      if (this.buffer.length >= this.highWater && !this.paused) {
        this.paused = true;
        this.pauses += 1;
        // Paused, it reads nothing (pings included): silence is then ours, not the server's.
        clearTimeout(this.idle);
        this.socket.pause();
        log.debug({ buffered: this.buffer.length }, 'consumer busy: stream paused');
      }
      this.notify();
    });
    this.socket.on('error', (error) => log.debug({ err: error }, 'Mastodon stream error'));
    this.socket.on('close', () => {
      this.closed = true;
      clearTimeout(this.idle);
      this.notify();
    });
  }

  /** (Re)arms the silence check while the socket is read. */
  private touch(): void {
    clearTimeout(this.idle);
    if (this.closed || this.paused) return;
    this.idle = setTimeout(() => {
      this.log.warn({ silentMs: this.idleMs }, 'Mastodon stream went silent; reconnecting');
      this.socket.terminate();
    }, this.idleMs);
    this.idle.unref();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  buffered(): number {
    return this.buffer.length;
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** Statuses in arrival order until the connection closes or the signal aborts. */
  async *posts(signal: AbortSignal): AsyncGenerator<MastodonPost> {
    const onAbort = () => this.notify();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const next = this.buffer.shift();
        if (next) {
          if (this.paused && this.buffer.length <= this.highWater / 2) {
            this.paused = false;
            this.socket.resume();
            this.touch();
          }
          yield next;
          continue;
        }
        if (this.closed || signal.aborted) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.idle);
    this.socket.terminate();
    this.notify();
  }
}

export class MastodonSource implements MentionSource {
  readonly name = 'mastodon';
  private readonly o: MastodonSourceOptions;
  private readonly log: Logger;
  private readonly tags: string[];
  private readonly own: Set<string>;
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly counters: SourceStats = { malformed: 0, reconnects: 0, backfilled: 0 };
  /** Per tag, the newest status id handed on or skipped (what the next checkpoint saves). */
  private readonly seen = new Map<string, string>();
  private rateLimitedUntil = 0;
  private stream: HashtagStream | undefined;
  private mode: 'stream' | 'timeline' = 'timeline';
  private skippedOwn = 0;

  constructor(options: MastodonSourceOptions) {
    this.o = options;
    this.log = options.logger.child({ name: 'monitor.mastodon' });
    this.tags = [...new Set(options.hashtags.map(normaliseHashtag))].filter((t) => t.length > 0);
    this.own = new Set(options.ownAccountIds ?? []);
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
  }

  stats(): SourceStats {
    return { ...this.counters, malformed: this.counters.malformed + (this.stream?.malformed ?? 0) };
  }

  status(): Record<string, unknown> {
    return {
      mode: this.mode,
      // The newest status handed on per tag (saved as the cursor once stored).
      cursors: Object.fromEntries(this.tags.map((t) => [t, this.seen.get(t)])),
      buffered: this.stream?.buffered() ?? 0,
      paused: this.stream?.isPaused() ?? false,
      pauses: this.stream?.pauses ?? 0,
      skippedOwn: this.skippedOwn,
      rateLimitedUntil:
        this.rateLimitedUntil > this.clock() ? new Date(this.rateLimitedUntil).toISOString() : undefined,
    };
  }

  /** The item for a status, or undefined for the account's own (its id still moves the cursor). */
  private item(post: MastodonPost, tags: readonly string[]): SourceItem | undefined {
    for (const tag of tags) if (newer(post.id, this.seen.get(tag))) this.seen.set(tag, post.id);
    if (this.own.has(post.accountId)) {
      this.skippedOwn += 1;
      return undefined;
    }
    const cursors = [...this.seen];
    const checkpoint = async () => {
      for (const [tag, id] of cursors) {
        const key = mastodonCursorKey(tag);
        // Awaited: the store's reads may be asynchronous (a database backend).
        if (newer(id, await this.o.store.getCursor(key))) await this.o.store.setCursor(key, id);
      }
    };
    return { mention: mastodonMention(post, new Date(this.clock()).toISOString()), checkpoint };
  }

  async *mentions(signal: AbortSignal): AsyncIterable<SourceItem> {
    if (this.tags.length === 0) return;
    let attempt = 0;
    let streamUrl: string | undefined;
    while (!signal.aborted) {
      // Asked until the instance names its streaming API (a failed answer is asked again later).
      streamUrl ??= this.o.streaming === false ? undefined : await this.o.client.streamingUrl();
      const url = streamUrl;
      if (!url) {
        this.mode = 'timeline';
        yield* this.catchUp(signal);
        await this.sleep(this.o.intervalMs, signal);
        continue;
      }
      const stream = new HashtagStream(
        url,
        this.o.accessToken,
        this.tags,
        { highWater: this.o.highWater ?? 500, idleMs: this.o.idleTimeoutMs ?? 120_000 },
        this.log,
      );
      this.stream = stream;
      let onAbort: (() => void) | undefined;
      const open = await Promise.race([
        stream.opened,
        new Promise<false>((resolve) => {
          onAbort = () => resolve(false);
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      if (open) {
        this.mode = 'stream';
        attempt = 0;
        this.log.info({ tags: this.tags.length }, 'Mastodon stream connected');
      } else {
        this.mode = 'timeline';
        stream.close();
      }
      // The timeline fills what the stream cannot have: everything since the cursor. The stream
      // buffers (bounded) meanwhile; what both deliver is dropped as a duplicate downstream.
      yield* this.catchUp(signal);
      if (open) {
        for await (const post of stream.posts(signal)) {
          // Only the tags the status carries move: another tag's timeline may still hold older ones.
          const item = this.item(
            post,
            post.tags.filter((t) => this.tags.includes(t)),
          );
          if (item) yield item;
        }
        stream.close();
      }
      if (signal.aborted) break;
      attempt += 1;
      this.counters.reconnects += 1;
      const delay = this.o.reconnectDelayMs?.(attempt) ?? Math.min(60_000, 1000 * 2 ** (attempt - 1));
      this.log.warn({ attempt, delayMs: delay }, 'Mastodon stream closed; reconnecting');
      await this.sleep(delay, signal);
    }
    this.stream?.close();
  }

  /** Every status of every tag since its cursor (only the newest page the first time). */
  private async *catchUp(signal: AbortSignal): AsyncGenerator<SourceItem> {
    for (const tag of this.tags) {
      let minId = await this.o.store.getCursor(mastodonCursorKey(tag));
      const seen = this.seen.get(tag);
      if (seen && newer(seen, minId)) minId = seen;
      for (;;) {
        if (signal.aborted) return;
        if (this.rateLimitedUntil > this.clock()) {
          const wait = this.rateLimitedUntil - this.clock();
          this.log.info({ waitMs: wait }, 'waiting for the Mastodon rate limit to reset');
          await this.sleep(wait, signal);
          if (signal.aborted) return;
        }
        let page: Awaited<ReturnType<MastodonTimelineClient['tagPage']>>;
        try {
          page = await this.o.client.tagPage(tag, minId);
        } catch (error) {
          if (isPlatformError(error) && error.kind === 'rate-limited') {
            this.rateLimitedUntil = error.retryAt?.getTime() ?? this.clock() + 300_000;
            this.counters.reconnects += 1;
            this.log.warn(
              { code: 'RATE_LIMITED', resetAt: new Date(this.rateLimitedUntil).toISOString() },
              'Mastodon rate limit hit',
            );
            continue;
          }
          if (isPlatformError(error) && error.kind === 'auth') throw error;
          this.counters.reconnects += 1;
          this.log.warn({ err: error, tag }, 'Mastodon timeline read failed; trying again later');
          return;
        }
        if (page.rateLimit && page.rateLimit.remaining <= 0) this.rateLimitedUntil = page.rateLimit.resetAt;
        for (const post of page.posts) {
          const item = this.item(post, [tag]);
          if (item) yield item;
        }
        const newest = page.posts.at(-1)?.id;
        // A first read takes only the newest page: the campaign's past is not monitoring's job.
        if (!newest || minId === undefined) break;
        minId = newest;
      }
    }
  }
}
