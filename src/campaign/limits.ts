/** Each network's length rules, measured the way the network measures them. */
import { createRequire } from 'node:module';
import type twitterText from 'twitter-text';
import type { Platform } from './schema.ts';

// twitter-text's index loads its every module (about 240, a third of a second); parseTweet alone
// needs half of them, and only commands that measure a post load even those.
let parseTweet: typeof twitterText.parseTweet | undefined;
function tweetWeight(text: string): number {
  parseTweet ??= createRequire(import.meta.url)(
    'twitter-text/dist/parseTweet.js',
  ) as typeof twitterText.parseTweet;
  return parseTweet(text).weightedLength;
}

export interface Measure {
  /** The number the network compares with its limit. */
  length: number;
  limit: number;
  unit: 'weighted characters' | 'graphemes' | 'bytes' | 'characters';
  fits: boolean;
  /** Bluesky also limits bytes; reported so a failure can say which rule broke. */
  bytes?: number;
  byteLimit?: number;
}

export const X_LIMIT = 280;
export const BLUESKY_GRAPHEME_LIMIT = 300;
export const BLUESKY_BYTE_LIMIT = 3000;
/** The local outbox has no network limit; this only guards against runaway templates. */
export const LOCAL_LIMIT = 10_000;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function graphemeCount(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

/** X: twitter-text's weighted length (CJK and emoji weigh 2, every URL 23). */
export function measureX(text: string): Measure {
  const length = tweetWeight(text);
  return { length, limit: X_LIMIT, unit: 'weighted characters', fits: length <= X_LIMIT };
}

/** Bluesky: 300 graphemes and 3000 UTF-8 bytes. */
export function measureBluesky(text: string): Measure {
  const length = graphemeCount(text);
  const bytes = Buffer.byteLength(text, 'utf8');
  return {
    length,
    limit: BLUESKY_GRAPHEME_LIMIT,
    unit: 'graphemes',
    fits: length <= BLUESKY_GRAPHEME_LIMIT && bytes <= BLUESKY_BYTE_LIMIT,
    bytes,
    byteLimit: BLUESKY_BYTE_LIMIT,
  };
}

export function measureLocal(text: string): Measure {
  const length = graphemeCount(text);
  return { length, limit: LOCAL_LIMIT, unit: 'graphemes', fits: length <= LOCAL_LIMIT };
}

/** A Mastodon instance's length rules (`/api/v2/instance` configuration.statuses). */
export interface MastodonLimits {
  /** max_characters */
  maxCharacters: number;
  /** characters_reserved_per_url */
  charactersReservedPerUrl: number;
}

/** Mastodon's own defaults (MASTODON_MAX_CHARACTERS / MASTODON_CHARACTERS_RESERVED_PER_URL). */
export const MASTODON_DEFAULT_LIMITS: MastodonLimits = { maxCharacters: 500, charactersReservedPerUrl: 23 };

/** Limits that differ per account or instance; the networks' defaults where not given. */
export interface TextLimits {
  mastodon?: MastodonLimits;
}

// Mastodon counts URLs with a scheme (Twitter's extractor, as it uses) at a fixed length, and a
// remote mention @user@domain as @user only.
const MASTODON_URL = /\bhttps?:\/\/[^\s<>"]*[^\s<>".,;:!?)'\]]/giu;
const REMOTE_MENTION = /(^|[^\p{L}\p{N}_/])@([\p{L}\p{N}_]+)@[\p{L}\p{N}.-]+\.\p{L}{2,}/giu;

/** Mastodon: graphemes, every URL at characters_reserved_per_url, against max_characters. */
export function measureMastodon(text: string, limits: MastodonLimits = MASTODON_DEFAULT_LIMITS): Measure {
  const countable = text
    .replace(MASTODON_URL, 'x'.repeat(limits.charactersReservedPerUrl))
    .replace(REMOTE_MENTION, '$1@$2');
  const length = graphemeCount(countable);
  return { length, limit: limits.maxCharacters, unit: 'characters', fits: length <= limits.maxCharacters };
}

export function measure(text: string, platform: Platform, limits: TextLimits = {}): Measure {
  if (platform === 'x') return measureX(text);
  if (platform === 'bluesky') return measureBluesky(text);
  if (platform === 'mastodon') return measureMastodon(text, limits.mastodon);
  return measureLocal(text);
}

/** "312/280 weighted characters" (and the bytes when they are what broke). */
export function describeMeasure(m: Measure): string {
  const main = `${m.length}/${m.limit} ${m.unit}`;
  if (m.bytes !== undefined && m.byteLimit !== undefined && m.bytes > m.byteLimit) {
    return `${main}, ${m.bytes}/${m.byteLimit} bytes`;
  }
  return main;
}
