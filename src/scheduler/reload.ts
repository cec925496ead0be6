/**
 * Campaign files edited while the bot runs (e.g. `paused: true`) take effect at the next tick:
 * a changed file is validated again and replaces the loaded campaign; an invalid edit is logged
 * and the last valid version keeps running, so a typo never stops a campaign silently.
 */
import { statSync } from 'node:fs';
import { type CheckOptions, loadCampaign } from '../campaign/load.ts';
import type { Campaign } from '../campaign/schema.ts';
import { isSolidarityError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface ReloadOptions {
  /**
   * The length settings the campaigns were loaded with at start (MASTODON_MAX_CHARACTERS…): an
   * edited file is held to the same limits, not to the networks' defaults.
   */
  limits?: CheckOptions['limits'];
  /** Called with each campaign whose edited file was loaded (the terminal says so). */
  onReload?: (campaign: Campaign) => void;
}

export function campaignReloader(
  initial: readonly Campaign[],
  logger: Logger,
  options: ReloadOptions = {},
): () => Campaign[] {
  const { limits, onReload } = options;
  const log = logger.child({ name: 'campaign.reload' });
  const mtimeOf = (file: string) => {
    try {
      return statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
  };
  const current = initial.map((campaign) => ({
    campaign,
    mtime: mtimeOf(campaign.file),
    rejected: undefined as number | undefined,
  }));
  return () => {
    for (const entry of current) {
      const mtime = mtimeOf(entry.campaign.file);
      if (mtime === undefined || mtime === entry.mtime || mtime === entry.rejected) continue;
      try {
        const next = loadCampaign(entry.campaign.file, limits ? { limits } : {});
        if (next.id !== entry.campaign.id)
          throw new Error(`its id changed from ${entry.campaign.id} to ${next.id}`);
        entry.campaign = next;
        entry.mtime = mtime;
        log.info({ campaign: next.id, paused: next.paused }, 'campaign file changed; reloaded');
        onReload?.(next);
      } catch (error) {
        entry.rejected = mtime;
        log.error(
          {
            campaign: entry.campaign.id,
            problem: isSolidarityError(error) ? error.describe() : (error as Error).message,
          },
          'campaign file changed but is not valid; the last valid version keeps running',
        );
      }
    }
    return current.map((e) => e.campaign);
  };
}
