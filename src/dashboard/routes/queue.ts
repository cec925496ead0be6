/** The review queue and one flag's page (read-only: decisions go through the decisions group). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { REVIEW_STATES, UNRESOLVED_STATES } from '../../moderation/review.ts';
import type { ReviewState } from '../../moderation/types.ts';
import type { QueueQuery, Store } from '../../store/types.ts';
import { itemPage } from '../views/item.ts';
import { QUEUE_PAGE_SIZE, type QueueFilters, queuePage } from '../views/queue.ts';
import { fail, type GroupOptions, optionalText, send, sendParts, takeFlash } from './context.ts';

const QUEUE_QUERY = z.object({
  campaign: optionalText(100),
  platform: z.enum(['', 'bluesky', 'x', 'local']).optional(),
  severity: z.enum(['', 'low', 'medium', 'high']).optional(),
  state: z.enum(['', 'unresolved', 'all', ...REVIEW_STATES]).optional(),
  hashtag: optionalText(100).transform((v) => v?.replace(/^#/, '').toLowerCase()),
  rule: optionalText(100),
  sort: z.enum(['', 'newest', 'score']).optional(),
  after: optionalText(500),
});

export default async function queueRoutes(app: FastifyInstance, { ctx }: GroupOptions): Promise<void> {
  const { store } = ctx;

  app.get('/', async (_request, reply) => reply.redirect('/queue', 303));

  app.get('/queue', async (request, reply) => {
    const parsed = QUEUE_QUERY.safeParse(request.query);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(', ');
      return fail(
        request,
        reply,
        400,
        'Bad filter',
        `These filters have values the queue does not know: ${fields}.`,
      );
    }
    const q = parsed.data;
    const filters: QueueFilters = {
      campaign: q.campaign,
      platform: q.platform || undefined,
      severity: q.severity || undefined,
      state: q.state || 'unresolved',
      hashtag: q.hashtag,
      rule: q.rule,
      sort: q.sort === 'score' ? 'score' : 'newest',
      after: q.after,
    };
    const state: QueueQuery['state'] =
      filters.state === 'all'
        ? undefined
        : filters.state === 'unresolved'
          ? [...UNRESOLVED_STATES]
          : (filters.state as ReviewState);
    const query: QueueQuery = { limit: QUEUE_PAGE_SIZE, sort: filters.sort };
    for (const key of ['campaign', 'platform', 'severity', 'hashtag', 'rule', 'after'] as const) {
      if (filters[key]) query[key] = filters[key];
    }
    if (state) query.state = state;
    let result: ReturnType<Store['queuePage']>;
    try {
      result = store.queuePage(query);
    } catch (error) {
      if (filters.after) {
        return fail(
          request,
          reply,
          400,
          'Out-of-date link',
          'This page link no longer works. Start from the first page.',
        );
      }
      throw error;
    }
    const auth = request.auth!;
    return sendParts(
      reply,
      queuePage({
        user: auth.user,
        csrf: auth.session.csrf,
        flash: takeFlash(auth.session),
        filters,
        campaigns: [...ctx.campaigns(), ...result.items.map((f) => f.campaign)],
        items: result.items,
        total: result.total,
        next: result.next,
      }),
    );
  });

  app.get<{ Querystring: { id?: string } }>('/flag', async (request, reply) => {
    const id = typeof request.query.id === 'string' ? request.query.id : '';
    const flag = id ? store.getFlag(id) : undefined;
    if (!flag) return fail(request, reply, 404, 'No such flag', 'No flag in the queue has this id.');
    const auth = request.auth!;
    return send(
      reply,
      200,
      itemPage({ user: auth.user, csrf: auth.session.csrf, flash: takeFlash(auth.session), flag }),
    );
  });
}
