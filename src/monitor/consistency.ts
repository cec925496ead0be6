/**
 * The deep store checks with the monitor's own: the store's cross-checks (flags, journal, events)
 * plus the replay cursor of local mode against the campaign hashtags. `store verify --deep` and
 * the bot at start run this same function.
 */
import type { Campaign } from '../campaign/schema.ts';
import { normaliseHashtag } from '../core/hashtags.ts';
import { localCursorCheck } from '../platforms/local/replay.ts';
import { type ConsistencyReport, checkConsistency } from '../store/consistency.ts';
import type { Store } from '../store/types.ts';

export type DeepCheckSource = Pick<Store, 'getCursor' | 'listJournal' | 'events' | 'flags'>;

export function deepCheck(
  store: DeepCheckSource,
  options: { campaigns?: readonly Campaign[]; mentionsPath?: string; prunedMentions?: number },
): Promise<ConsistencyReport> {
  const campaigns = (options.campaigns ?? []).map((c) => ({
    id: c.id,
    hashtags: [...new Set(c.monitorHashtags.map(normaliseHashtag))],
  }));
  const checks =
    options.mentionsPath && campaigns.length > 0
      ? [localCursorCheck(store, options.mentionsPath, campaigns)]
      : [];
  return checkConsistency(
    {
      events: () => store.events(),
      listJournal: () => store.listJournal(),
      flags: () => store.flags(),
      ...(options.prunedMentions !== undefined ? { prunedMentions: options.prunedMentions } : {}),
    },
    checks,
  );
}
