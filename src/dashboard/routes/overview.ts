/** The overview: posts, mentions and flags per hour, and hijack alerts, for a time range. */
import type { FastifyInstance } from 'fastify';
import { SHARE_TAPS_KEY, type ShareTaps } from '../../site/taps.ts';
import { type AlertRow, OVERVIEW_RANGES, overviewPage } from '../views/overview.ts';
import { type GroupOptions, send } from './context.ts';

export default async function overviewRoutes(app: FastifyInstance, { ctx }: GroupOptions): Promise<void> {
  const { store, now } = ctx;
  app.get<{ Querystring: { campaign?: string; hours?: string } }>('/overview', async (request, reply) => {
    const campaign =
      typeof request.query.campaign === 'string' && request.query.campaign.trim()
        ? request.query.campaign.trim().slice(0, 100)
        : undefined;
    const hoursBack = OVERVIEW_RANGES[String(request.query.hours ?? '24')] ?? 24;
    const end = Math.ceil(now() / 3_600_000) * 3_600_000;
    const from = new Date(end - hoursBack * 3_600_000).toISOString();
    const to = new Date(end).toISOString();
    const stats = await store.stats(campaign ? { from, to, campaign } : { from, to });
    const alerts: AlertRow[] = [];
    for await (const event of store.events({ since: from, until: to, types: ['alert.hijack'] })) {
      if (event.type !== 'alert.hijack' || (campaign && event.campaign !== campaign)) continue;
      alerts.push({
        at: event.at,
        campaign: event.campaign,
        hashtag: event.hashtag,
        windowShare: event.windowShare,
        baselineShare: event.baselineShare,
      });
      if (alerts.length >= 500) break;
    }
    const auth = request.auth!;
    return send(
      reply,
      200,
      overviewPage({
        user: auth.user,
        csrf: auth.session.csrf,
        campaign,
        campaigns: ctx.campaigns(),
        hoursBack,
        from,
        to,
        stats,
        alerts,
        shareTaps: await store.getState<ShareTaps>(SHARE_TAPS_KEY),
      }),
    );
  });
}
