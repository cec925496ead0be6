/** Accounts: admins add, disable, enable and reset moderators; everyone changes their own password. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isSolidarityError, SolidarityError } from '../../errors.ts';
import { addModerator, changePassword, normalName, resetPassword, setDisabled } from '../accounts.ts';
import { verifyPassword } from '../passwords.ts';
import { accountsPage, passwordPage } from '../views/accounts.ts';
import { type GroupOptions, send, takeFlash } from './context.ts';

const text = z.preprocess((v) => (v === undefined ? '' : String(v)), z.string());
const ADD_BODY = z.object({ name: text, role: text });
const TARGET_BODY = z.object({ name: text });
const PASSWORD_BODY = z.object({ current: text, password: text, confirm: text });

export default async function accountRoutes(app: FastifyInstance, { ctx }: GroupOptions): Promise<void> {
  const { store, sessions, log, now } = ctx;

  const accounts = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    created?: { name: string; password: string },
  ) => {
    const auth = request.auth!;
    return send(
      reply,
      status,
      accountsPage({
        user: auth.user,
        csrf: auth.session.csrf,
        flash: takeFlash(auth.session),
        moderators: await store.listModerators(),
        created,
      }),
    );
  };

  app.get('/moderators', { config: { role: 'admin' } }, async (request, reply) =>
    accounts(request, reply, 200),
  );

  app.post('/moderators', { config: { role: 'admin' } }, async (request, reply) => {
    const body = ADD_BODY.parse(request.body ?? {});
    const auth = request.auth!;
    try {
      const result = await addModerator(store, {
        name: body.name,
        role: body.role,
        now: new Date(now()).toISOString(),
      });
      log.info(
        { moderator: auth.user.name, added: result.moderator.name, role: result.moderator.role },
        'moderator added',
      );
      return accounts(request, reply, 200, {
        name: result.moderator.name,
        password: result.oneTimePassword!,
      });
    } catch (error) {
      if (!isSolidarityError(error)) throw error;
      auth.session.flash = error.message + (error.hint ? ` ${error.hint}` : '');
      return reply.redirect('/moderators', 303);
    }
  });

  for (const action of ['disable', 'enable', 'reset'] as const) {
    app.post(`/moderators/${action}`, { config: { role: 'admin' } }, async (request, reply) => {
      const name = normalName(TARGET_BODY.parse(request.body ?? {}).name);
      const auth = request.auth!;
      try {
        if (name === auth.user.name) {
          throw new SolidarityError(
            'MODERATOR_INVALID',
            'Change your own account from the password page, not here.',
          );
        }
        if (action === 'reset') {
          const password = await resetPassword(store, name, new Date(now()).toISOString());
          sessions.destroyFor(name);
          log.info({ moderator: auth.user.name, target: name }, 'moderator password reset');
          return accounts(request, reply, 200, { name, password });
        }
        const updated = await setDisabled(store, name, action === 'disable');
        if (action === 'disable') sessions.destroyFor(updated.name);
        log.info({ moderator: auth.user.name, target: updated.name }, `moderator ${action}d`);
        auth.session.flash = `${updated.name} ${action}d.`;
      } catch (error) {
        if (!isSolidarityError(error)) throw error;
        auth.session.flash = error.message + (error.hint ? ` ${error.hint}` : '');
      }
      return reply.redirect('/moderators', 303);
    });
  }

  app.get('/account/password', async (request, reply) => {
    const auth = request.auth!;
    return send(
      reply,
      200,
      passwordPage({
        user: auth.user,
        csrf: auth.session.csrf,
        forced: Boolean(auth.moderator.mustChangePassword),
      }),
    );
  });

  app.post('/account/password', async (request, reply) => {
    const body = PASSWORD_BODY.parse(request.body ?? {});
    const auth = request.auth!;
    const again = (status: number, error: string) =>
      send(
        reply,
        status,
        passwordPage({
          user: auth.user,
          csrf: auth.session.csrf,
          forced: Boolean(auth.moderator.mustChangePassword),
          error,
        }),
      );
    const { current, password } = body;
    if (!(await verifyPassword(current, auth.moderator.passwordHash)))
      return again(400, 'The current password is wrong.');
    if (password !== body.confirm) return again(400, 'The two new passwords differ.');
    if (password === current) return again(400, 'Choose a password different from the current one.');
    try {
      await changePassword(store, auth.user.name, password, new Date(now()).toISOString());
    } catch (error) {
      if (!isSolidarityError(error)) throw error;
      return again(400, error.message);
    }
    sessions.destroyFor(auth.user.name, auth.session);
    auth.session.credential = (await store.getModerator(auth.user.name))?.passwordHash ?? '';
    log.info({ moderator: auth.user.name }, 'password changed');
    auth.session.flash = 'Password changed.';
    return reply.redirect('/queue', 303);
  });
}
