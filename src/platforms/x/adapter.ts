/**
 * X through twitter-api-v2 with OAuth 1.0a user context: post text, images (v2 chunked media
 * upload + alt text through media/metadata) and reply_settings. X has no idempotency key, so
 * exactly-once rests on two things the scheduler uses: `lookup` (search the account's recent posts
 * for the text) and X's own refusal of duplicate text (403), which here means "already posted".
 */
import { Agent } from 'node:https';
import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  TwitterApi,
  TwitterApiv2,
} from 'twitter-api-v2';
import type { XCredentials } from '../../config/env.ts';
import type { Logger } from '../../logger.ts';
import { silentLogger } from '../../logger.ts';
import { PlatformError, resetFromHeader } from '../errors.ts';
import type {
  CredentialCheck,
  PlatformAdapter,
  Post,
  PostRequest,
  RateLimitState,
  ReplyPolicy,
} from '../types.ts';
import { X_AUTH_HINT, xPostUrl } from './platform.ts';

export interface XOptions {
  credentials: XCredentials;
  /** API origin (X_API_BASE_URL), e.g. a local fake in tests; default https://api.x.com. */
  baseUrl?: string;
  /** Per-request timeout; a slow answer becomes a transient failure. */
  timeoutMs?: number;
  logger?: Logger;
  now?: () => Date;
  /** Extra CA certificate (PEM) to trust, for a local test API with a self-signed certificate. */
  caCertificate?: string;
}

const DUPLICATE = /duplicate content/i;

/** X reply_settings for a reply policy; undefined means everyone may reply. */
export function replySettingsFor(policy: ReplyPolicy | undefined): string | undefined {
  switch (policy ?? 'everyone') {
    case 'everyone':
    case 'followers':
      // X has no "followers only"; it falls back to everyone rather than silently blocking.
      return undefined;
    case 'following':
      return 'following';
    case 'mentioned':
    case 'nobody':
      // "nobody" is not offered by X; mentioned users is the closest (none when no one is mentioned).
      return 'mentionedUsers';
  }
  return undefined;
}

/** Text as X returns it (t.co links, &amp;) and as we sent it, reduced to the same form. */
export function comparableText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The v2 client with another API origin for every endpoint (media upload included). The library's
 * own `cloneWithPrefix` calls a class constructor without `new` in 1.29 and throws, so the
 * (protected) prefix is set from a subclass instead.
 */
class PrefixedV2 extends TwitterApiv2 {
  constructor(client: TwitterApi, prefix: string) {
    super(client);
    this.setPrefix(prefix);
  }
}

export class XAdapter implements PlatformAdapter {
  readonly name = 'x';
  readonly idempotent = false;
  private readonly v2: TwitterApiv2;
  private readonly log: Logger;
  private readonly timeout: number;
  private readonly now: () => Date;
  private limits: RateLimitState | undefined;
  private me: { id: string; username: string } | undefined;

  constructor(options: XOptions) {
    this.log = (options.logger ?? silentLogger()).child({ name: 'platform.x' });
    this.timeout = options.timeoutMs ?? 30_000;
    this.now = options.now ?? (() => new Date());
    const client = new TwitterApi(
      {
        appKey: options.credentials.appKey,
        appSecret: options.credentials.appSecret,
        accessToken: options.credentials.accessToken,
        accessSecret: options.credentials.accessSecret,
      },
      options.caCertificate ? { httpAgent: new Agent({ ca: options.caCertificate, keepAlive: true }) } : {},
    );
    this.v2 = options.baseUrl
      ? new PrefixedV2(client, `${options.baseUrl.replace(/\/$/, '')}/2/`)
      : client.v2;
  }

  rateLimit(): RateLimitState | undefined {
    return this.limits;
  }

  private remember(rateLimit: { limit: number; remaining: number; reset: number } | undefined): void {
    if (!rateLimit) return;
    this.limits = {
      limit: rateLimit.limit,
      remaining: rateLimit.remaining,
      resetAt: new Date(rateLimit.reset * 1000).toISOString(),
    };
  }

  private mapError(error: unknown, what: string): PlatformError {
    if (error instanceof PlatformError) return error;
    if (error instanceof ApiResponseError) {
      const data = error.data as { detail?: string; title?: string; errors?: Array<{ message?: string }> };
      const said = data?.detail ?? data?.errors?.[0]?.message ?? data?.title ?? error.message;
      const message = `X answered ${error.code} while ${what}: ${said}`;
      if (error.code === 429) {
        const header = error.headers?.['x-rate-limit-reset'];
        const retryAt = resetFromHeader(
          Array.isArray(header) ? header[0] : header,
          new Date(this.now().getTime() + 15 * 60_000),
        );
        this.limits = { ...this.limits, remaining: 0, limitedUntil: retryAt.toISOString() };
        return new PlatformError('x', 'rate-limited', message, { status: 429, retryAt });
      }
      if (error.code === 403 && DUPLICATE.test(said)) {
        return new PlatformError('x', 'duplicate', message, { status: 403 });
      }
      if (error.code === 401 || error.code === 403) {
        return new PlatformError('x', 'auth', message, { status: error.code, hint: X_AUTH_HINT });
      }
      if (error.code >= 500) return new PlatformError('x', 'transient', message, { status: error.code });
      return new PlatformError('x', 'rejected', message, { status: error.code });
    }
    if (error instanceof ApiRequestError || error instanceof ApiPartialResponseError) {
      return new PlatformError('x', 'transient', `X could not be reached while ${what}: ${error.message}`, {
        cause: error,
      });
    }
    return new PlatformError(
      'x',
      'transient',
      `X failed while ${what}: ${(error as Error)?.message ?? error}`,
      {
        cause: error,
      },
    );
  }

  private async account(): Promise<{ id: string; username: string }> {
    if (this.me) return this.me;
    try {
      const res = await this.v2.get<{ data: { id: string; username: string } }>('users/me', undefined, {
        fullResponse: true,
        timeout: this.timeout,
      });
      this.me = { id: res.data.data.id, username: res.data.data.username };
      return this.me;
    } catch (error) {
      throw this.mapError(error, 'checking the account');
    }
  }

  async checkCredentials(): Promise<CredentialCheck> {
    try {
      const me = await this.account();
      return { ok: true, account: `@${me.username}`, message: `authorised as @${me.username} (${me.id})` };
    } catch (error) {
      const pe = error instanceof PlatformError ? error : this.mapError(error, 'checking the account');
      if (pe.kind === 'auth') return { ok: false, problem: 'auth', message: pe.message, hint: X_AUTH_HINT };
      return { ok: false, problem: 'unreachable', message: pe.message };
    }
  }

  private url(id: string): string {
    return xPostUrl(id, this.me?.username);
  }

  private async uploadImages(request: PostRequest): Promise<string[]> {
    const ids: string[] = [];
    for (const image of (request.images ?? []).slice(0, 4)) {
      if (!image.alt.trim())
        throw new PlatformError('x', 'rejected', 'An image has no alt text; every image needs one.');
      try {
        const id = await this.v2.uploadMedia(Buffer.from(image.data), {
          media_type: image.mimeType as 'image/png',
        });
        await this.v2.createMediaMetadata(id, { alt_text: { text: image.alt.slice(0, 1000) } });
        ids.push(id);
      } catch (error) {
        throw this.mapError(error, 'uploading an image');
      }
    }
    return ids;
  }

  async post(request: PostRequest): Promise<Post> {
    const mediaIds = await this.uploadImages(request);
    const replySettings = replySettingsFor(request.replyPolicy);
    const body: Record<string, unknown> = { text: request.text };
    if (mediaIds.length > 0) body.media = { media_ids: mediaIds };
    if (replySettings) body.reply_settings = replySettings;
    try {
      const res = await this.v2.post<{ data: { id: string } }>('tweets', body, {
        fullResponse: true,
        timeout: this.timeout,
      });
      this.remember(res.rateLimit);
      this.log.info({ id: res.data.data.id }, 'posted to X');
      return {
        platform: 'x',
        remoteId: res.data.data.id,
        url: this.url(res.data.data.id),
        postedAt: this.now().toISOString(),
        existed: false,
      };
    } catch (error) {
      const mapped = this.mapError(error, 'posting');
      if (mapped.kind !== 'duplicate') throw mapped;
      // X refuses identical text: this exact post is already on the account. Find it.
      const found = await this.lookup(request);
      if (found) return found;
      throw mapped;
    }
  }

  async lookup(request: PostRequest): Promise<Post | undefined> {
    const me = await this.account();
    // Search from a little before the slot: the post cannot predate its intent.
    const since = new Date(request.slotAt.getTime() - 5 * 60_000);
    try {
      const res = await this.v2.get<{ data?: Array<{ id: string; text: string }> }>(
        'users/:id/tweets',
        { max_results: 100, start_time: since.toISOString(), 'tweet.fields': 'created_at' },
        { fullResponse: true, timeout: this.timeout, params: { id: me.id } },
      );
      this.remember(res.rateLimit);
      const wanted = comparableText(request.text);
      const match = (res.data.data ?? []).find((t) => comparableText(t.text) === wanted);
      return match
        ? {
            platform: 'x',
            remoteId: match.id,
            url: this.url(match.id),
            postedAt: this.now().toISOString(),
            existed: true,
          }
        : undefined;
    } catch (error) {
      throw this.mapError(error, 'looking up recent posts');
    }
  }
}
