/** Review decisions: one flag from its page or the keyboard, or a selection from the queue. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isSolidarityError } from '../../errors.ts';
import { decide, RESOLVE_OUTCOMES, REVIEW_ACTIONS } from '../../moderation/review.ts';
import type { Flag } from '../../moderation/types.ts';
import {
  type DashboardContext,
  fail,
  type GroupOptions,
  MAX_BULK,
  optionalText,
  safeReturn,
  stringList,
} from './context.ts';

const MAX_NOTE = 2000;

const DECIDE_BODY = z.object({
  action: z.enum(REVIEW_ACTIONS as [string, ...string[]]),
  note: optionalText(MAX_NOTE),
  outcome: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(RESOLVE_OUTCOMES as [string, ...string[]]).optional(),
  ),
  return: z.string().max(2000).optional(),
});

type DecideBody = z.infer<typeof DECIDE_BODY>;

/** Says what is wrong with a decision form that did not parse; nothing was recorded. */
function notUnderstood(raw: Record<string, unknown>, what: string): string {
  const note = typeof raw['note'] === 'string' ? raw['note'] : '';
  if (note.length > MAX_NOTE)
    return `Not recorded: the note is ${note.length} characters; the limit is ${MAX_NOTE}. Shorten it and decide again.`;
  if (typeof raw['note'] !== 'string' && raw['note'] !== undefined)
    return `Not recorded: send one note, not several.`;
  return `${what} was not understood (pick an action, and an outcome to resolve).`;
}

async function applyDecision(ctx: DashboardContext, flag: Flag, body: DecideBody, by: string) {
  const event = decide(
    flag,
    { action: body.action as never, by, note: body.note, outcome: body.outcome as never },
    { id: ctx.newId(), at: new Date(ctx.now()).toISOString() },
  );
  await ctx.store.addReviewEvent(event);
  ctx.log.info(
    { moderator: by, flagId: flag.id, action: event.action, outcome: event.outcome },
    'review decision',
  );
}

export default async function decisionRoutes(app: FastifyInstance, { ctx }: GroupOptions): Promise<void> {
  const { store } = ctx;

  app.post('/decide', { config: { role: 'moderator' } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const parsed = DECIDE_BODY.safeParse(raw);
    const auth = request.auth!;
    const back = safeReturn(raw['return']);
    if (!parsed.success) {
      auth.session.flash = notUnderstood(raw, 'That decision');
      return reply.redirect(back, 303);
    }
    const id = typeof raw['id'] === 'string' ? raw['id'] : '';
    const flag = store.getFlag(id);
    if (!flag) return fail(request, reply, 404, 'No such flag', 'No flag in the queue has this id.');
    try {
      await applyDecision(ctx, flag, parsed.data, auth.user.name);
      auth.session.flash = `${parsed.data.action} recorded.`;
    } catch (error) {
      if (
        !isSolidarityError(error) ||
        (error.code !== 'REVIEW_NOT_ALLOWED' && error.code !== 'INPUT_INVALID')
      )
        throw error;
      auth.session.flash = `Not recorded: ${error.message}${error.hint ? ` ${error.hint}` : ''}`;
    }
    return reply.redirect(back, 303);
  });

  app.post('/decide-bulk', { config: { role: 'moderator' } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const parsed = DECIDE_BODY.safeParse(raw);
    const ids = stringList.safeParse(raw['ids']);
    const auth = request.auth!;
    const back = safeReturn(raw['return']);
    if (!parsed.success || !ids.success) {
      auth.session.flash = notUnderstood(raw, 'That bulk decision');
      return reply.redirect(back, 303);
    }
    if (ids.data.length === 0) {
      auth.session.flash = 'Select some flags first (x, or the checkboxes).';
      return reply.redirect(back, 303);
    }
    if (ids.data.length > MAX_BULK) {
      auth.session.flash = `At most ${MAX_BULK} flags at once.`;
      return reply.redirect(back, 303);
    }
    let applied = 0;
    const skipped: string[] = [];
    for (const id of ids.data) {
      const flag = store.getFlag(id);
      if (!flag) {
        skipped.push('not found');
        continue;
      }
      try {
        await applyDecision(ctx, flag, parsed.data, auth.user.name);
        applied++;
      } catch (error) {
        if (!isSolidarityError(error)) throw error;
        skipped.push(flag.state);
      }
    }
    auth.session.flash =
      `${parsed.data.action}: ${applied} flag(s) recorded` +
      (skipped.length
        ? `; ${skipped.length} skipped (not allowed in their state: ${[...new Set(skipped)].join(', ')}).`
        : '.');
    return reply.redirect(back, 303);
  });
}
