/**
 * Mastodon through masto.js: text, language, visibility, content warning, images with their
 * description (alt text). Exactly once rests on two things:
 * - every status carries an `Idempotency-Key` derived from the journal key (slot + platform), so a
 *   retry of an unconfirmed call returns the status the first call made instead of a second one
 *   (Mastodon keeps keys for an hour);
 * - `lookup` reads the account's own recent statuses for the text (a restart after longer than the
 *   key's hour, or a key the instance forgot).
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../logger.ts';
import { silentLogger } from '../../logger.ts';
import { PlatformError } from '../errors.ts';
import type { CredentialCheck, PlatformAdapter, Post, PostRequest, RateLimitState } from '../types.ts';
import { postKey } from '../types.ts';
import {
  createMastodonRest,
  instanceInfo,
  type MastodonInstanceInfo,
  type MastodonLimits,
  type MastodonRest,
  type MastodonStatus,
  mapMastodonError,
  rateLimitFrom,
} from './client.ts';
import { MASTODON_AUTH_HINT } from './platform.ts';
import { comparableStatusText, htmlToText } from './text.ts';

export type MastodonVisibility = 'public' | 'unlisted' | 'private';

export interface MastodonOptions {
  /** The instance, e.g. https://mastodon.social (MASTODON_URL). */
  url: string;
  accessToken: string;
  /** Used when a campaign sets none (MASTODON_VISIBILITY). */
  visibility?: MastodonVisibility;
  /** Used until the instance has told its own (MASTODON_MAX_CHARACTERS…). */
  defaultLimits?: MastodonLimits;
  timeoutMs?: number;
  logger?: Logger;
  now?: () => Date;
  /** Waits between media-processing checks (tests give a clock-driven one). */
  sleep?: (ms: number) => Promise<void>;
}

/** The Idempotency-Key of a post: the journal key, hashed to a header-safe token. */
export function idempotencyKey(request: Pick<PostRequest, 'slotKey' | 'platform'>): string {
  return `solidarity-${createHash('sha256').update(postKey(request)).digest('hex').slice(0, 40)}`;
}

export class MastodonAdapter implements PlatformAdapter {
  readonly name = 'mastodon';
  // A repeated key returns the first status only within the instance's window (an hour), so the
  // scheduler still looks before it retries an old intent.
  readonly idempotent = false;
  private readonly rest: MastodonRest;
  private readonly o: MastodonOptions;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private limits: RateLimitState | undefined;
  private me: { id: string; acct: string; url: string } | undefined;
  private instance: MastodonInstanceInfo | undefined;
  private lastPostUrl: string | undefined;

  constructor(options: MastodonOptions) {
    this.o = options;
    this.log = (options.logger ?? silentLogger()).child({ name: 'platform.mastodon' });
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.rest = createMastodonRest({
      url: options.url,
      accessToken: options.accessToken,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  rateLimit(): RateLimitState | undefined {
    return this.limits;
  }

  /** The URL of the last status this adapter made or found. */
  lastPost(): string | undefined {
    return this.lastPostUrl;
  }

  private remember(headers: Headers | undefined): void {
    const state = rateLimitFrom(headers, this.now());
    if (state) this.limits = state;
  }

  private fail(error: unknown, what: string): PlatformError {
    const mapped = mapMastodonError(error, what, this.now());
    if (mapped.kind === 'rate-limited' && mapped.retryAt) {
      this.limits = { ...this.limits, remaining: 0, limitedUntil: mapped.retryAt.toISOString() };
    }
    return mapped;
  }

  /** The instance's limits and streaming URL (asked once; defaults when it cannot be asked). */
  async instanceInfo(): Promise<MastodonInstanceInfo> {
    if (this.instance) return this.instance;
    try {
      const res = await this.rest.v2.instance.fetch.$raw();
      this.remember(res.headers);
      this.instance = instanceInfo(res.data, this.o.defaultLimits);
      return this.instance;
    } catch (error) {
      throw this.fail(error, 'reading the instance limits');
    }
  }

  private async account(): Promise<{ id: string; acct: string; url: string }> {
    if (this.me) return this.me;
    try {
      const res = await this.rest.v1.accounts.verifyCredentials.$raw();
      this.remember(res.headers);
      this.me = { id: res.data.id, acct: res.data.acct, url: res.data.url };
      return this.me;
    } catch (error) {
      throw this.fail(error, 'checking the account');
    }
  }

  /** The account id and handle the token belongs to (monitoring skips its posts). */
  async ownAccount(): Promise<{ id: string; acct: string }> {
    const me = await this.account();
    return { id: me.id, acct: me.acct };
  }

  async checkCredentials(): Promise<CredentialCheck> {
    try {
      const me = await this.account();
      const host = new URL(this.o.url).host;
      return {
        ok: true,
        account: `@${me.acct}@${host}`,
        message: `authorised as @${me.acct}@${host} (${me.id})`,
      };
    } catch (error) {
      const pe = error instanceof PlatformError ? error : this.fail(error, 'checking the account');
      if (pe.kind === 'auth')
        return { ok: false, problem: 'auth', message: pe.message, hint: MASTODON_AUTH_HINT };
      return { ok: false, problem: 'unreachable', message: pe.message };
    }
  }

  private async uploadImages(request: PostRequest): Promise<string[]> {
    const ids: string[] = [];
    for (const image of (request.images ?? []).slice(0, 4)) {
      if (!image.alt.trim()) {
        throw new PlatformError('mastodon', 'rejected', 'An image has no alt text; every image needs one.');
      }
      try {
        const res = await this.rest.v2.media.create.$raw({
          file: new Blob([Buffer.from(image.data)], { type: image.mimeType }),
          description: image.alt.slice(0, 1500),
          // Polled here instead, with the injected sleep (masto's own poll waits a fixed second).
          skipPolling: true,
        });
        this.remember(res.headers);
        let media = res.data;
        for (let attempt = 0; !media.url && attempt < 60; attempt++) {
          await this.sleep(1000);
          media = await this.rest.v1.media.$select(media.id).fetch();
        }
        if (!media.url) {
          throw new PlatformError(
            'mastodon',
            'transient',
            'Mastodon did not finish processing an image in time.',
          );
        }
        ids.push(media.id);
      } catch (error) {
        throw this.fail(error, 'uploading an image');
      }
    }
    return ids;
  }

  private toPost(status: MastodonStatus, existed: boolean): Post {
    this.lastPostUrl = status.url ?? status.uri;
    return {
      platform: 'mastodon',
      remoteId: status.id,
      url: status.url ?? status.uri,
      postedAt: status.createdAt ?? this.now().toISOString(),
      existed,
    };
  }

  async post(request: PostRequest): Promise<Post> {
    const mediaIds = await this.uploadImages(request);
    const key = idempotencyKey(request);
    try {
      const res = await this.rest.v1.statuses.create.$raw(
        {
          status: request.text,
          visibility: request.visibility ?? this.o.visibility ?? 'public',
          ...(request.lang ? { language: request.lang.split('-')[0]! } : {}),
          ...(request.spoilerText ? { spoilerText: request.spoilerText } : {}),
          ...(mediaIds.length > 0 ? { mediaIds } : {}),
        },
        { requestInit: { headers: { 'Idempotency-Key': key } } },
      );
      this.remember(res.headers);
      this.log.info({ id: res.data.id }, 'posted to Mastodon');
      return this.toPost(res.data, false);
    } catch (error) {
      throw this.fail(error, 'posting');
    }
  }

  async lookup(request: PostRequest): Promise<Post | undefined> {
    const me = await this.account();
    // A status cannot predate its intent; a few minutes of clock skew are allowed for.
    const since = request.slotAt.getTime() - 5 * 60_000;
    const wanted = comparableStatusText(request.text);
    try {
      const res = await this.rest.v1.accounts
        .$select(me.id)
        .statuses.list.$raw({ limit: 40, excludeReblogs: true, excludeReplies: true });
      this.remember(res.headers);
      const match = res.data.find(
        (s) => Date.parse(s.createdAt) >= since && comparableStatusText(htmlToText(s.content)) === wanted,
      );
      return match ? this.toPost(match, true) : undefined;
    } catch (error) {
      throw this.fail(error, 'looking up recent statuses');
    }
  }
}
