/**
 * Current handles for DIDs (app.bsky.actor.getProfiles, 25 at a time), for mentions that arrive
 * from Jetstream with a DID only. Uses the public AppView unless a logged-in agent's service is given.
 */
import { AtpAgent } from '@atproto/api';

export const PUBLIC_APPVIEW = 'https://public.api.bsky.app';

export function createHandleLookup(
  service = PUBLIC_APPVIEW,
  timeoutMs = 3000,
): (dids: readonly string[]) => Promise<Map<string, string>> {
  const agent = new AtpAgent({ service });
  return async (dids) => {
    const found = new Map<string, string>();
    for (let i = 0; i < dids.length; i += 25) {
      const res = await agent.app.bsky.actor.getProfiles(
        { actors: dids.slice(i, i + 25) },
        { signal: AbortSignal.timeout(timeoutMs) },
      );
      for (const p of res.data.profiles)
        if (p.handle && p.handle !== 'handle.invalid') found.set(p.did, p.handle);
    }
    return found;
  };
}
