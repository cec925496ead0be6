/**
 * A local fake of the X API v2 posting endpoints, for driving the real twitter-api-v2 client:
 * POST /2/tweets, v2 media upload (initialize / append / finalize) and media/metadata (alt text),
 * GET /2/users/me and GET /2/users/:id/tweets (to look a post up after a crash).
 *
 * It checks the OAuth 1.0a signature (HMAC-SHA1) against the credentials it was given, so wrong
 * keys get a real 401. Like X, it refuses the same text twice with a 403 "duplicate content", shows
 * URLs as t.co links and HTML-escapes &, < and > in returned text. Faults are queued per route:
 * 429 with x-rate-limit-* headers, 401, 403, 503 (optionally after the post was made), slow answers.
 * Binds 127.0.0.1 on a free port. twitter-api-v2 only speaks HTTPS (it calls `https.request`), so
 * the fake serves TLS with a self-signed test certificate for IP 127.0.0.1 (tests/fixtures); give
 * clients `FAKE_X_CA` (in-process) or NODE_EXTRA_CA_CERTS=FAKE_X_CA_FILE (child processes).
 */
import { createHmac, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const FAKE_X_CA_FILE = fileURLToPath(new URL('./fixtures/fake-x.cert.pem', import.meta.url));
export const FAKE_X_CA = readFileSync(FAKE_X_CA_FILE, 'utf8');

/** The environment a child `solidarity` process needs to post to this fake X with these credentials. */
export function fakeXEnv(fake: Pick<FakeX, 'url'>, creds: FakeXCredentials): Record<string, string> {
  return {
    X_API_KEY: creds.appKey,
    X_API_SECRET: creds.appSecret,
    X_ACCESS_TOKEN: creds.accessToken,
    X_ACCESS_SECRET: creds.accessSecret,
    X_API_BASE_URL: fake.url,
    NODE_EXTRA_CA_CERTS: FAKE_X_CA_FILE,
  };
}
const FAKE_X_KEY = readFileSync(fileURLToPath(new URL('./fixtures/fake-x.key.pem', import.meta.url)), 'utf8');

export interface FakeXCredentials {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

export interface FakeTweet {
  id: string;
  text: string;
  created_at: string;
  media_ids?: string[];
  reply_settings?: string;
}

export type Fault =
  | { status: 429; resetEpochSeconds: number; limit?: number }
  | { status: 401 | 403 | 400 | 500 | 503; body?: unknown; afterWrite?: boolean }
  | { delayMs: number };

export type Route = 'POST /2/tweets' | 'POST /2/media/upload' | 'POST /2/media/metadata' | 'GET /2/users';

export interface FakeX {
  url: string;
  address: string;
  tweets: FakeTweet[];
  media: Map<string, { type: string; bytes: number; alt?: string }>;
  requests: Array<{ method: string; path: string; status: number }>;
  /** Queues a fault for the next request on a route (faults run in order). */
  fault(route: Route, fault: Fault): void;
  /** Faults queued on a route and not yet taken by a request (a request takes its fault on arrival). */
  faultsLeft(route: Route): number;
  close(): Promise<void>;
}

const USER = { id: '1500000000000000001', name: 'We Stand Together', username: 'westandtogether' };

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseOAuthHeader(header: string | undefined): Record<string, string> | undefined {
  if (!header?.startsWith('OAuth ')) return undefined;
  const out: Record<string, string> = {};
  for (const part of header.slice(6).split(',')) {
    const match = /^\s*([^=]+)="([^"]*)"\s*$/.exec(part);
    if (match) out[decodeURIComponent(match[1]!)] = decodeURIComponent(match[2]!);
  }
  return out;
}

function signatureValid(
  creds: FakeXCredentials,
  method: string,
  baseUrl: string,
  query: URLSearchParams,
  formBody: URLSearchParams | undefined,
  oauth: Record<string, string>,
): boolean {
  const params: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(oauth))
    if (k !== 'oauth_signature' && k !== 'realm') params.push([k, v]);
  for (const [k, v] of query) params.push([k, v]);
  if (formBody) for (const [k, v] of formBody) params.push([k, v]);
  const normalized = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [method.toUpperCase(), rfc3986(baseUrl), rfc3986(normalized)].join('&');
  const key = `${rfc3986(creds.appSecret)}&${rfc3986(creds.accessSecret)}`;
  const expected = createHmac('sha1', key).update(base).digest('base64');
  return expected === oauth.oauth_signature;
}

/** What X shows: t.co links instead of URLs, and &, <, > escaped. */
function asDisplayed(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, () => `https://t.co/${randomInt(1e9, 1e10).toString(36)}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function routeOf(method: string, path: string): Route | undefined {
  if (method === 'POST' && path === '/2/tweets') return 'POST /2/tweets';
  if (method === 'POST' && path.startsWith('/2/media/upload')) return 'POST /2/media/upload';
  if (method === 'POST' && path === '/2/media/metadata') return 'POST /2/media/metadata';
  if (method === 'GET' && path.startsWith('/2/users')) return 'GET /2/users';
  return undefined;
}

export async function startFakeX(creds: FakeXCredentials): Promise<FakeX> {
  const tweets: FakeTweet[] = [];
  const media = new Map<string, { type: string; bytes: number; alt?: string }>();
  const requests: FakeX['requests'] = [];
  const faults = new Map<Route, Fault[]>();
  let nextId = 1800000000000000000n;
  let origin = '';

  const server = https.createServer(
    { key: FAKE_X_KEY, cert: FAKE_X_CA },
    async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', origin);
      const method = req.method ?? 'GET';
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        requests.push({ method, path: url.pathname, status });
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const problem = (status: number, title: string, detail: string) =>
        send(status, { title, detail, type: 'about:blank', status });

      const route = routeOf(method, url.pathname);
      let fault = route ? faults.get(route)?.shift() : undefined;
      if (fault && 'delayMs' in fault) {
        await new Promise((resolve) => setTimeout(resolve, fault && 'delayMs' in fault ? fault.delayMs : 0));
        fault = undefined;
      }
      if (fault && 'status' in fault && fault.status === 429) {
        return send(
          429,
          { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
          {
            'x-rate-limit-limit': String(fault.limit ?? 100),
            'x-rate-limit-remaining': '0',
            'x-rate-limit-reset': String(fault.resetEpochSeconds),
          },
        );
      }
      if (fault && 'status' in fault && !fault.afterWrite) {
        return send(
          fault.status,
          fault.body ?? { title: 'Fault', detail: `Injected ${fault.status}`, status: fault.status },
        );
      }

      const oauth = parseOAuthHeader(req.headers.authorization);
      const contentType = req.headers['content-type'] ?? '';
      const form = contentType.startsWith('application/x-www-form-urlencoded')
        ? new URLSearchParams(raw.toString('utf8'))
        : undefined;
      if (
        !oauth ||
        oauth.oauth_consumer_key !== creds.appKey ||
        oauth.oauth_token !== creds.accessToken ||
        !signatureValid(creds, method, `${origin}${url.pathname}`, url.searchParams, form, oauth)
      ) {
        return problem(401, 'Unauthorized', 'Unauthorized');
      }
      const json = () =>
        contentType.startsWith('application/json') && raw.length ? JSON.parse(raw.toString('utf8')) : {};
      const limits = {
        'x-rate-limit-limit': '100',
        'x-rate-limit-remaining': '99',
        'x-rate-limit-reset': '0',
      };
      limits['x-rate-limit-reset'] = String(Math.floor(Date.now() / 1000) + 900);

      if (route === 'POST /2/tweets') {
        const body = json() as { text?: string; media?: { media_ids?: string[] }; reply_settings?: string };
        if (typeof body.text !== 'string' || body.text.length === 0) {
          return problem(400, 'Invalid Request', 'One or more parameters to your request was invalid.');
        }
        if (tweets.some((t) => t.text === body.text)) {
          return problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
        }
        for (const id of body.media?.media_ids ?? []) {
          if (!media.has(id)) return problem(400, 'Invalid Request', `media id ${id} not found`);
        }
        nextId += BigInt(randomInt(1, 1000));
        const tweet: FakeTweet = {
          id: nextId.toString(),
          text: body.text,
          created_at: new Date().toISOString(),
          ...(body.media?.media_ids ? { media_ids: body.media.media_ids } : {}),
          ...(body.reply_settings ? { reply_settings: body.reply_settings } : {}),
        };
        tweets.push(tweet);
        if (fault && 'status' in fault)
          return send(fault.status, { title: 'Service Unavailable', status: fault.status });
        return send(
          201,
          { data: { id: tweet.id, text: tweet.text, edit_history_tweet_ids: [tweet.id] } },
          limits,
        );
      }
      if (route === 'POST /2/media/upload') {
        const parts = url.pathname.split('/');
        if (url.pathname === '/2/media/upload/initialize') {
          const body = json() as { media_type?: string; total_bytes?: number };
          const id = String(nextId++);
          media.set(id, { type: body.media_type ?? '', bytes: body.total_bytes ?? 0 });
          return send(200, { data: { id, media_key: `3_${id}`, expires_after_secs: 86400 } });
        }
        const id = parts[4] ?? '';
        if (!media.has(id)) return problem(400, 'Invalid Request', 'unknown media id');
        if (parts[5] === 'append') return send(200, { data: { expires_at: Date.now() + 86_400_000 } });
        if (parts[5] === 'finalize')
          return send(200, { data: { id, media_key: `3_${id}`, size: media.get(id)!.bytes } });
        return problem(404, 'Not Found', 'unknown media route');
      }
      if (route === 'POST /2/media/metadata') {
        const body = json() as { id?: string; metadata?: { alt_text?: { text?: string } } };
        const item = body.id ? media.get(body.id) : undefined;
        if (!item) return problem(400, 'Invalid Request', 'unknown media id');
        item.alt = body.metadata?.alt_text?.text;
        return send(200, { data: { id: body.id, associated_metadata: body.metadata } });
      }
      if (route === 'GET /2/users') {
        if (url.pathname === '/2/users/me') return send(200, { data: USER });
        if (url.pathname === `/2/users/${USER.id}/tweets`) {
          const since = url.searchParams.get('start_time');
          const found = tweets
            .filter((t) => !since || t.created_at >= since)
            .reverse()
            .slice(0, Number(url.searchParams.get('max_results') ?? 10))
            .map((t) => ({ id: t.id, text: asDisplayed(t.text), created_at: t.created_at }));
          return send(
            200,
            found.length
              ? { data: found, meta: { result_count: found.length } }
              : { meta: { result_count: 0 } },
          );
        }
      }
      return problem(404, 'Not Found', `no route ${method} ${url.pathname}`);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port, address } = server.address() as AddressInfo;
  origin = `https://127.0.0.1:${port}`;
  return {
    url: origin,
    address,
    tweets,
    media,
    requests,
    fault(route, fault) {
      const list = faults.get(route) ?? [];
      list.push(fault);
      faults.set(route, list);
    },
    faultsLeft: (route) => faults.get(route)?.length ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const FAKE_X_USER = USER;
