/**
 * Bluesky live mentions from Jetstream (JSON over WebSocket), read with `ws` directly rather than
 * @skyware/jetstream: that client emits every message synchronously with no way to pause the
 * socket (so a slow store could only buffer without bound or drop), moves its cursor when a
 * message arrives rather than when it is stored, and reconnects with that cursor unrewound.
 * Here the socket is paused while the buffer is full, the cursor saved is the oldest mention not
 * yet stored, and every reconnect rewinds a few seconds (duplicates are dropped by URI).
 *
 * After downtime longer than Jetstream keeps events, the gap is filled with an injected backfill
 * (authenticated app.bsky.feed.searchPosts, in src/platforms/bluesky/search.ts).
 */
import WebSocket from 'ws';
import { z } from 'zod';
import { mergeHashtags, normaliseHashtag } from '../../core/hashtags.ts';
import type { Mention, MentionSource, SourceItem, SourceStats } from '../../core/mention.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/types.ts';
import { blueskyPostUrl } from './platform.ts';

export const JETSTREAM_CURSOR_KEY = 'monitor.bluesky.jetstream';
const POST = 'app.bsky.feed.post';

/** Looks up current handles for DIDs (those it cannot find are left out of the map). */
export type HandleLookup = (dids: readonly string[]) => Promise<Map<string, string>>;

/** Fills a gap Jetstream no longer covers: mentions of `tags` created in [since, until). */
export type BlueskyBackfill = (
  query: { tags: readonly string[]; since: string; until: string },
  signal: AbortSignal,
) => AsyncIterable<Mention>;

export interface JetstreamSourceOptions {
  /** The subscribe endpoint, e.g. wss://jetstream2.us-east.bsky.network/subscribe. */
  url: string;
  /** Monitored tags of every campaign (any case, with or without '#'). */
  hashtags: readonly string[];
  store: Store;
  logger: Logger;
  clock?: () => number;
  /** Seconds to rewind the cursor on every (re)connect. */
  rewindSeconds?: number;
  /** How far back Jetstream can replay; longer gaps need the backfill. */
  retentionMs?: number;
  backfill?: BlueskyBackfill;
  /** Buffered mentions at which the socket is paused (resumed at half). */
  highWater?: number;
  /** Wait before reconnect attempt n (1-based). */
  reconnectDelayMs?: (attempt: number) => number;
  /** Save the cursor at most this often while running (always on stop). */
  cursorSaveIntervalMs?: number;
  /**
   * Jetstream carries DIDs only: handles are looked up in batches (cached) before a mention is
   * handed on. Without it, or when the lookup fails, the DID stands in for the handle.
   */
  lookupHandles?: HandleLookup;
}

const facetSchema = z.looseObject({
  features: z.array(z.looseObject({ $type: z.string().optional(), tag: z.string().optional() })).optional(),
});

const postRecordSchema = z.looseObject({
  text: z.string(),
  createdAt: z.string(),
  langs: z.array(z.string()).optional(),
  facets: z.array(facetSchema).optional(),
  tags: z.array(z.string()).optional(),
  reply: z.looseObject({ parent: z.looseObject({ uri: z.string() }) }).optional(),
  embed: z
    .looseObject({
      $type: z.string().optional(),
      record: z
        .looseObject({ uri: z.string().optional(), record: z.looseObject({ uri: z.string() }).optional() })
        .optional(),
    })
    .optional(),
});

const eventSchema = z.looseObject({
  did: z.string().startsWith('did:'),
  time_us: z.number().int().positive(),
  kind: z.string(),
  commit: z
    .looseObject({
      operation: z.string(),
      collection: z.string(),
      rkey: z.string().min(1),
      record: z.unknown().optional(),
    })
    .optional(),
});

export type JetstreamParse =
  | { kind: 'mention'; timeUs: number; mention: Mention }
  | { kind: 'other'; timeUs: number }
  | { kind: 'malformed'; timeUs?: number; problem: string };

/**
 * Turns one Jetstream message into a mention when it creates a post carrying a monitored tag
 * (in a facet, the record's tags or the text). Pure.
 */
export function parseJetstreamMessage(
  raw: string,
  monitored: ReadonlySet<string>,
  capturedAt: string,
): JetstreamParse {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'malformed', problem: 'not JSON' };
  }
  const event = eventSchema.safeParse(json);
  if (!event.success)
    return { kind: 'malformed', problem: event.error.issues[0]?.message ?? 'invalid event' };
  const { did, time_us: timeUs, kind, commit } = event.data;
  if (kind !== 'commit' || !commit || commit.collection !== POST || commit.operation !== 'create') {
    return { kind: 'other', timeUs };
  }
  const record = postRecordSchema.safeParse(commit.record);
  if (!record.success) return { kind: 'malformed', timeUs, problem: 'post record without text or createdAt' };
  const post = record.data;
  const reported: string[] = [...(post.tags ?? [])];
  for (const facet of post.facets ?? []) {
    for (const feature of facet.features ?? []) {
      if (feature.$type === 'app.bsky.richtext.facet#tag' && feature.tag) reported.push(feature.tag);
    }
  }
  const hashtags = mergeHashtags(reported, post.text);
  if (!hashtags.some((t) => monitored.has(t))) return { kind: 'other', timeUs };
  const uri = `at://${did}/${POST}/${commit.rkey}`;
  const quoteOf = post.embed?.record?.uri ?? post.embed?.record?.record?.uri;
  const mention: Mention = {
    platform: 'bluesky',
    id: uri,
    url: blueskyPostUrl(uri),
    authorId: did,
    // Jetstream carries DIDs only; the DID stands in for the handle (it always resolves).
    authorHandle: did,
    text: post.text,
    ...(post.langs?.[0] ? { lang: post.langs[0] } : {}),
    createdAt: post.createdAt,
    capturedAt,
    hashtags,
    ...(post.reply ? { replyTo: post.reply.parent.uri } : {}),
    ...(quoteOf ? { quoteOf } : {}),
  };
  return { kind: 'mention', timeUs, mention };
}

interface Buffered {
  seq: number;
  mention: Mention;
}

export class JetstreamSource implements MentionSource {
  readonly name = 'bluesky';
  private readonly o: Required<Omit<JetstreamSourceOptions, 'backfill' | 'lookupHandles'>> &
    Pick<JetstreamSourceOptions, 'backfill' | 'lookupHandles'>;
  private readonly handles = new Map<string, string>();
  private lookupFailures = 0;
  private readonly monitored: Set<string>;
  private readonly log: Logger;
  private readonly counters: SourceStats = { malformed: 0, reconnects: 0, backfilled: 0 };
  private readonly buffer: Buffered[] = [];
  /** Mentions buffered or handed out but not yet stored: seq → the cursor they hold back. */
  private readonly outstanding = new Map<number, number>();
  private seq = 0;
  private lastSeenUs: number | undefined;
  private savedUs: number | undefined;
  private lastSaveAt = 0;
  private socket: WebSocket | undefined;
  private paused = false;
  private connected = false;
  private stopping = false;
  private wake: (() => void) | undefined;
  private failures = 0;
  private malformedLogged = 0;

  constructor(options: JetstreamSourceOptions) {
    this.o = {
      clock: Date.now,
      rewindSeconds: 5,
      retentionMs: 24 * 60 * 60_000,
      highWater: 1000,
      reconnectDelayMs: (n) => Math.min(30_000, 500 * 2 ** (n - 1)),
      cursorSaveIntervalMs: 1000,
      ...options,
    };
    this.monitored = new Set(options.hashtags.map(normaliseHashtag));
    this.log = options.logger.child({ name: 'monitor.bluesky' });
  }

  stats(): SourceStats {
    return { ...this.counters };
  }

  status(): Record<string, unknown> {
    const cursor = this.safeCursor();
    return {
      connected: this.connected,
      paused: this.paused,
      buffered: this.buffer.length,
      cursorUs: cursor,
      cursorAgeSeconds: cursor === undefined ? undefined : Math.round((this.o.clock() * 1000 - cursor) / 1e6),
    };
  }

  /** The position every mention before which is stored: what a restart may resume from. */
  private safeCursor(): number | undefined {
    let min: number | undefined;
    for (const t of this.outstanding.values()) if (min === undefined || t < min) min = t;
    if (min !== undefined) return min - 1;
    return this.lastSeenUs ?? this.savedUs;
  }

  private async saveCursor(force: boolean): Promise<void> {
    const cursor = this.safeCursor();
    if (cursor === undefined || cursor === this.savedUs) return;
    const now = this.o.clock();
    if (!force && now - this.lastSaveAt < this.o.cursorSaveIntervalMs) return;
    this.lastSaveAt = now;
    this.savedUs = cursor;
    await this.o.store.setCursor(JETSTREAM_CURSOR_KEY, String(cursor));
  }

  private push(mention: Mention, holdsUs: number): void {
    const seq = this.seq++;
    this.outstanding.set(seq, holdsUs);
    this.buffer.push({ seq, mention });
    if (this.buffer.length >= this.o.highWater && !this.paused && this.socket) {
      this.paused = true;
      this.socket.pause();
      this.log.debug({ buffered: this.buffer.length }, 'consumer busy: socket paused');
    }
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private onMessage(raw: string): void {
    const parsed = parseJetstreamMessage(raw, this.monitored, new Date(this.o.clock()).toISOString());
    if (parsed.kind === 'malformed') {
      this.counters.malformed += 1;
      if (this.malformedLogged < 20) {
        this.malformedLogged += 1;
        this.log.warn(
          { problem: parsed.problem, timeUs: parsed.timeUs },
          'skipped a malformed Jetstream event',
        );
      }
    }
    if (parsed.timeUs !== undefined && (this.lastSeenUs === undefined || parsed.timeUs > this.lastSeenUs)) {
      this.lastSeenUs = parsed.timeUs;
    }
    this.failures = 0;
    if (parsed.kind === 'mention') this.push(parsed.mention, parsed.timeUs);
  }

  /** Where to connect from; runs the backfill first when the gap is longer than Jetstream keeps. */
  private async *prepare(signal: AbortSignal): AsyncGenerator<void, number | undefined> {
    const stored =
      this.safeCursor() ?? Number((await this.o.store.getCursor(JETSTREAM_CURSOR_KEY)) ?? Number.NaN);
    if (!Number.isFinite(stored)) return undefined;
    this.savedUs ??= stored;
    const nowMs = this.o.clock();
    const gapMs = nowMs - stored / 1000;
    if (gapMs <= this.o.retentionMs - 60_000) return Math.max(0, stored - this.o.rewindSeconds * 1e6);
    // Jetstream can replay only from (now - retention); the part before it needs search.
    const replayFromMs = nowMs - this.o.retentionMs + 60_000;
    const since = new Date(stored / 1000 - this.o.rewindSeconds * 1000).toISOString();
    const until = new Date(replayFromMs + 60_000).toISOString();
    if (!this.o.backfill) {
      this.log.warn(
        { code: 'BLUESKY_GAP', since, until, gapHours: Math.round(gapMs / 3_600_000) },
        'Bluesky monitoring was down longer than Jetstream keeps events; mentions in the gap are not read. Set BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD to backfill with search.',
      );
      return replayFromMs * 1000;
    }
    this.log.info(
      { since, until, tags: [...this.monitored] },
      'backfilling a gap longer than Jetstream keeps',
    );
    let n = 0;
    for await (const mention of this.o.backfill({ tags: [...this.monitored], since, until }, signal)) {
      if (signal.aborted) break;
      n += 1;
      this.counters.backfilled += 1;
      // Until the backfilled mentions are stored, the cursor stays where it was.
      this.push(mention, stored + 1);
      yield;
    }
    this.log.info({ mentions: n }, 'backfill done');
    return replayFromMs * 1000;
  }

  private connect(cursorUs: number | undefined): void {
    const url = new URL(this.o.url);
    url.searchParams.set('wantedCollections', POST);
    if (cursorUs !== undefined) url.searchParams.set('cursor', String(Math.floor(cursorUs)));
    const socket = new WebSocket(url, { perMessageDeflate: false });
    this.socket = socket;
    this.paused = false;
    socket.on('open', () => {
      this.connected = true;
      this.log.info({ cursorUs }, 'connected to Jetstream');
      if (this.buffer.length >= this.o.highWater) {
        this.paused = true;
        socket.pause();
      }
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.counters.malformed += 1;
        return;
      }
      this.onMessage(data.toString());
    });
    socket.on('error', (error) => {
      this.log.warn({ err: error }, 'Jetstream connection error');
    });
    socket.on('close', (code) => {
      this.connected = false;
      if (this.socket === socket) this.socket = undefined;
      if (this.stopping) return;
      this.failures += 1;
      this.counters.reconnects += 1;
      const wait = this.o.reconnectDelayMs(this.failures);
      this.log.warn({ code, waitMs: wait, attempt: this.failures }, 'Jetstream disconnected; reconnecting');
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        if (this.stopping) return;
        this.reconnectNeeded = true;
        this.wakeUp();
      }, wait);
    });
  }

  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectNeeded = false;

  /** Puts handles on the buffered mentions about to be handed on (one lookup of up to 25 DIDs). */
  private async fillHandles(): Promise<void> {
    const lookup = this.o.lookupHandles;
    if (!lookup) return;
    const batch = this.buffer.slice(0, 25).map((b) => b.mention);
    const missing = [
      ...new Set(
        batch
          .filter((m) => m.authorHandle === m.authorId && !this.handles.has(m.authorId))
          .map((m) => m.authorId),
      ),
    ];
    if (missing.length > 0) {
      try {
        const found = await lookup(missing);
        for (const did of missing) this.handles.set(did, found.get(did) ?? did);
        if (this.handles.size > 50_000) this.handles.clear();
      } catch (error) {
        this.lookupFailures += 1;
        if (this.lookupFailures <= 5)
          this.log.warn({ err: error }, 'handle lookup failed; DIDs stand in for handles');
      }
    }
    for (const m of batch) {
      const handle = this.handles.get(m.authorId);
      if (handle && m.authorHandle === m.authorId) m.authorHandle = handle;
    }
  }

  private commit(upTo: number): Promise<void> {
    for (const seq of this.outstanding.keys()) if (seq <= upTo) this.outstanding.delete(seq);
    return this.saveCursor(this.stopping);
  }

  async *mentions(signal: AbortSignal): AsyncIterable<SourceItem> {
    const onAbort = () => {
      this.stopping = true;
      this.wakeUp();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setInterval(() => {
      void this.saveCursor(false).catch((error: unknown) =>
        this.log.error({ err: error }, 'could not save cursor'),
      );
    }, this.o.cursorSaveIntervalMs);
    timer.unref();
    const item = (b: Buffered): SourceItem => ({ mention: b.mention, checkpoint: () => this.commit(b.seq) });
    try {
      this.reconnectNeeded = true;
      while (!signal.aborted) {
        if (this.reconnectNeeded) {
          this.reconnectNeeded = false;
          const prep = this.prepare(signal);
          let step = await prep.next();
          while (!step.done) {
            // Backfilled mentions flow out as they come, so the buffer stays bounded.
            while (this.buffer.length > 0) yield item(this.buffer.shift()!);
            step = await prep.next();
          }
          if (signal.aborted) break;
          this.connect(step.value);
        }
        if (this.buffer.length > 0) await this.fillHandles();
        const next = this.buffer.shift();
        if (next) {
          if (this.paused && this.buffer.length <= this.o.highWater / 2 && this.socket) {
            this.paused = false;
            this.socket.resume();
          }
          yield item(next);
          continue;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      this.stopping = true;
      signal.removeEventListener('abort', onAbort);
      clearInterval(timer);
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.socket?.terminate();
      this.socket = undefined;
      // Mentions still buffered were never handed out: they hold the cursor back, so they are
      // read again on the next start rather than lost.
      await this.saveCursor(true);
    }
  }
}
