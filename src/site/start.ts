/**
 * The share site inside `solidarity start`: built from the loaded campaigns once the port is
 * known, served read-only on SITE_HOST:SITE_PORT, counting taps only when SITE_COUNT_TAPS=true.
 */
import type { Campaign } from '../campaign/schema.ts';
import type { Context } from '../context.ts';
import { isSolidarityError } from '../errors.ts';
import type { Store } from '../store/types.ts';
import { buildSite, type Site, siteBaseUrl } from './build.ts';
import { type SiteServer, startSiteServer } from './server.ts';
import { SHARE_TAPS_KEY, TapCounter } from './taps.ts';

/** Serves the pages of the campaigns that have a share block; undefined when none has one or the port is taken. */
export async function startShareSite(
  ctx: Pick<Context, 'env' | 'logger' | 'clock'>,
  campaigns: readonly Campaign[],
  store: Pick<Store, 'getState' | 'setState'>,
  warn: (line: string) => void,
): Promise<(SiteServer & { publicUrl: string; counting: boolean }) | undefined> {
  const shared = campaigns.filter((c) => c.share);
  if (shared.length === 0) return undefined;
  const counting = ctx.env.SITE_COUNT_TAPS === 'true';
  const taps = counting
    ? await TapCounter.open({
        state: store,
        campaigns: new Set(shared.map((c) => c.id)),
        now: () => ctx.clock.now().getTime(),
      })
    : undefined;
  // The key exists from now on, so the dashboard tells "counting, no taps yet" from "not counted".
  if (taps && (await store.getState(SHARE_TAPS_KEY)) === undefined) await taps.flush();
  let site: Site = new Map();
  let server: SiteServer;
  try {
    server = await startSiteServer({
      site: () => site,
      host: ctx.env.SITE_HOST,
      port: ctx.env.SITE_PORT,
      logger: ctx.logger,
      ...(taps ? { taps } : {}),
    });
  } catch (error) {
    if (!isSolidarityError(error) || error.code !== 'SITE_LISTEN') throw error;
    warn(`${error.describe()}\nThe bot runs on without the share site.`);
    return undefined;
  }
  // With SITE_PORT=0 the address is known only now; links and QR codes use it unless SITE_BASE_URL is set.
  const port = Number(new URL(server.url).port);
  const base = siteBaseUrl(undefined, { ...ctx.env, SITE_PORT: port });
  site = await buildSite(shared, { baseUrl: base.url, countTaps: counting });
  return { ...server, publicUrl: base.url, counting };
}
