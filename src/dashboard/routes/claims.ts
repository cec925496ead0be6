/**
 * Claims: a moderator says "I am reviewing this flag", or takes the next one nobody holds, so two
 * moderators do not work on the same flag unless one chooses to take it over.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UNRESOLVED_STATES } from '../../moderation/review.ts';
import { fail, flagName, type GroupOptions, safeReturn } from './context.ts';
import { scanFlags } from './queue.ts';

const CLAIM_BODY = z.object({
  id: z.string().min(1).max(1000),
  takeover: z.string().max(10).optional(),
  return: z.string().max(2000).optional(),
});

export default async function claimRoutes(app: FastifyInstance, { ctx }: GroupOptions): Promise<void> {
  const { store, claims } = ctx;

  app.post('/claim', { config: { role: 'moderator' } }, async (request, reply) => {
    const parsed = CLAIM_BODY.safeParse(request.body ?? {});
    const flag = parsed.success ? await store.getFlag(parsed.data.id) : undefined;
    if (!parsed.success || !flag)
      return fail(request, reply, 404, 'No such flag', 'No flag in the queue has this id.');
    const auth = request.auth!;
    const back = safeReturn(parsed.data.return, `/flag?id=${encodeURIComponent(flag.id)}`);
    const result = claims.claim(flag.id, auth.user.name, parsed.data.takeover === '1');
    if (result.ok) {
      ctx.log.info(
        { moderator: auth.user.name, flagId: flag.id, takeover: parsed.data.takeover === '1' },
        'flag claimed',
      );
      auth.session.flash = `You are reviewing ${flagName(flag)}.`;
    } else
      auth.session.flash = `${result.heldBy.by} is already reviewing ${flagName(flag)}. Take it over from its page if you mean to.`;
    return reply.redirect(back, 303);
  });

  app.post('/claim-next', { config: { role: 'moderator' } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const auth = request.auth!;
    for await (const flag of scanFlags(store, { state: [...UNRESOLVED_STATES], sort: 'newest' })) {
      if (claims.holder(flag.id)) continue;
      claims.claim(flag.id, auth.user.name);
      ctx.log.info({ moderator: auth.user.name, flagId: flag.id }, 'flag claimed');
      auth.session.flash = `You are reviewing ${flagName(flag)}.`;
      return reply.redirect(`/flag?id=${encodeURIComponent(flag.id)}`, 303);
    }
    auth.session.flash = 'Every unresolved flag is being reviewed by someone (or none is left).';
    return reply.redirect(safeReturn(raw['return']), 303);
  });
}
