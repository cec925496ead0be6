/**
 * The contract between the scheduler and the networks. Only `src/platforms/*` imports an SDK;
 * everything above this line speaks in PostRequest / Post / PlatformError.
 */

export type PlatformId = 'local' | 'x' | 'bluesky';

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

/** Who may reply to a campaign post. `everyone` means no restriction. */
export type ReplyPolicy = 'everyone' | 'following' | 'mentioned' | 'followers' | 'nobody';

/** One post to make, already rendered for its platform. */
export interface PostRequest {
  text: string;
  /** BCP 47 language tag, e.g. "en". */
  lang: string;
  /**
   * Deterministic per campaign + slot + platform. Adapters that can make a write idempotent use it
   * (Bluesky derives the record key from it) so a retry can never create a second post.
   */
  key: string;
  /** The slot instant; adapters that look a post up after a crash search from here. */
  slotAt: Date;
  images?: PostImage[];
  link?: LinkCard;
  replyPolicy?: ReplyPolicy;
}

/** A post that exists on the network. */
export interface Post {
  platform: PlatformId;
  remoteId: string;
  url: string;
  /** True when the post already existed (found by key or by a duplicate answer), not newly made. */
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
}

export interface PlatformAdapter {
  readonly platform: PlatformId;
  /**
   * True when `post` with the same key can never create a second post (Bluesky: deterministic
   * record key). The scheduler may then retry an unconfirmed intent blindly.
   */
  readonly idempotent: boolean;
  /** Logs in / resumes a session and reports whose account it is; never throws for bad credentials. */
  checkCredentials(): Promise<CredentialCheck>;
  /** Makes the post. Throws PlatformError (see errors.ts) with a kind the scheduler acts on. */
  post(request: PostRequest): Promise<Post>;
  /**
   * Finds a post made earlier for this request (after a crash between call and confirm).
   * Resolves undefined when it certainly does not exist; throws when it cannot be known.
   */
  lookup(request: PostRequest): Promise<Post | undefined>;
  /** The last rate-limit figures the platform reported, if any. */
  rateLimit(): RateLimitState | undefined;
  close?(): Promise<void>;
}
