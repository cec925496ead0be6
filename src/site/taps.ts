/**
 * The optional share-button counter (off by default, SITE_COUNT_TAPS=true): how many times each
 * share button was tapped, per UTC day, campaign and network. No address, no cookie, no time of
 * day, nothing about the person: three names and a number, kept in the store's state.
 */
import { SHARE_NETWORKS } from '../campaign/schema.ts';
import type { Store } from '../store/types.ts';

export const SHARE_TAPS_KEY = 'site.shareTaps';

/** Day (YYYY-MM-DD, UTC) → campaign id → button → taps. */
export type ShareTaps = Record<string, Record<string, Record<string, number>>>;

/** What can be tapped: the networks, the copy button and the device's own share sheet. */
export const TAP_BUTTONS: readonly string[] = [...SHARE_NETWORKS, 'copy', 'webshare'];

/** Days kept: the dashboard shows at most the last week; older days are dropped. */
export const TAP_DAYS_KEPT = 90;

/** Batches taps in memory and writes them to the store at most every `flushMs`. */
export class TapCounter {
  #taps: ShareTaps;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  private readonly options: {
    state: Pick<Store, 'getState' | 'setState'>;
    campaigns: ReadonlySet<string>;
    now: () => number;
    flushMs?: number;
  };

  /** A counter that goes on from the counts saved in the store. */
  static async open(options: TapCounter['options']): Promise<TapCounter> {
    return new TapCounter(options, await options.state.getState<ShareTaps>(SHARE_TAPS_KEY));
  }

  constructor(options: TapCounter['options'], saved?: ShareTaps) {
    this.options = options;
    this.#taps = structuredClone(saved ?? {});
  }

  /** Counts one tap; false (and nothing counted) for an unknown campaign or button. */
  record(campaign: string, button: string): boolean {
    if (!this.options.campaigns.has(campaign) || !TAP_BUTTONS.includes(button)) return false;
    const day = new Date(this.options.now()).toISOString().slice(0, 10);
    const perCampaign = this.#taps[day] ?? {};
    const perButton = perCampaign[campaign] ?? {};
    perButton[button] = (perButton[button] ?? 0) + 1;
    perCampaign[campaign] = perButton;
    this.#taps[day] = perCampaign;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.options.flushMs ?? 5000);
    this.#timer.unref?.();
    return true;
  }

  /** Writes the counts now (also on close). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const oldest = new Date(this.options.now() - TAP_DAYS_KEPT * 86_400_000).toISOString().slice(0, 10);
    for (const day of Object.keys(this.#taps)) if (day < oldest) delete this.#taps[day];
    const snapshot = structuredClone(this.#taps);
    this.#writing = this.#writing.then(() => this.options.state.setState(SHARE_TAPS_KEY, snapshot));
    return this.#writing;
  }
}

/** Taps per campaign and button between two days (inclusive), for the dashboard. */
export function tapTotals(
  taps: ShareTaps | undefined,
  fromDay: string,
  toDay: string,
  campaign?: string,
): Map<string, Map<string, number>> {
  const totals = new Map<string, Map<string, number>>();
  for (const [day, perCampaign] of Object.entries(taps ?? {})) {
    if (day < fromDay || day > toDay) continue;
    for (const [id, perButton] of Object.entries(perCampaign)) {
      if (campaign && id !== campaign) continue;
      const row = totals.get(id) ?? new Map<string, number>();
      for (const [button, n] of Object.entries(perButton)) row.set(button, (row.get(button) ?? 0) + n);
      totals.set(id, row);
    }
  }
  return totals;
}
