/**
 * What every platform declares about itself, in one shape: the registry
 * (src/platforms/registry.ts) lists one descriptor per network, and every other file reads the
 * platforms from there instead of naming them.
 *
 * A descriptor is pure data and pure functions (ids, labels, length rules, campaign settings, web
 * links, the environment variables it needs). What talks to a network (adapter, mention sources)
 * sits behind `load()`, a dynamic import, so reading the registry never loads a network SDK:
 * `solidarity validate` and the campaign schema stay as quick to start as before.
 */
import type { z } from 'zod';
import type { Env } from '../config/env.ts';
import type { ErrorCode } from '../errors.ts';
// The ids are the registry's entries (a type-only import: nothing of platforms/ loads from here).
import type { Platform } from '../platforms/registry.ts';

export type { Platform };

/** One network's length rule applied to one text. */
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

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** User-perceived characters (grapheme clusters): an emoji with modifiers counts once. */
export function graphemeCount(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

/**
 * Length limits the configuration or the network itself may change for one account (a Mastodon
 * instance's max_characters and characters_reserved_per_url); the platform's defaults otherwise.
 */
export interface LengthSettings {
  maxCharacters?: number;
  charactersReservedPerUrl?: number;
}

/** Who sees a post, where the network lets the author choose (Mastodon). */
export type Visibility = 'public' | 'unlisted' | 'private';

/** Per-post settings a campaign override adds to every post on its platform. */
export interface PostSettings {
  visibility?: Visibility;
  /** A content warning shown before the text (counts toward the length). */
  spoilerText?: string;
}

/** Who may reply to a campaign post. `everyone` means no restriction. */
export type ReplyPolicy = 'everyone' | 'following' | 'mentioned' | 'followers' | 'nobody';

/** A link card's text as the campaign file sets it (Bluesky external embed). */
export interface LinkCardSettings {
  title: string;
  description: string;
}

/** Every platform's campaign override has at least its own hashtags (without '#'). */
export interface OverrideBase {
  hashtags?: string[];
}

/** `overrides.<id>` as a campaign file spells it: the shared hashtags plus the platform's own fields. */
export type FileOverride<Fields extends z.ZodRawShape> = { hashtags?: string[] | undefined } & z.output<
  z.ZodObject<Fields>
>;

export interface PlatformDescriptor<
  Id extends string = string,
  Fields extends z.ZodRawShape = z.ZodRawShape,
  Override extends OverrideBase = OverrideBase,
  Factories = unknown,
> {
  readonly id: Id;
  /** How people write the network's name ("Bluesky"). */
  readonly label: string;
  /**
   * The local outbox: stands in for every platform in local mode, needs no credentials and is
   * watched by the sample replay only.
   */
  readonly outbox?: boolean;
  readonly limits: {
    /** For docs and errors, e.g. "280 weighted characters (twitter-text)". */
    readonly summary: string;
    /** Measures a text the way the network does (with the account's own limits, when given). */
    measure(text: string, settings?: LengthSettings): Measure;
    /** The limits the configuration sets (used when the network cannot be asked). */
    fromEnv?(env: Env): LengthSettings;
  };
  /** Absent for the outbox. */
  readonly credentials?: {
    /** The variables that log the bot in (in src/config/env.ts), for hints and docs. */
    readonly env: readonly string[];
    /** True when the variables are set (throws a CONFIG_INVALID naming them when half set). */
    configured(env: Env): boolean;
    /** The error a rejected login ends with. */
    readonly authError: ErrorCode;
    /** What to check when the network rejects the credentials. */
    readonly authHint: string;
  };
  /** What a campaign file may say about this platform. */
  readonly campaign: {
    /** The description of the per-platform message variant (`messages[].<id>`). */
    readonly variant: string;
    /**
     * The platform's own fields of `overrides.<id>` (snake_case, zod); the campaign schema adds
     * the `hashtags` every platform has.
     */
    readonly overrideFields: Fields;
    /** The override as the rest of the bot uses it (camelCase, hashtags without '#'). */
    readOverride(file: FileOverride<Fields>, stripHash: (tag: string) => string): Override;
    /** Who may reply to campaign posts, from the override (the platform's default when absent). */
    replyPolicy(override: Override | undefined): ReplyPolicy;
    /** The link card to attach to posts, when the platform shows one the bot builds. */
    linkCard?(override: Override | undefined): LinkCardSettings | undefined;
    /** Settings every post on the platform carries (visibility, content warning). */
    postSettings?(override: Override | undefined): PostSettings;
  };
  /** What posting costs, for networks that bill the API per post (`preview` prints an estimate). */
  readonly cost?: {
    /** One line for a person: the posts, and what they cost at the prices in `env`. */
    describe(texts: readonly string[], env: Env): Promise<string>;
    /** Where the prices come from. */
    readonly note: string;
  };
  /**
   * What `status` adds about this platform's monitoring, read from saved state only (no network):
   * lines to print and the campaigns that need attention (e.g. a read budget ran out today).
   */
  monitorStatus?(
    state: { getState<T>(key: string): Promise<T | undefined> },
    campaigns: readonly string[],
    now: Date,
  ): Promise<{ lines: string[]; attention: string[] }>;
  readonly links: {
    /** The web page of a post, from its id as the store keeps it (tweet id, at:// URI) and author. */
    post(post: { id: string; author?: string | undefined }): string;
  };
  /**
   * A share button on the campaign page (`share.networks`), for networks with a compose screen:
   * supporters send the message from their own account.
   */
  readonly share?: {
    /** The compose screen with the text filled in; `pageUrl` is the campaign page. */
    compose(text: string, pageUrl: string): string;
    /**
     * The network has no central compose screen (Mastodon): `compose` returns a template with
     * "{instance}" in place of the server, and the page asks the supporter for theirs.
     */
    readonly perInstance?: boolean;
    /** The limit on the prefilled text, measured as the network does once the page link is added. */
    readonly limit: { readonly describe: string; measure(text: string): Measure };
  };
  /**
   * Loads the code that talks to the network (adapter and mention-source factories, typed in
   * src/platforms/types.ts) through a dynamic import: SDKs load only here.
   */
  load(): Promise<Factories>;
}

/** Keeps the id's literal type, so the registry can derive the Platform union from its entries. */
export function definePlatform<
  const Id extends string,
  Fields extends z.ZodRawShape,
  Override extends OverrideBase,
  Factories,
>(
  descriptor: PlatformDescriptor<Id, Fields, Override, Factories>,
): PlatformDescriptor<Id, Fields, Override, Factories> {
  return descriptor;
}
