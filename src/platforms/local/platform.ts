/**
 * The local outbox in the platform registry: posts go to data/outbox.jsonl and mentions come from
 * the sample replay. In local mode it stands in for every platform; it needs no credentials.
 */
import { definePlatform, graphemeCount, type Measure } from '../../core/platform.ts';
import type { PlatformFactories } from '../types.ts';

/** The local outbox has no network limit; this only guards against runaway templates. */
export const LOCAL_LIMIT = 10_000;

export function measureLocal(text: string): Measure {
  const length = graphemeCount(text);
  return { length, limit: LOCAL_LIMIT, unit: 'graphemes', fits: length <= LOCAL_LIMIT };
}

export const localPlatform = definePlatform({
  id: 'local',
  label: 'Local',
  outbox: true,
  limits: { summary: `${LOCAL_LIMIT} graphemes (a guard against runaway templates)`, measure: measureLocal },
  campaign: {
    variant: 'Replaces text in the local outbox.',
    overrideFields: {},
    readOverride: (file, stripHash) => (file.hashtags ? { hashtags: file.hashtags.map(stripHash) } : {}),
    replyPolicy: () => 'everyone',
  },
  links: {
    // The outbox has no web page: a replayed sample mention without its own URL gets this one.
    post: ({ id }) => `local://mentions/${encodeURIComponent(id)}`,
  },
  load: (): Promise<PlatformFactories> => import('./factories.ts'),
});
