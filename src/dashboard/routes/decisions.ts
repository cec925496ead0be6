/** Review decisions: one flag from its page or the keyboard, or a selection from the queue. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Flag, ReviewEvent } from '../../core/review.ts';
import { isSolidarityError } from '../../errors.ts';
import { decide, RESOLVE_OUTCOMES, REVIEW_ACTIONS, undoDecision } from '../../moderation/review.ts';
import type { Session } from '../sessions.ts';
import {
  type DashboardContext,
  fail,
  flagName,
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
  /** "1": decide although another moderator holds the flag (they chose to). */
  takeover: z.string().max(10).optional(),
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

async function applyDecision(
  ctx: DashboardContext,
  flag: Flag,
  body: DecideBody,
  by: string,
): Promise<ReviewEvent> {
  const event = decide(
    flag,
    { action: body.action as never, by, note: body.note, outcome: body.outcome as never },
    { id: ctx.newId(), at: new Date(ctx.now()).toISOString() },
  );
  await ctx.store.addReviewEvent(event);
  ctx.claims.touch(flag.id, by);
  ctx.log.info(
    { moderator: by, flagId: flag.id, action: event.action, outcome: event.outcome },
    'review decision',
  );
  return event;
}

/** Offers the decisions just made for undo (a comment is not offered: it changes nothing). */
function offerUndo(ctx: DashboardContext, session: Session, events: ReviewEvent[]): void {
  const undoable = events.filter((e) => e.action !== 'comment');
  if (undoable.length === 0) delete session.undoable;
  else
    session.undoable = {
      events: undoable.map((e) => ({ flagId: e.flagId, eventId: e.id })),
      at: ctx.now(),
    };
}

/** "Held by alice (claimed 3 min ago)". */
function heldText(ctx: DashboardContext, claim: { by: string; since: number }): string {
  const minutes = Math.max(0, Math.round((ctx.now() - claim.since) / 60_000));
  return `${claim.by} is reviewing it (claimed ${minutes} min ago)`;
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
    const flag = await store.getFlag(id);
    if (!flag) return fail(request, reply, 404, 'No such flag', 'No flag in the queue has this id.');
    const held = ctx.claims.heldByOther(flag.id, auth.user.name);
    if (held && parsed.data.takeover !== '1') {
      auth.session.flash = `Not recorded: ${heldText(ctx, held)}. Take it over from its page to decide anyway.`;
      return reply.redirect(back, 303);
    }
    try {
      const event = await applyDecision(ctx, flag, parsed.data, auth.user.name);
      auth.session.flash = `${parsed.data.action} recorded for ${flagName(flag)}.`;
      offerUndo(ctx, auth.session, [event]);
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
    const applied: Array<{ flag: Flag; event: ReviewEvent }> = [];
    const skipped: string[] = [];
    let held = 0;
    for (const id of ids.data) {
      const flag = await store.getFlag(id);
      if (!flag) {
        skipped.push('not found');
        continue;
      }
      if (ctx.claims.heldByOther(flag.id, auth.user.name) && parsed.data.takeover !== '1') {
        held++;
        continue;
      }
      try {
        applied.push({ flag, event: await applyDecision(ctx, flag, parsed.data, auth.user.name) });
      } catch (error) {
        if (!isSolidarityError(error)) throw error;
        skipped.push(flag.state);
      }
    }
    const named =
      applied.length === 1
        ? ` It was ${flagName(applied[0]!.flag)}.`
        : applied.length > 1 && applied.length <= 3
          ? ` They were the posts by ${[...new Set(applied.map((a) => `@${a.flag.mention.authorHandle}`))].join(', ')}.`
          : '';
    auth.session.flash =
      `${parsed.data.action}: ${applied.length} flag(s) recorded` +
      (skipped.length
        ? `; ${skipped.length} skipped (not allowed in their state: ${[...new Set(skipped)].join(', ')})`
        : '') +
      (held ? `; ${held} left alone (another moderator is reviewing them)` : '') +
      `.${named}`;
    offerUndo(
      ctx,
      auth.session,
      applied.map((a) => a.event),
    );
    return reply.redirect(back, 303);
  });

  app.post('/undo', { config: { role: 'moderator' } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const auth = request.auth!;
    const back = safeReturn(raw['return']);
    const undoable = auth.session.undoable;
    delete auth.session.undoable;
    if (!undoable) {
      auth.session.flash = 'Nothing to undo.';
      return reply.redirect(back, 303);
    }
    let undone = 0;
    const refused: string[] = [];
    for (const { flagId, eventId } of undoable.events) {
      const flag = await store.getFlag(flagId);
      if (!flag) continue;
      try {
        const event = undoDecision(flag, eventId, auth.user.name, {
          id: ctx.newId(),
          at: new Date(ctx.now()).toISOString(),
        });
        await store.addReviewEvent(event);
        ctx.log.info({ moderator: auth.user.name, flagId, undoes: eventId }, 'review decision undone');
        undone++;
      } catch (error) {
        if (!isSolidarityError(error)) throw error;
        refused.push(error.message);
      }
    }
    const first = undoable.events[0] ? await store.getFlag(undoable.events[0].flagId) : undefined;
    auth.session.flash =
      (undone === 1 && first
        ? `Undone: ${flagName(first)} is ${first.state} again.`
        : `Undone: ${undone} decision(s).`) + (refused.length ? ` Not undone: ${refused[0]}` : '');
    return reply.redirect(back, 303);
  });
}
