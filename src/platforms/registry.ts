/**
 * The platform registry: one entry per network the bot posts to and watches. Everything that
 * needs the list of platforms (campaign and store schemas, monitor, publish, status, dashboard
 * filters, docs) reads it from here; no other file names a platform id
 * (tests/platform-registry.test.ts checks).
 *
 * Adding a platform: its folder src/platforms/<id>/ with a `platform.ts` descriptor (pure:
 * `definePlatform` from src/core/platform.ts) and the code behind its `load()`, one line below,
 * and its tests (docs/platforms.md).
 *
 * Import direction: this module and the descriptors are pure (ids, labels, length rules, campaign
 * settings, links, env names), so the pure core (campaign schema, limits) may import them; the
 * adapters and mention sources load lazily through `load()`, never at start-up, so
 * `solidarity validate` pulls in no network SDK.
 */
import type { Env } from '../config/env.ts';
import type {
  LengthSettings,
  LinkCardSettings,
  PlatformDescriptor,
  PostSettings,
  ReplyPolicy,
} from '../core/platform.ts';
import { blueskyPlatform } from './bluesky/platform.ts';
import { localPlatform } from './local/platform.ts';
import { mastodonPlatform } from './mastodon/platform.ts';
import type { PlatformFactories } from './types.ts';
import { xPlatform } from './x/platform.ts';

/** Every platform, in the order lists show them. */
export const PLATFORM_REGISTRY = [localPlatform, xPlatform, blueskyPlatform, mastodonPlatform] as const;

type Entry = (typeof PLATFORM_REGISTRY)[number];

/** A platform id ('local', 'x', 'bluesky', …): the registry's ids, nothing else. */
export type Platform = Entry['id'];

/** A registry entry, with its campaign override typed loosely (use the helpers below). */
// biome-ignore lint/suspicious/noExplicitAny: entries differ in their override types; callers go through the helpers.
export type PlatformInfo = PlatformDescriptor<Platform, any, any, PlatformFactories>;

export const PLATFORM_IDS = PLATFORM_REGISTRY.map((p) => p.id) as [Platform, ...Platform[]];

/** The campaign's per-platform settings, each as its platform reads it. */
export type PlatformOverrides = {
  [E in Entry as E['id']]?: ReturnType<E['campaign']['readOverride']>;
};

const byId = new Map<string, PlatformInfo>(PLATFORM_REGISTRY.map((p) => [p.id, p as PlatformInfo]));

export function isPlatform(value: unknown): value is Platform {
  return typeof value === 'string' && byId.has(value);
}

export function platformInfo(id: Platform): PlatformInfo {
  const info = byId.get(id);
  if (!info) throw new Error(`unknown platform "${id}"`);
  return info;
}

/** The label of a platform ("Bluesky"), or the id itself when it is not one (old records). */
export function platformLabel(id: string): string {
  return byId.get(id)?.label ?? id;
}

/** The outbox platform: local mode's stand-in for every platform. */
export const OUTBOX_PLATFORM: PlatformInfo = PLATFORM_REGISTRY.find(
  (p) => 'outbox' in p && p.outbox,
) as PlatformInfo;

/** True for the outbox platform (no credentials, no network). */
export function isOutbox(id: string): boolean {
  return byId.get(id)?.outbox === true;
}

/** The platforms that post to a network (every one but the outbox). */
export const NETWORK_PLATFORMS: readonly PlatformInfo[] = PLATFORM_REGISTRY.filter(
  (p) => !('outbox' in p && p.outbox),
) as PlatformInfo[];

/** Local mode when asked, or (auto) when no platform has credentials. */
export function isLocalMode(env: Env): boolean {
  if (env.SOLIDARITY_MODE !== 'auto') return env.SOLIDARITY_MODE === 'local';
  return NETWORK_PLATFORMS.every((p) => !p.credentials?.configured(env));
}

/** Who may reply to a campaign's posts on a platform (its override, or the platform's default). */
export function replyPolicyFor(overrides: PlatformOverrides, platform: Platform): ReplyPolicy {
  return platformInfo(platform).campaign.replyPolicy(overrides[platform]);
}

/** The link card a campaign's posts carry on a platform, when the platform builds one. */
export function linkCardFor(overrides: PlatformOverrides, platform: Platform): LinkCardSettings | undefined {
  return platformInfo(platform).campaign.linkCard?.(overrides[platform]);
}

/** The visibility and content warning a campaign's posts carry on a platform, if it has them. */
export function postSettingsFor(overrides: PlatformOverrides, platform: Platform): PostSettings {
  return platformInfo(platform).campaign.postSettings?.(overrides[platform]) ?? {};
}

/** The length settings the configuration gives each platform (Mastodon: MASTODON_MAX_CHARACTERS…). */
export function lengthSettingsFromEnv(env: Env): Partial<Record<Platform, LengthSettings>> {
  const settings: Partial<Record<Platform, LengthSettings>> = {};
  for (const entry of PLATFORM_REGISTRY as readonly PlatformInfo[]) {
    const fromEnv = entry.limits.fromEnv?.(env);
    if (fromEnv) settings[entry.id] = fromEnv;
  }
  return settings;
}
