/**
 * The contract between the scheduler and the networks. Only `src/platforms/*` imports an SDK;
 * everything above this line speaks in PostRequest / Post / PlatformError (errors.ts).
 */
import type { PostDraft } from '../campaign/render.ts';
import type { Campaign } from '../campaign/schema.ts';
import type { Env } from '../config/env.ts';
import type { Clock } from '../core/clock.ts';
import type { MentionSource } from '../core/mention.ts';
import type { LengthSettings, ReplyPolicy, Visibility } from '../core/platform.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import type { Platform } from './registry.ts';

export type { ReplyPolicy };

/** An image to attach; alt text is required (screen readers, and the networks' own guidance). */
export interface PostImage {
  data: Uint8Array;
  mimeType: string;
  alt: string;
}

/** A link card (Bluesky external embed). X builds its own card from the URL in the text. */
export interface LinkCard {
  url: string;
  title: string;
  description: string;
}

/**
 * One post to make: the rendered draft plus what only some networks use. The draft's slot key and
 * platform identify it; adapters that can make a write idempotent derive their key from them
 * (Bluesky: the record key), so a retry can never create a second post.
 */
export interface PostRequest extends PostDraft {
  images?: PostImage[];
  link?: LinkCard;
  replyPolicy?: ReplyPolicy;
  /** Who sees the post, where the network lets the author choose (else the adapter's default). */
  visibility?: Visibility;
  /** A content warning shown before the text, where the network has them. */
  spoilerText?: string;
}

/** A post as published: where it went and how to find it again. */
export interface Post {
  platform: Platform;
  remoteId: string;
  url: string;
  /** ISO 8601 UTC. */
  postedAt: string;
  /** True when the post already existed (found by key, by lookup or by a duplicate answer). */
  existed?: boolean;
}

export interface RateLimitState {
  limit?: number;
  remaining?: number;
  /** When the window resets (ISO 8601). */
  resetAt?: string;
  /** Set while a 429 is in force. */
  limitedUntil?: string;
}

export interface CredentialCheck {
  ok: boolean;
  /** Account the credentials belong to (handle, @name) when known. */
  account?: string;
  message: string;
  /** Why not ok: the credentials were rejected, or the network could not be reached. */
  problem?: 'auth' | 'unreachable';
  /** What to do about it (names the env vars). */
  hint?: string;
}

/** One network. Only code under src/platforms/ imports a network SDK. */
export interface PlatformAdapter {
  /** Which network this adapter posts to ('local' posts to the outbox for any platform). */
  readonly name: string;
  /**
   * True when `post` of the same draft can never create a second post (Bluesky: deterministic
   * record key). The scheduler may then retry an unconfirmed intent without looking first.
   */
  readonly idempotent?: boolean;
  /** Makes the post. Live adapters throw PlatformError with a kind the scheduler acts on. */
  post(draft: PostRequest): Promise<Post>;
  /**
   * Finds a post made earlier for this draft (after a crash between call and confirm).
   * Resolves undefined when it certainly does not exist; throws when it cannot be known.
   */
  lookup?(draft: PostRequest): Promise<Post | undefined>;
  /**
   * Logs in / resumes a session and reports whose account it is; never throws for bad credentials.
   * `passive`: change nothing saved (no token refresh), for `status` beside a running bot.
   */
  checkCredentials?(options?: { passive?: boolean }): Promise<CredentialCheck>;
  /** The last rate-limit figures the platform reported, if any. */
  rateLimit?(): RateLimitState | undefined;
  close?(): Promise<void>;
}

/** The adapter for each platform the bot posts to. */
export type Adapters = Partial<Record<Platform, PlatformAdapter>>;

/** The key a post is known by in the journal and on idempotent networks. */
export function postKey(draft: Pick<PostDraft, 'slotKey' | 'platform'>): string {
  return `${draft.slotKey}/${draft.platform}`;
}

/** What a platform's code gets from the composition root to build its adapter and sources. */
export interface PlatformRuntime {
  env: Env;
  logger: Logger;
  clock: Clock;
  dataDir: string;
  /** Readable lines for the person at the terminal. */
  print: (line: string) => void;
}

/** What a mention-source factory gets besides the runtime. */
export interface MentionSourceOptions {
  /** The campaigns that post to this platform (all campaigns for the outbox in local mode). */
  campaigns: readonly Campaign[];
  store: Store;
  /** The publishing adapter when the bot already built one (one account, one session). */
  adapter?: PlatformAdapter | undefined;
  /** Milliseconds since the epoch, from the runtime's clock. */
  clock: () => number;
}

/**
 * The code behind a registry entry's `load()` (`src/platforms/<id>/factories.ts`): what talks to
 * the network. Loaded on first use only.
 */
export interface PlatformFactories {
  /** The adapter that posts. Live adapters need the store for state (Bluesky keeps its session there). */
  createAdapter(
    runtime: PlatformRuntime,
    state: Pick<Store, 'getState' | 'setState'> | undefined,
  ): Promise<PlatformAdapter>;
  /**
   * The account's length limits as the network states them (a Mastodon instance's
   * max_characters), for `validate`; undefined when the network does not say. Throws when it
   * cannot be reached.
   */
  lengthSettings?(env: Env): Promise<LengthSettings | undefined>;
  createMentionSources: MentionSourcesFactory;
}

/** What watches a platform's campaign hashtags, and the bot's own account ids and handles there. */
export interface MentionSources {
  sources: MentionSource[];
  ownAccounts: string[];
}

/**
 * Builds a platform's mention sources. Called only for a platform some campaign posts to (the
 * outbox's replay: always, in local mode).
 */
export type MentionSourcesFactory = (
  runtime: PlatformRuntime,
  options: MentionSourceOptions,
) => Promise<MentionSources>;
