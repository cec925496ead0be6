/** The review queue and one flag's page (read-only: decisions go through the decisions group). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Flag, ReviewState } from '../../core/review.ts';
import { REVIEW_STATES, UNRESOLVED_STATES } from '../../moderation/review.ts';
import { PLATFORM_IDS } from '../../platforms/registry.ts';
import type { QueueQuery, Store } from '../../store/types.ts';
import { type AuthorMention, authorPage } from '../views/author.ts';
import { itemPage } from '../views/item.ts';
import { COMPACT_PAGE_SIZE, QUEUE_PAGE_SIZE, type QueueFilters, queuePage } from '../views/queue.ts';
import { fail, type GroupOptions, optionalText, send, sendParts, takeFlash, undoOffer } from './context.ts';

/**
 * Every flag matching `query`, in queue order, read a thousand at a time (the store's page limit).
 * For pages about one flag or one author, not for the queue itself.
 */
export async function* scanFlags(
  store: Store,
  query: Omit<QueueQuery, 'limit' | 'after'>,
): AsyncGenerator<Flag> {
  let after: string | undefined;
  do {
    const page = await store.queuePage({ ...query, limit: 1000, ...(after ? { after } : {}) });
    yield* page.items;
    after = page.next;
  } while (after);
}

/** The flags before and after `id` in the default queue (unresolved, newest first). */
export async function neighbours(store: Store, id: string): Promise<{ prev?: string; next?: string }> {
  let prev: string | undefined;
  let found = false;
  for await (const flag of scanFlags(store, { state: [...UNRESOLVED_STATES], sort: 'newest' })) {
    if (found) return { ...(prev ? { prev } : {}), next: flag.id };
    if (flag.id === id) found = true;
    else prev = flag.id;
  }
  return found && prev ? { prev } : {};
}

const QUEUE_QUERY = z.object({
  campaign: optionalText(100),
  platform: z.enum(['', ...PLATFORM_IDS]).optional(),
  severity: z.enum(['', 'low', 'medium', 'high']).optional(),
  state: z.enum(['', 'unresolved', 'all', ...REVIEW_STATES]).optional(),
  hashtag: optionalText(100).transform((v) => v?.replace(/^#/, '').toLowerCase()),
  rule: optionalText(100),
  sort: z.enum(['', 'newest', 'score']).optional(),
  after: optionalText(500),
  view: z.enum(['', 'cards', 'compact']).optional(),
});

const AUTHOR_QUERY = z.object({
  platform: z.enum(PLATFORM_IDS),
  id: z.string().min(1).max(300),
});

/** Mentions listed on an author's page (the newest); all are counted. */
const AUTHOR_MENTIONS_SHOWN = 200;

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
      view: q.view === 'compact' ? 'compact' : 'cards',
    };
    const state: QueueQuery['state'] =
      filters.state === 'all'
        ? undefined
        : filters.state === 'unresolved'
          ? [...UNRESOLVED_STATES]
          : (filters.state as ReviewState);
    const query: QueueQuery = {
      limit: filters.view === 'compact' ? COMPACT_PAGE_SIZE : QUEUE_PAGE_SIZE,
      sort: filters.sort,
    };
    for (const key of ['campaign', 'platform', 'severity', 'hashtag', 'rule', 'after'] as const) {
      if (filters[key]) query[key] = filters[key];
    }
    if (state) query.state = state;
    let result: Awaited<ReturnType<Store['queuePage']>>;
    try {
      result = await store.queuePage(query);
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
        rows: { now: ctx.now(), holder: (id) => ctx.claims.holder(id), me: auth.user.name },
        undo: undoOffer(ctx, auth.session, ''),
      }),
    );
  });

  app.get<{ Querystring: { id?: string } }>('/flag', async (request, reply) => {
    const id = typeof request.query.id === 'string' ? request.query.id : '';
    const flag = id ? await store.getFlag(id) : undefined;
    if (!flag) return fail(request, reply, 404, 'No such flag', 'No flag in the queue has this id.');
    const auth = request.auth!;
    ctx.claims.touch(flag.id, auth.user.name);
    return send(
      reply,
      200,
      itemPage({
        user: auth.user,
        csrf: auth.session.csrf,
        flash: takeFlash(auth.session),
        flag,
        ...(await neighbours(store, flag.id)),
        claim: ctx.claims.holder(flag.id),
        now: ctx.now(),
        undo: undoOffer(ctx, auth.session, ''),
      }),
    );
  });

  app.get('/author', async (request, reply) => {
    const parsed = AUTHOR_QUERY.safeParse(request.query);
    if (!parsed.success)
      return fail(request, reply, 400, 'No such author', 'This author link is not complete.');
    const { platform, id } = parsed.data;
    const flags: Flag[] = [];
    for await (const flag of scanFlags(store, { sort: 'newest' }))
      if (flag.mention.platform === platform && flag.mention.authorId === id) flags.push(flag);
    // Mentions come from the activity log (unflagged ones are kept for the retention period).
    const mentions: AuthorMention[] = [];
    let count = 0;
    let firstSeen: string | undefined;
    let handle = flags[0]?.mention.authorHandle;
    for await (const event of store.events({ types: ['mention.seen'] })) {
      if (event.type !== 'mention.seen') continue;
      const m = event.mention;
      if (m.platform !== platform || m.authorId !== id) continue;
      count++;
      if (firstSeen === undefined || event.at < firstSeen) firstSeen = event.at;
      handle = m.authorHandle;
      mentions.push({
        at: event.at,
        campaign: event.campaign,
        url: m.url,
        flagged: event.verdict.flagged,
        score: event.verdict.score,
      });
      if (mentions.length > AUTHOR_MENTIONS_SHOWN) mentions.shift();
    }
    for (const flag of flags)
      if (firstSeen === undefined || flag.mention.capturedAt < firstSeen) firstSeen = flag.mention.capturedAt;
    if (flags.length === 0 && count === 0)
      return fail(request, reply, 404, 'No such author', 'The bot has no flag or mention of this author.');
    const auth = request.auth!;
    const returnTo = `/author?platform=${encodeURIComponent(platform)}&id=${encodeURIComponent(id)}`;
    return send(
      reply,
      200,
      authorPage({
        user: auth.user,
        csrf: auth.session.csrf,
        flash: takeFlash(auth.session),
        platform,
        authorId: id,
        handle: handle ?? id,
        flags,
        mentions: mentions.reverse(),
        mentionCount: count,
        firstSeen,
        rows: { now: ctx.now(), holder: (fid) => ctx.claims.holder(fid), me: auth.user.name },
        undo: undoOffer(ctx, auth.session, returnTo),
        returnTo,
      }),
    );
  });
}
