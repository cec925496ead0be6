/**
 * The Mastodon REST client (masto.js) and what the adapter and the mention source share: the
 * instance's limits, rate-limit headers and the mapping of masto's errors to PlatformError.
 *
 * masto.js takes `requestInit` per call, so a status carries its own `Idempotency-Key` header
 * without a custom fetch; `$raw` calls return the response headers (X-RateLimit-*, Link).
 */
import {
  createRestAPIClient,
  MastoHttpError,
  MastoTimeoutError,
  MastoUnexpectedError,
  type mastodon,
} from 'masto';
import { PlatformError, resetFromHeader } from '../errors.ts';
import type { RateLimitState } from '../types.ts';
import {
  MASTODON_AUTH_HINT,
  MASTODON_CHARACTERS_RESERVED_PER_URL,
  MASTODON_MAX_CHARACTERS,
} from './platform.ts';

/** An instance's length rules (`/api/v2/instance` configuration.statuses). */
export interface MastodonLimits {
  maxCharacters: number;
  charactersReservedPerUrl: number;
}

export const MASTODON_DEFAULT_LIMITS: MastodonLimits = {
  maxCharacters: MASTODON_MAX_CHARACTERS,
  charactersReservedPerUrl: MASTODON_CHARACTERS_RESERVED_PER_URL,
};

export type MastodonRest = mastodon.rest.Client;
export type MastodonStatus = mastodon.v1.Status;

export interface MastodonInstanceInfo {
  limits: MastodonLimits;
  /** WebSocket origin of the streaming API (configuration.urls.streaming), when offered. */
  streamingUrl?: string;
}

export function createMastodonRest(options: {
  url: string;
  accessToken: string;
  timeoutMs?: number;
}): MastodonRest {
  return createRestAPIClient({
    url: options.url,
    accessToken: options.accessToken,
    timeout: options.timeoutMs ?? 30_000,
  });
}

/** Instance limits and streaming URL from `GET /api/v2/instance`; defaults for what it leaves out. */
export function instanceInfo(
  instance: mastodon.v2.Instance,
  fallback = MASTODON_DEFAULT_LIMITS,
): MastodonInstanceInfo {
  const statuses = instance.configuration?.statuses;
  const streaming = instance.configuration?.urls?.streaming;
  return {
    limits: {
      maxCharacters: statuses?.maxCharacters ?? fallback.maxCharacters,
      charactersReservedPerUrl: statuses?.charactersReservedPerUrl ?? fallback.charactersReservedPerUrl,
    },
    ...(streaming ? { streamingUrl: streaming } : {}),
  };
}

/** The X-RateLimit-* headers of an answer (Mastodon's reset is an ISO 8601 time). */
export function rateLimitFrom(headers: Headers | undefined, now: Date): RateLimitState | undefined {
  const limit = headers?.get('x-ratelimit-limit');
  const remaining = headers?.get('x-ratelimit-remaining');
  if (!limit || remaining === null || remaining === undefined) return undefined;
  const reset = headers?.get('x-ratelimit-reset');
  return {
    limit: Number(limit),
    remaining: Number(remaining),
    ...(reset ? { resetAt: resetFromHeader(reset, now).toISOString() } : {}),
  };
}

function headersOf(error: MastoHttpError): Headers | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Response ? cause.headers : undefined;
}

/**
 * A masto.js error as the scheduler and monitor act on it. 429 carries the reset from
 * X-RateLimit-Reset; 401/403 are the token; 422 is the post itself (too long, bad media); 5xx,
 * timeouts and unreadable answers (an HTML error page) are transient.
 */
export function mapMastodonError(error: unknown, what: string, now: Date): PlatformError {
  if (error instanceof PlatformError) return error;
  if (error instanceof MastoHttpError) {
    const said = error.description ? `${error.message}: ${error.description}` : error.message;
    const message = `Mastodon answered ${error.statusCode} while ${what}: ${said}`;
    const status = error.statusCode;
    if (status === 429) {
      const retryAt = resetFromHeader(
        headersOf(error)?.get('x-ratelimit-reset'),
        new Date(now.getTime() + 5 * 60_000),
      );
      return new PlatformError('mastodon', 'rate-limited', message, { status, retryAt });
    }
    if (status === 401 || status === 403) {
      return new PlatformError('mastodon', 'auth', message, { status, hint: MASTODON_AUTH_HINT });
    }
    if (status >= 500) return new PlatformError('mastodon', 'transient', message, { status });
    return new PlatformError('mastodon', 'rejected', message, { status });
  }
  if (error instanceof MastoTimeoutError || error instanceof MastoUnexpectedError) {
    return new PlatformError(
      'mastodon',
      'transient',
      `Mastodon did not answer usably while ${what}: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  return new PlatformError(
    'mastodon',
    'transient',
    `Mastodon could not be reached while ${what}: ${(error as Error)?.message ?? error}`,
    { cause: error },
  );
}
