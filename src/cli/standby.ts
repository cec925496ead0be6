/**
 * Which instance posts, as `solidarity start` tells it: one line when this instance stands by
 * (another one posts), one when it takes over. The store decides (see store/leadership.ts).
 */
import { type Leadership, lockLeadership, waitForLeadership } from '../store/leadership.ts';
import type { Store } from '../store/types.ts';

export interface Posting {
  leadership: Leadership;
  /** Resolves if this instance loses the lease while posting (its database connection broke). */
  lost: Promise<string>;
}

/**
 * Waits until this instance may post; undefined when `signal` ends the wait first. Meanwhile the
 * instance goes on serving its dashboard.
 */
export async function takePosting(
  store: Pick<Store, 'leadership'>,
  options: { print: (line: string) => void; signal: AbortSignal; pollMs?: number },
): Promise<Posting | undefined> {
  const leadership = store.leadership?.() ?? lockLeadership();
  let stoodBy = false;
  const leading = await waitForLeadership(leadership, {
    signal: options.signal,
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    onStandby: (holder) => {
      stoodBy = true;
      options.print(
        `standby: another instance is posting (${holder?.describe ?? 'it could not be named'}) — taking over if it stops`,
      );
    },
  });
  if (!leading) return undefined;
  if (stoodBy) options.print('took over posting');
  const lost = new Promise<string>((resolve) => {
    leadership.lost.addEventListener(
      'abort',
      () => resolve(String(leadership.lost.reason?.message ?? 'lost')),
      {
        once: true,
      },
    );
  });
  return { leadership, lost };
}
