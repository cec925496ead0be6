/**
 * The server half of bench/dashboard.ts, in its own process (as a real deployment runs it):
 * seeds the store with open flags, starts the dashboard on 127.0.0.1, logs a moderator in and
 * prints {url, cookie, seedMs, store} as one JSON line. Stops on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReviewState } from '../src/core/review.ts';
import { addModerator } from '../src/dashboard/accounts.ts';
import { LOGIN_COOKIE, SESSION_COOKIE, startDashboard } from '../src/dashboard/server.ts';
import { clearFragmentCache } from '../src/dashboard/views/flag.ts';
import { queuePage } from '../src/dashboard/views/queue.ts';
import { silentLogger } from '../src/logger.ts';
import { makeFlag } from '../tests/_review-fixtures.ts';
import { openBenchStore } from './dashboard-store.ts';

const FLAGS = Number(process.env['BENCH_FLAGS'] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'solidarity-bench-dashboard-'));
const { store, kind, close: closeStore } = await openBenchStore(dir);
const t0 = performance.now();
for (let n = 0; n < FLAGS; n++)
  await store.addFlag(makeFlag({ n, at: Date.parse('2026-11-20T00:00:00Z') + n * 10_000 }));
await store.flush();
const seedMs = Math.round(performance.now() - t0);
const password = 'bench passphrase long';
await addModerator(store, { name: 'bench', role: 'moderator', password, now: new Date().toISOString() });
// Rendering the first queue page in-process, from cold (card cache empty) and warm, for the record.
const query = {
  limit: 50,
  sort: 'newest' as const,
  state: ['open', 'acknowledged', 'escalated'] as ReviewState[],
};
const renderOnce = async () => {
  const page = await store.queuePage(query);
  return queuePage({
    user: { name: 'bench', role: 'moderator' },
    csrf: 'x'.repeat(32),
    filters: { state: 'unresolved', sort: 'newest' },
    campaigns: [],
    items: page.items,
    total: page.total,
    next: page.next,
  });
};
const timeRender = async (cold: boolean) => {
  const runs = 50;
  let total = 0;
  for (let i = 0; i < runs; i++) {
    if (cold) clearFragmentCache();
    const t = performance.now();
    await renderOnce();
    total += performance.now() - t;
  }
  return Math.round((total / runs) * 1000) / 1000;
};
await timeRender(true);
const renderColdMs = await timeRender(true);
const renderWarmMs = await timeRender(false);
clearFragmentCache();

// A cursor deep in the queue (after ~90% of it), to show paging far in costs no more than page 1.
let deepCursor: string | undefined;
for (let seen = 0; seen < FLAGS * 0.9; ) {
  const page = await store.queuePage({ ...query, limit: 1000, ...(deepCursor ? { after: deepCursor } : {}) });
  if (!page.next) break;
  deepCursor = page.next;
  seen += page.items.length;
}

const dashboard = await startDashboard({
  store,
  logger: silentLogger(),
  env: { DASHBOARD_HOST: '127.0.0.1', DASHBOARD_PORT: 0, DASHBOARD_SECURE_COOKIE: 'auto' },
});

const form = await fetch(`${dashboard.url}/login`);
const loginCookie = form.headers
  .getSetCookie()
  .find((c) => c.startsWith(`${LOGIN_COOKIE}=`))!
  .split(';')[0]!;
const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
const loggedIn = await fetch(`${dashboard.url}/login`, {
  method: 'POST',
  redirect: 'manual',
  headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ name: 'bench', password, _csrf: csrf }).toString(),
});
const cookie = loggedIn.headers
  .getSetCookie()
  .find((c) => c.startsWith(`${SESSION_COOKIE}=`))!
  .split(';')[0]!;
process.stdout.write(
  `${JSON.stringify({ url: dashboard.url, cookie, seedMs, store: kind, renderColdMs, renderWarmMs, deepCursor })}\n`,
);

process.on('message', (message) => {
  if (message === 'cpu') process.send?.(process.cpuUsage());
});

process.once('SIGTERM', async () => {
  await dashboard.close();
  await closeStore();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
