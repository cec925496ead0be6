import { type ErrorCode, SolidarityError } from '../errors.ts';
import { type Platform, platformInfo } from './registry.ts';

/**
 * What the scheduler should do about a failed call:
 * - `rate-limited`: nothing was posted; wait until `retryAt` and keep the slot.
 * - `transient`: 5xx, timeout or network; the post may or may not exist. Reconcile, then retry
 *   with backoff.
 * - `auth`: credentials rejected; stop this platform, tell the organiser which env vars to fix.
 * - `duplicate`: the platform says this exact text was already posted (X 403).
 * - `rejected`: the platform refused this post for good (bad request, too long...).
 */
export type FailureKind = 'rate-limited' | 'transient' | 'auth' | 'duplicate' | 'rejected';

export class PlatformError extends SolidarityError {
  readonly platform: Platform;
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly retryAt: Date | undefined;

  constructor(
    platform: Platform,
    kind: FailureKind,
    message: string,
    options: { status?: number; retryAt?: Date; hint?: string; details?: string[]; cause?: unknown } = {},
  ) {
    super(codeFor(platform, kind), message, options);
    this.name = 'PlatformError';
    this.platform = platform;
    this.kind = kind;
    this.status = options.status;
    this.retryAt = options.retryAt;
  }
}

function codeFor(platform: Platform, kind: FailureKind): ErrorCode {
  if (kind === 'auth') return platformInfo(platform).credentials?.authError ?? 'PLATFORM_ERROR';
  if (kind === 'rate-limited') return 'RATE_LIMITED';
  return 'PLATFORM_ERROR';
}

export function isPlatformError(error: unknown): error is PlatformError {
  return error instanceof PlatformError;
}

/** Parses a rate-limit reset header: epoch seconds (X, Bluesky) or ISO 8601 (Mastodon) → Date. */
export function resetFromHeader(value: string | null | undefined, fallback: Date): Date {
  if (!value) return fallback;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds > 0 ? new Date(seconds * 1000) : fallback;
  const at = Date.parse(value);
  return Number.isFinite(at) ? new Date(at) : fallback;
}
