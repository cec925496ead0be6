/**
 * Each network's length rules, measured the way the network measures them. The rules live in
 * the platform registry (each platform's `limits`); this module applies them.
 */
import type { LengthSettings, Measure } from '../core/platform.ts';
import { platformInfo } from '../platforms/registry.ts';
import type { Platform } from './schema.ts';

export type { Measure } from '../core/platform.ts';
export { graphemeCount } from '../core/platform.ts';
export { BLUESKY_BYTE_LIMIT, BLUESKY_GRAPHEME_LIMIT, measureBluesky } from '../platforms/bluesky/platform.ts';
export { LOCAL_LIMIT, measureLocal } from '../platforms/local/platform.ts';
export { measureX, X_LIMIT } from '../platforms/x/platform.ts';

/** Per-platform length settings (from the configuration, or read from the network). */
export type PlatformLengthSettings = Partial<Record<Platform, LengthSettings>>;

export function measure(text: string, platform: Platform, settings: PlatformLengthSettings = {}): Measure {
  return platformInfo(platform).limits.measure(text, settings[platform]);
}

/** "312/280 weighted characters" (and the bytes when they are what broke). */
export function describeMeasure(m: Measure): string {
  const main = `${m.length}/${m.limit} ${m.unit}`;
  if (m.bytes !== undefined && m.byteLimit !== undefined && m.bytes > m.byteLimit) {
    return `${main}, ${m.bytes}/${m.byteLimit} bytes`;
  }
  return main;
}
