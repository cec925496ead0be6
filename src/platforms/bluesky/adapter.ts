/**
 * Bluesky through @atproto/api: app-password login once, session kept in the store and resumed
 * (refreshed) on start, rich-text facets, langs, images with alt text, link cards, and a threadgate
 * written in the same atomic applyWrites as the post. The record key is derived from the slot, so
 * `post` is idempotent: a retry finds the record instead of writing a second one.
 */
import {
  type AppBskyEmbedExternal,
  type AppBskyEmbedImages,
  type AppBskyFeedThreadgate,
  AtpAgent,
  type AtpSessionData,
  type ComAtprotoRepoApplyWrites,
  RichText,
} from '@atproto/api';
import type { Logger } from '../../logger.ts';
import { silentLogger } from '../../logger.ts';
import type { Store } from '../../store/types.ts';
import { PlatformError, resetFromHeader } from '../errors.ts';
import type {
  CredentialCheck,
  PlatformAdapter,
  Post,
  PostRequest,
  RateLimitState,
  ReplyPolicy,
} from '../types.ts';
import { postKey } from '../types.ts';
import { BLUESKY_AUTH_HINT, blueskyPostUrl } from './platform.ts';
import { recordKeyFor } from './record-key.ts';
import { type BlueskySearchClient, searchPosts } from './search.ts';

export interface BlueskyOptions {
  service: string;
  identifier: string;
  password: string;
  /** Where the session lives between runs (the store's small key/value state). */
  state: Pick<Store, 'getState' | 'setState'>;
  logger?: Logger;
  /** Base of the public post URL. */
  webUrl?: string;
  now?: () => Date;
}

const POST = 'app.bsky.feed.post';
const THREADGATE = 'app.bsky.feed.threadgate';
const AUTH_ERRORS = new Set(['AuthenticationRequired', 'ExpiredToken', 'InvalidToken', 'AccountTakedown']);

/** Shape of an XRPC error as @atproto/xrpc throws it (checked structurally). */
interface XrpcLike {
  status: number;
  error?: string;
  message: string;
  headers?: Record<string, string>;
}

function asXrpc(error: unknown): XrpcLike | undefined {
  if (error && typeof error === 'object' && 'status' in error && typeof error.status === 'number') {
    return error as XrpcLike;
  }
  return undefined;
}

export class BlueskyAdapter implements PlatformAdapter {
  readonly name = 'bluesky';
  readonly idempotent = true;
  private readonly agent: AtpAgent;
  private readonly log: Logger;
  private readonly sessionKey: string;
  private readonly now: () => Date;
  private persisting: Promise<void> = Promise.resolve();
  private limits: RateLimitState | undefined;
  private sessionReady: Promise<AtpSessionData> | undefined;
  /** How many times this adapter logged in with the app password (createSession). */
  logins = 0;
  /** How the current session was obtained: a saved one resumed, or a login. */
  private sessionSource: 'resumed' | 'login' | undefined;

  private readonly options: BlueskyOptions;

  constructor(options: BlueskyOptions) {
    this.options = options;
    this.log = (options.logger ?? silentLogger()).child({ name: 'platform.bluesky' });
    this.now = options.now ?? (() => new Date());
    this.sessionKey = `bluesky.session:${new URL(options.service).host}:${options.identifier.toLowerCase()}`;
    this.agent = new AtpAgent({
      service: options.service,
      fetch: (input, init) => this.observedFetch(input, init),
      persistSession: (event, session) => {
        // Tokens rotate on every refresh; the newest pair must reach the store or the next start
        // would need a fresh createSession.
        if (event === 'create' || event === 'update') this.saveSession(session);
        if (event === 'expired') this.saveSession(undefined);
      },
    });
  }

  private saveSession(session: AtpSessionData | undefined): void {
    this.persisting = this.persisting
      .then(() => this.options.state.setState(this.sessionKey, session ?? null))
      .catch((error) => this.log.error({ err: error }, 'could not save the Bluesky session'));
  }

  private async observedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const res = await fetch(input, init);
    const limit = res.headers.get('ratelimit-limit');
    if (limit !== null) {
      const reset = res.headers.get('ratelimit-reset');
      this.limits = {
        limit: Number(limit),
        remaining: Number(res.headers.get('ratelimit-remaining') ?? Number.NaN),
        ...(reset ? { resetAt: resetFromHeader(reset, this.now()).toISOString() } : {}),
        ...(res.status === 429 && reset
          ? { limitedUntil: resetFromHeader(reset, this.now()).toISOString() }
          : {}),
      };
    }
    return res;
  }

  /** Resumes the stored session (one refresh) or logs in once; concurrent callers share the work. */
  private session(): Promise<AtpSessionData> {
    if (this.agent.session) return Promise.resolve(this.agent.session);
    this.sessionReady ??= this.openSession().finally(() => {
      this.sessionReady = undefined;
    });
    return this.sessionReady;
  }

  private async openSession(): Promise<AtpSessionData> {
    const saved = await this.options.state.getState<AtpSessionData | null>(this.sessionKey);
    if (saved) {
      try {
        await this.agent.resumeSession(saved);
        await this.persisting;
        this.sessionSource = 'resumed';
        this.log.info({ did: saved.did }, 'resumed the saved Bluesky session');
        return this.agent.session!;
      } catch (error) {
        const xrpc = asXrpc(error);
        // Only a rejected session means "log in again"; a network failure or a rate limit must
        // not turn into a createSession (the PDS allows few per day).
        if (!xrpc || xrpc.status === 1 || xrpc.status === 429 || xrpc.status >= 500) {
          throw this.mapError(error, 'resuming the session');
        }
        this.log.warn({ error: xrpc.error }, 'saved Bluesky session no longer valid; logging in again');
      }
    }
    try {
      this.logins += 1;
      await this.agent.login({ identifier: this.options.identifier, password: this.options.password });
    } catch (error) {
      const xrpc = asXrpc(error);
      if (xrpc && (xrpc.status === 401 || AUTH_ERRORS.has(xrpc.error ?? ''))) {
        throw new PlatformError(
          'bluesky',
          'auth',
          `Bluesky rejected the login for "${this.options.identifier}".`,
          {
            status: xrpc.status,
            hint: BLUESKY_AUTH_HINT,
            details: [`${this.options.service} answered: ${xrpc.message}`],
          },
        );
      }
      throw this.mapError(error, 'logging in');
    }
    await this.persisting;
    this.sessionSource = 'login';
    this.log.info({ did: this.agent.session?.did }, 'logged in to Bluesky with the app password');
    return this.agent.session!;
  }

  /** Runs one authenticated call; when the session was revoked, logs in again once (never a loop). */
  private async call<T>(what: string, fn: (did: string) => Promise<T>): Promise<T> {
    const session = await this.session();
    try {
      return await fn(session.did);
    } catch (error) {
      const xrpc = asXrpc(error);
      if (xrpc && (xrpc.status === 401 || xrpc.error === 'ExpiredToken' || xrpc.error === 'InvalidToken')) {
        this.log.warn({ error: xrpc.error }, 'Bluesky session rejected mid-run; logging in again once');
        this.agent.sessionManager.session = undefined;
        this.saveSession(undefined);
        const fresh = await this.session();
        try {
          return await fn(fresh.did);
        } catch (again) {
          throw this.mapError(again, what);
        }
      }
      throw this.mapError(error, what);
    }
  }

  /**
   * Post search on this adapter's session (resumed from the store, refreshed and, once, renewed like
   * the posting one), for monitoring's backfill: one account, one session, no second login. Throws
   * the login's error (e.g. BLUESKY_AUTH_FAILED) when there is no session to be had; a 429 comes
   * back as a `rate-limited` PlatformError with its `retryAt`, as for posting.
   */
  async searchClient(): Promise<BlueskySearchClient> {
    const session = await this.session();
    return {
      did: session.did,
      searchTag: (request) => this.call(`searching #${request.tag}`, () => searchPosts(this.agent, request)),
    };
  }

  private mapError(error: unknown, what: string): PlatformError {
    if (error instanceof PlatformError) return error;
    const xrpc = asXrpc(error);
    const message = `Bluesky failed while ${what}: ${xrpc?.message ?? (error as Error)?.message ?? String(error)}`;
    if (!xrpc || xrpc.status === 1 || xrpc.status >= 500) {
      return new PlatformError('bluesky', 'transient', message, { status: xrpc?.status, cause: error });
    }
    if (xrpc.status === 429) {
      const fallback = new Date(this.now().getTime() + 60_000);
      const retryAt = resetFromHeader(xrpc.headers?.['ratelimit-reset'], fallback);
      this.limits = { ...this.limits, limitedUntil: retryAt.toISOString() };
      return new PlatformError('bluesky', 'rate-limited', message, { status: 429, retryAt, cause: error });
    }
    if (xrpc.status === 401 || AUTH_ERRORS.has(xrpc.error ?? '')) {
      return new PlatformError('bluesky', 'auth', message, { status: xrpc.status, hint: BLUESKY_AUTH_HINT });
    }
    return new PlatformError('bluesky', 'rejected', message, { status: xrpc.status, cause: error });
  }

  async checkCredentials(options: { passive?: boolean } = {}): Promise<CredentialCheck> {
    if (options.passive) return this.checkSavedSession();
    try {
      const session = await this.session();
      return {
        ok: true,
        account: session.handle,
        // A start line says what happened: a saved session resumed is not a login.
        message:
          this.sessionSource === 'resumed'
            ? `resumed the saved session of @${session.handle} (${session.did})`
            : `logged in as @${session.handle} (${session.did})`,
      };
    } catch (error) {
      const pe = error instanceof PlatformError ? error : this.mapError(error, 'logging in');
      if (pe.kind === 'auth')
        return { ok: false, problem: 'auth', message: pe.message, hint: BLUESKY_AUTH_HINT };
      return {
        ok: false,
        problem: 'unreachable',
        message: `cannot reach ${this.options.service}: ${pe.message}`,
      };
    }
  }

  /**
   * Checks the saved session without refreshing it: refreshing rotates the tokens, and a running
   * bot holds the current pair in memory.
   */
  private async checkSavedSession(): Promise<CredentialCheck> {
    const saved = await this.options.state.getState<AtpSessionData | null>(this.sessionKey);
    if (!saved) {
      return {
        ok: false,
        message: 'no saved session yet: the bot logs in with the app password at its next start',
      };
    }
    try {
      const res = await fetch(new URL('/xrpc/com.atproto.server.getSession', this.options.service), {
        headers: { authorization: `Bearer ${saved.accessJwt}` },
      });
      if (res.ok)
        return { ok: true, account: saved.handle, message: `session for @${saved.handle} is valid` };
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      if (body.error === 'ExpiredToken') {
        return {
          ok: true,
          account: saved.handle,
          message: `session for @${saved.handle} saved; its access token has expired and is refreshed at the next post`,
        };
      }
      return {
        ok: false,
        problem: 'auth',
        message: `the saved session was rejected (${body.error ?? res.status}); the bot logs in again at its next post`,
        hint: BLUESKY_AUTH_HINT,
      };
    } catch (error) {
      return {
        ok: false,
        problem: 'unreachable',
        message: `cannot reach ${this.options.service}: ${(error as Error).message}`,
      };
    }
  }

  rateLimit(): RateLimitState | undefined {
    return this.limits;
  }

  private toPost(did: string, rkey: string, existed: boolean): Post {
    return {
      platform: 'bluesky',
      remoteId: `at://${did}/${POST}/${rkey}`,
      url: blueskyPostUrl(`at://${did}/${POST}/${rkey}`, this.options.webUrl),
      postedAt: this.now().toISOString(),
      existed,
    };
  }

  private async find(did: string, rkey: string): Promise<boolean> {
    try {
      await this.agent.com.atproto.repo.getRecord({ repo: did, collection: POST, rkey });
      return true;
    } catch (error) {
      const xrpc = asXrpc(error);
      if (
        xrpc &&
        xrpc.status === 400 &&
        (xrpc.error === 'RecordNotFound' || /not found/i.test(xrpc.message))
      ) {
        return false;
      }
      throw error;
    }
  }

  async lookup(request: PostRequest): Promise<Post | undefined> {
    const rkey = recordKeyFor(postKey(request), request.slotAt);
    return this.call('looking up a post', async (did) =>
      (await this.find(did, rkey)) ? this.toPost(did, rkey, true) : undefined,
    );
  }

  async post(request: PostRequest): Promise<Post> {
    const rkey = recordKeyFor(postKey(request), request.slotAt);
    return this.call('posting', async (did) => {
      if (await this.find(did, rkey)) return this.toPost(did, rkey, true);
      const record = await this.buildRecord(request);
      const createdAt = record.createdAt as string;
      const writes: Array<
        ComAtprotoRepoApplyWrites.Create & { $type: 'com.atproto.repo.applyWrites#create' }
      > = [{ $type: 'com.atproto.repo.applyWrites#create', collection: POST, rkey, value: record }];
      const gate = threadgateAllow(request.replyPolicy ?? 'following');
      if (gate) {
        const value: AppBskyFeedThreadgate.Record = {
          $type: THREADGATE,
          post: `at://${did}/${POST}/${rkey}`,
          allow: gate,
          createdAt,
        };
        writes.push({ $type: 'com.atproto.repo.applyWrites#create', collection: THREADGATE, rkey, value });
      }
      try {
        // One commit: the post and its reply restriction appear together or not at all.
        await this.agent.com.atproto.repo.applyWrites({ repo: did, validate: true, writes });
      } catch (error) {
        // The write may have landed before the connection failed: the record key tells.
        const xrpc = asXrpc(error);
        if ((!xrpc || xrpc.status >= 500) && (await this.find(did, rkey).catch(() => false))) {
          return this.toPost(did, rkey, true);
        }
        throw error;
      }
      this.log.info({ rkey }, 'posted to Bluesky');
      return this.toPost(did, rkey, false);
    });
  }

  private async buildRecord(request: PostRequest): Promise<Record<string, unknown>> {
    const rt = new RichText({ text: request.text });
    await rt.detectFacets(this.agent);
    // A mention whose handle does not resolve is left as plain text (an empty DID is invalid).
    const facets = (rt.facets ?? []).filter((facet) =>
      facet.features.every((feature) => !('did' in feature) || Boolean(feature.did)),
    );
    const record: Record<string, unknown> = {
      $type: POST,
      text: rt.text,
      langs: [request.lang],
      createdAt: this.now().toISOString(),
    };
    if (facets.length > 0) record.facets = facets;
    if (request.images && request.images.length > 0) {
      const images: AppBskyEmbedImages.Image[] = [];
      for (const image of request.images.slice(0, 4)) {
        if (!image.alt.trim()) {
          throw new PlatformError('bluesky', 'rejected', 'An image has no alt text; every image needs one.');
        }
        const uploaded = await this.agent.uploadBlob(image.data, { encoding: image.mimeType });
        images.push({ image: uploaded.data.blob, alt: image.alt });
      }
      record.embed = { $type: 'app.bsky.embed.images', images } satisfies AppBskyEmbedImages.Main;
    } else if (request.link) {
      record.embed = {
        $type: 'app.bsky.embed.external',
        external: { uri: request.link.url, title: request.link.title, description: request.link.description },
      } satisfies AppBskyEmbedExternal.Main;
    }
    return record;
  }

  async close(): Promise<void> {
    await this.persisting;
  }
}

/** Threadgate rules for a reply policy; undefined means no threadgate (everyone may reply). */
export function threadgateAllow(policy: ReplyPolicy): AppBskyFeedThreadgate.Record['allow'] | undefined {
  switch (policy) {
    case 'everyone':
      return undefined;
    case 'nobody':
      return [];
    case 'mentioned':
      return [{ $type: 'app.bsky.feed.threadgate#mentionRule' }];
    case 'following':
      return [{ $type: 'app.bsky.feed.threadgate#followingRule' }];
    case 'followers':
      return [{ $type: 'app.bsky.feed.threadgate#followerRule' }];
  }
}
