/** Evidence export of selected flags: CSV, JSON, or a printable page for a police report. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Flag } from '../../core/review.ts';
import { evidenceCsv, evidenceJson } from '../../moderation/evidence.ts';
import { evidencePrintPage } from '../views/item.ts';
import { fail, type GroupOptions, MAX_BULK, send, stringList } from './context.ts';

const EVIDENCE_BODY = z.object({
  ids: stringList,
  format: z.enum(['csv', 'json', 'print']).default('csv'),
});

export default async function evidenceRoutes(app: FastifyInstance, { ctx }: GroupOptions): Promise<void> {
  const { store, log, now } = ctx;
  app.post('/evidence', { config: { role: 'moderator' } }, async (request, reply) => {
    const parsed = EVIDENCE_BODY.safeParse(request.body ?? {});
    if (!parsed.success || parsed.data.ids.length === 0 || parsed.data.ids.length > MAX_BULK) {
      return fail(
        request,
        reply,
        400,
        'Nothing to export',
        `Select between 1 and ${MAX_BULK} flags, and CSV, JSON or printable.`,
      );
    }
    const { ids, format } = parsed.data;
    const flags: Flag[] = [];
    for (const id of new Set(ids)) {
      const flag = await store.getFlag(id);
      if (!flag)
        return fail(request, reply, 404, 'No such flag', 'A selected flag is no longer in the queue.');
      flags.push(flag);
    }
    const by = request.auth!.user.name;
    const at = new Date(now()).toISOString();
    log.info({ moderator: by, count: flags.length, format }, 'evidence exported');
    const stamp = at.slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    if (format === 'print')
      return send(reply, 200, evidencePrintPage({ flags, exportedAt: at, exportedBy: by }));
    const isCsv = format === 'csv';
    return reply
      .header('content-disposition', `attachment; filename="evidence-${stamp}.${format}"`)
      .type(isCsv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .send(isCsv ? evidenceCsv(flags) : evidenceJson(flags, { exportedAt: at, exportedBy: by }));
  });
}
