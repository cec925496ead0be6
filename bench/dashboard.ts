/**
 * npm run bench:dashboard: requests per second of the review queue page (first page of 50, with
 * 10,000 open flags in the store) against a trivial route (/healthz), measured in one run by the
 * same client on 127.0.0.1. The dashboard runs in its own process (bench/dashboard-server.ts);
 * this process is the load generator. The last line printed is one JSON object;
 * `ratio` = queue_rps / trivial_rps; `compact_time_ratio` = trivial_rps / compact_rps (the time one
 * compact queue page takes, in trivial requests; the compact queue shows 50 one-line rows).
 *
 * Options (env): BENCH_FLAGS (10000), BENCH_SECONDS per route (5, in alternating 0.5 s rounds),
 * BENCH_CONCURRENCY (16).
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const ROUND_SECONDS = 0.5;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One GET; the body is counted, not decoded (a load generator should not spend time on it). */
function get(url: string, cookie?: string): Promise<{ status: number; bytes: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: cookie ? { cookie } : {} }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Run {
  latencies: number[];
  seconds: number;
  bytes: number;
  errors: number;
}

/** A bounded closed loop: CONCURRENCY workers, each sending the next request when one returns. */
async function load(url: string, cookie: string | undefined, seconds: number): Promise<Run> {
  const latencies: number[] = [];
  let bytes = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const reply = await get(url, cookie);
      latencies.push(performance.now() - t0);
      if (reply.status !== 200) errors++;
      bytes += reply.bytes;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000, bytes, errors };
}

function combine(runs: Run[]) {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const bytes = runs.reduce((n, r) => n + r.bytes, 0);
  const pct = (p: number) => Math.round((latencies[Math.floor((latencies.length - 1) * p)] ?? 0) * 100) / 100;
  return {
    rps: Math.round(latencies.length / seconds),
    requests: latencies.length,
    seconds: Math.round(seconds * 100) / 100,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    bytes_per_response: Math.round(bytes / Math.max(1, latencies.length)),
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
  };
}

/** The server process's CPU time so far (user + system, µs), asked over the IPC channel. */
function serverCpu(): Promise<number> {
  return new Promise((resolve) => {
    server.once('message', (m: { user: number; system: number }) => resolve(m.user + m.system));
    server.send('cpu');
  });
}

const server = spawn(
  process.execPath,
  [
    ...(process.env['BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
    '--import',
    'tsx',
    new URL('./dashboard-server.ts', import.meta.url).pathname,
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: process.env,
  },
);
try {
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`dashboard server exited (${code})`)));
  });
  const info = JSON.parse(first) as {
    url: string;
    cookie: string;
    seedMs: number;
    store: string;
    renderColdMs: number;
    renderWarmMs: number;
    deepCursor?: string;
  };
  const page = await fetch(`${info.url}/queue`, { headers: { cookie: info.cookie } });
  const items = ((await page.text()).match(/<li class="item /g) ?? []).length;
  if (page.status !== 200 || items !== 50)
    throw new Error(`queue page not as expected: ${page.status}, ${items} items`);
  const compactPage = await fetch(`${info.url}/queue?view=compact`, { headers: { cookie: info.cookie } });
  const rows = ((await compactPage.text()).match(/<li class="row item /g) ?? []).length;
  if (compactPage.status !== 200 || rows !== 50)
    throw new Error(`compact queue page not as expected: ${compactPage.status}, ${rows} rows`);

  // Warm up, then measure the routes in alternating short rounds with the same client, so a
  // busy machine slows all of them alike rather than whichever happened to run during the spike.
  const routes = {
    trivial: { url: `${info.url}/healthz`, cookie: undefined },
    queue: { url: `${info.url}/queue`, cookie: info.cookie },
    queue_filtered: { url: `${info.url}/queue?sort=score&severity=high`, cookie: info.cookie },
    queue_deep: { url: `${info.url}/queue?after=${info.deepCursor ?? ''}`, cookie: info.cookie },
    compact: { url: `${info.url}/queue?view=compact`, cookie: info.cookie },
  } as const;
  for (const r of Object.values(routes)) await load(r.url, r.cookie, 0.5);
  const rounds = Math.max(1, Math.round(SECONDS / ROUND_SECONDS));
  const runs: Record<keyof typeof routes, Run[]> = {
    trivial: [],
    queue: [],
    queue_filtered: [],
    queue_deep: [],
    compact: [],
  };
  const cpuUs: Record<keyof typeof routes, number> = {
    trivial: 0,
    queue: 0,
    queue_filtered: 0,
    queue_deep: 0,
    compact: 0,
  };
  for (let i = 0; i < rounds; i++) {
    for (const [name, r] of Object.entries(routes) as Array<
      [keyof typeof routes, (typeof routes)[keyof typeof routes]]
    >) {
      const before = await serverCpu();
      runs[name].push(await load(r.url, r.cookie, ROUND_SECONDS));
      cpuUs[name] += (await serverCpu()) - before;
    }
  }
  // CPU time the server spent per request: less sensitive than throughput to other work on a
  // shared machine.
  const cpuPerRequest = (name: keyof typeof routes) =>
    Math.round(
      cpuUs[name] /
        Math.max(
          1,
          runs[name].reduce((n, r) => n + r.latencies.length, 0),
        ),
    );
  const trivial = combine(runs.trivial);
  const queue = combine(runs.queue);
  const filtered = combine(runs.queue_filtered);
  const deep = combine(runs.queue_deep);
  const compact = combine(runs.compact);
  agent.destroy();
  const flags = Number(process.env['BENCH_FLAGS'] ?? 10_000);
  console.log(
    JSON.stringify({
      bench: 'dashboard',
      store: info.store,
      open_flags: flags,
      seed_ms: info.seedMs,
      render_first_page_cold_ms: info.renderColdMs,
      render_first_page_warm_ms: info.renderWarmMs,
      concurrency: CONCURRENCY,
      seconds_per_route: SECONDS,
      trivial_rps: trivial.rps,
      queue_rps: queue.rps,
      queue_filtered_rps: filtered.rps,
      ratio: Math.round((queue.rps / trivial.rps) * 1000) / 1000,
      ratio_filtered: Math.round((filtered.rps / trivial.rps) * 1000) / 1000,
      queue_deep_rps: deep.rps,
      ratio_deep: Math.round((deep.rps / trivial.rps) * 1000) / 1000,
      // The compact queue (50 one-line rows): its time per request over the trivial route's
      // (the bar is at most 4).
      compact_rps: compact.rps,
      compact_time_ratio: Math.round((trivial.rps / compact.rps) * 1000) / 1000,
      compact_cpu_ratio: Math.round((cpuPerRequest('compact') / cpuPerRequest('trivial')) * 1000) / 1000,
      server_cpu_us_per_request: {
        trivial: cpuPerRequest('trivial'),
        queue: cpuPerRequest('queue'),
        queue_filtered: cpuPerRequest('queue_filtered'),
        queue_deep: cpuPerRequest('queue_deep'),
        compact: cpuPerRequest('compact'),
      },
      cpu_ratio: Math.round((cpuPerRequest('trivial') / cpuPerRequest('queue')) * 1000) / 1000,
      trivial,
      queue,
      queue_filtered: filtered,
      queue_deep: deep,
      compact,
    }),
  );
} finally {
  server.kill('SIGTERM');
}
