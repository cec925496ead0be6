/**
 * The length limits campaign files are checked against, the same for `validate`, `start` and the
 * files `start` reloads: the configured ones (MASTODON_MAX_CHARACTERS…), replaced by the
 * network's own when it states them and can be reached (live mode with credentials set).
 */
import type { PlatformLengthSettings } from '../campaign/limits.ts';
import type { Env } from '../config/env.ts';
import { isLocalMode, lengthSettingsFromEnv, NETWORK_PLATFORMS } from './registry.ts';

/** `note` gets one line for each network asked: the limits it gave, or why they were not used. */
export async function lengthSettingsFor(
  env: Env,
  note: (line: string) => void,
): Promise<PlatformLengthSettings> {
  const settings = lengthSettingsFromEnv(env);
  if (isLocalMode(env)) return settings;
  for (const platform of NETWORK_PLATFORMS) {
    if (!platform.credentials?.configured(env)) continue;
    const factories = await platform.load();
    if (!factories.lengthSettings) continue;
    try {
      const live = await factories.lengthSettings(env);
      if (!live) continue;
      settings[platform.id] = { ...settings[platform.id], ...live };
      note(
        `${platform.label} limits from the instance: ${live.maxCharacters} characters, a URL counts ${live.charactersReservedPerUrl}`,
      );
    } catch (error) {
      note(
        `could not read ${platform.label}'s own limits (${(error as Error).message}); checked against the configured ones`,
      );
    }
  }
  return settings;
}
