/**
 * A local fake Mastodon instance for driving the real masto.js client: REST (instance, account,
 * statuses, media, hashtag timeline) and the streaming API (WebSocket, `hashtag` stream), on
 * 127.0.0.1 over plain HTTP.
 *
 * Like Mastodon it enforces the instance's limits (422 when the text counted with every URL at
 * `characters_reserved_per_url` is over `max_characters`), honours `Idempotency-Key` (a repeated
 * key from the same account returns the status it made, for an hour), checks the bearer token
 * (401), sends `X-RateLimit-Limit/Remaining/Reset` on every answer (reset as an ISO 8601 time) and
 * serves content as HTML. Faults are queued per route: 429 until a reset time, 5xx (optionally
 * after the status was made), slow answers. Streams can be dropped to test reconnects.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeMastodonOptions {
  token?: string;
  maxCharacters?: number;
  charactersReservedPerUrl?: number;
  /** false: the instance advertises no streaming URL (monitoring then polls the timeline). */
  streaming?: boolean;
  /** Requests per rate-limit window (X-RateLimit-Limit). */
  rateLimit?: number;
  /** Where the fake's time comes from (status created_at, rate-limit windows, key expiry). */
  now?: () => Date;
}

export interface FakeStatus {
  id: string;
  accountId: string;
  acct: string;
  /** Plain text as sent (or given to `publish`). */
  text: string;
  /** HTML as Mastodon serves it. */
  content: string;
  createdAt: string;
  visibility: string;
  language: string | null;
  spoilerText: string;
  mediaIds: string[];
  tags: string[];
  idempotencyKey?: string;
}

export type FakeMastodonRoute =
  | 'POST /api/v1/statuses'
  | 'POST /api/v2/media'
  | 'GET /api/v1/timelines/tag'
  | 'GET /api/v1/accounts'
  | 'GET /api/v2/instance';

export type FakeMastodonFault =
  | { status: 429; resetAt: Date }
  | { status: 401 | 500 | 502 | 503; afterWrite?: boolean }
  | { delayMs: number };

export interface FakeMastodon {
  url: string;
  token: string;
  account: { id: string; username: string; acct: string };
  statuses: FakeStatus[];
  media: Map<string, { description: string; type: string; bytes: number }>;
  requests: Array<{ method: string; path: string; query: string; status: number; idempotencyKey?: string }>;
  /** Open streaming connections. */
  streams(): number;
  /** Streaming connections opened so far. */
  streamConnections(): number;
  /** The tags the open streaming connections are subscribed to. */
  subscribedTags(): string[];
  /** A status by someone else (or by the campaign account: `own`), on the timeline and streams. */
  publish(options: { text: string; acct?: string; own?: boolean; language?: string; at?: Date }): FakeStatus;
  /** Closes every streaming connection (the client should reconnect). */
  dropStreams(): void;
  fault(route: FakeMastodonRoute, fault: FakeMastodonFault): void;
  faultsLeft(route: FakeMastodonRoute): number;
  close(): Promise<void>;
}

const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Text → the HTML Mastodon serves: paragraphs, <br>, links with invisible parts, tag links. */
function toHtml(text: string, origin: string): string {
  const paragraphs = text.split(/\n{2,}/).map((p) => {
    let html = escapeHtml(p);
    html = html.replace(/https?:\/\/[^\s<>"]+/g, (url) => {
      const [, scheme, rest] = /^(https?:\/\/)(.*)$/.exec(url)!;
      const shown = rest!.slice(0, 30);
      const hidden = rest!.slice(30);
      return (
        `<a href="${url}" target="_blank" rel="nofollow noopener" translate="no">` +
        `<span class="invisible">${scheme}</span><span class="${hidden ? 'ellipsis' : ''}">${shown}</span>` +
        `<span class="invisible">${hidden}</span></a>`
      );
    });
    html = html.replace(
      /(^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]+)/gu,
      (_m, before: string, tag: string) =>
        `${before}<a href="${origin}/tags/${tag.toLowerCase()}" class="mention hashtag" rel="tag">#<span>${tag}</span></a>`,
    );
    return `<p>${html.replace(/\n/g, '<br />')}</p>`;
  });
  return paragraphs.join('');
}

function countedLength(text: string, reserved: number): number {
  const replaced = text.replace(URL_PATTERN, 'x'.repeat(reserved));
  return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(replaced)].length;
}

function tagsOf(text: string): string[] {
  return [
    ...new Set([...text.matchAll(/(?:^|[^\p{L}\p{N}_])#([\p{L}\p{N}_]+)/gu)].map((m) => m[1]!.toLowerCase())),
  ];
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const IDEMPOTENCY_WINDOW_MS = 3_600_000;

export async function startFakeMastodon(options: FakeMastodonOptions = {}): Promise<FakeMastodon> {
  const token = options.token ?? 'fake-mastodon-token';
  const maxCharacters = options.maxCharacters ?? 500;
  const reserved = options.charactersReservedPerUrl ?? 23;
  const rateLimit = options.rateLimit ?? 300;
  const now = options.now ?? (() => new Date());
  const account = { id: '109000000000000001', username: 'westandtogether', acct: 'westandtogether' };
  const statuses: FakeStatus[] = [];
  const media = new Map<string, { description: string; type: string; bytes: number }>();
  const requests: FakeMastodon['requests'] = [];
  const faults = new Map<FakeMastodonRoute, FakeMastodonFault[]>();
  const keys = new Map<string, { statusId: string; at: number }>();
  const sockets = new Set<{ ws: WebSocket; tags: Set<string> }>();
  let connections = 0;
  let nextId = 110_000_000_000_000_000n;
  let window = { start: now().getTime(), used: 0 };
  let origin = '';

  const newId = () => {
    nextId += 1n;
    return String(nextId);
  };

  const accountJson = (id: string, acct: string) => ({
    id,
    username: acct.split('@')[0],
    acct,
    display_name: acct,
    url: `${origin}/@${acct}`,
  });

  const statusJson = (s: FakeStatus) => ({
    id: s.id,
    uri: `${origin}/users/${s.acct}/statuses/${s.id}`,
    url: `${origin}/@${s.acct}/${s.id}`,
    created_at: s.createdAt,
    account: accountJson(s.accountId, s.acct),
    content: s.content,
    visibility: s.visibility,
    language: s.language,
    spoiler_text: s.spoilerText,
    sensitive: s.spoilerText.length > 0,
    media_attachments: s.mediaIds.map((id) => ({
      id,
      type: 'image',
      url: `${origin}/media/${id}`,
      description: media.get(id)?.description ?? null,
    })),
    tags: s.tags.map((name) => ({ name, url: `${origin}/tags/${name}` })),
    mentions: [],
    emojis: [],
    in_reply_to_id: null,
    reblog: null,
  });

  const broadcast = (s: FakeStatus) => {
    for (const socket of sockets) {
      for (const tag of s.tags) {
        if (!socket.tags.has(tag)) continue;
        socket.ws.send(
          JSON.stringify({
            stream: ['hashtag', tag],
            event: 'update',
            payload: JSON.stringify(statusJson(s)),
          }),
        );
        break;
      }
    }
  };

  const addStatus = (s: Omit<FakeStatus, 'id' | 'content' | 'createdAt' | 'tags'> & { at?: Date }) => {
    const status: FakeStatus = {
      ...s,
      id: newId(),
      content: toHtml(s.text, origin),
      createdAt: (s.at ?? now()).toISOString(),
      tags: tagsOf(s.text),
    };
    statuses.push(status);
    broadcast(status);
    return status;
  };

  function routeOf(method: string, path: string): FakeMastodonRoute | undefined {
    if (method === 'POST' && path === '/api/v1/statuses') return 'POST /api/v1/statuses';
    if (method === 'POST' && path === '/api/v2/media') return 'POST /api/v2/media';
    if (method === 'GET' && path.startsWith('/api/v1/timelines/tag/')) return 'GET /api/v1/timelines/tag';
    if (method === 'GET' && path.startsWith('/api/v1/accounts/')) return 'GET /api/v1/accounts';
    if (method === 'GET' && path === '/api/v2/instance') return 'GET /api/v2/instance';
    return undefined;
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    const body = await readBody(req);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      requests.push({
        method,
        path,
        query: url.search,
        status,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      }
      res.end(JSON.stringify(payload));
    };
    // Rate limit: a five-minute window per token, as Mastodon's per-user limit.
    const t = now().getTime();
    if (t - window.start >= 300_000) window = { start: t, used: 0 };
    window.used += 1;
    const limitHeaders = {
      'x-ratelimit-limit': String(rateLimit),
      'x-ratelimit-remaining': String(Math.max(0, rateLimit - window.used)),
      'x-ratelimit-reset': new Date(window.start + 300_000).toISOString(),
    };
    for (const [k, v] of Object.entries(limitHeaders)) res.setHeader(k, v);

    if (path === '/api/v1/streaming/health') {
      requests.push({ method, path, query: url.search, status: 200 });
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('OK');
    }

    const route = routeOf(method, path);
    let fault = route ? faults.get(route)?.shift() : undefined;
    if (fault && 'delayMs' in fault) {
      const ms = fault.delayMs;
      await new Promise((resolve) => setTimeout(resolve, ms));
      fault = undefined;
    }
    if (fault && 'status' in fault && fault.status === 429) {
      return send(
        429,
        { error: 'Too many requests' },
        {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': fault.resetAt.toISOString(),
        },
      );
    }
    if (fault && 'status' in fault && !('afterWrite' in fault && fault.afterWrite)) {
      return send(fault.status, { error: `Injected ${fault.status}` });
    }

    const isPublic =
      method === 'GET' && (path === '/api/v2/instance' || path.startsWith('/api/v1/timelines/tag/'));
    if (!isPublic && req.headers.authorization !== `Bearer ${token}`) {
      return send(401, { error: 'The access token is invalid' });
    }

    if (method === 'GET' && path === '/api/v2/instance') {
      return send(200, {
        domain: '127.0.0.1',
        title: 'Fake Mastodon',
        version: '4.3.0',
        source_url: 'https://github.com/mastodon/mastodon',
        description: 'A local test instance',
        usage: { users: { active_month: 1 } },
        thumbnail: { url: `${origin}/thumb.png` },
        languages: ['en'],
        configuration: {
          urls: options.streaming === false ? {} : { streaming: origin.replace(/^http/, 'ws') },
          accounts: { max_featured_tags: 10 },
          statuses: {
            max_characters: maxCharacters,
            max_media_attachments: 4,
            characters_reserved_per_url: reserved,
          },
          media_attachments: {
            supported_mime_types: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
            image_size_limit: 16_777_216,
            image_matrix_limit: 33_177_600,
            video_size_limit: 103_809_024,
            video_frame_rate_limit: 120,
            video_matrix_limit: 8_294_400,
          },
          polls: {
            max_options: 4,
            max_characters_per_option: 50,
            min_expiration: 300,
            max_expiration: 2_629_746,
          },
          translation: { enabled: false },
        },
        registrations: { enabled: false, approval_required: false, message: null },
        contact: { email: '', account: null },
        rules: [],
      });
    }
    if (method === 'GET' && path === '/api/v1/accounts/verify_credentials') {
      return send(200, {
        ...accountJson(account.id, account.acct),
        source: { privacy: 'public', language: 'en' },
      });
    }
    const accountStatuses = /^\/api\/v1\/accounts\/([^/]+)\/statuses$/.exec(path);
    if (method === 'GET' && accountStatuses) {
      const limit = Math.min(40, Number(url.searchParams.get('limit') ?? 20));
      const list = statuses
        .filter((s) => s.accountId === accountStatuses[1])
        .slice()
        .reverse()
        .slice(0, limit);
      return send(200, list.map(statusJson));
    }
    const tagTimeline = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(path);
    if (method === 'GET' && tagTimeline) {
      const tag = decodeURIComponent(tagTimeline[1]!).toLowerCase();
      const limit = Math.min(40, Number(url.searchParams.get('limit') ?? 20));
      const minId = url.searchParams.get('min_id');
      const maxId = url.searchParams.get('max_id');
      let list = statuses.filter((s) => s.tags.includes(tag) && s.visibility === 'public');
      if (maxId) list = list.filter((s) => BigInt(s.id) < BigInt(maxId));
      // min_id: the page immediately after it (oldest first), served newest first as Mastodon does.
      if (minId) list = list.filter((s) => BigInt(s.id) > BigInt(minId)).slice(0, limit);
      else list = list.slice(-limit);
      const page = list.slice().reverse();
      const links: string[] = [];
      if (page.length > 0) {
        const base = `${origin}/api/v1/timelines/tag/${encodeURIComponent(tag)}`;
        links.push(`<${base}?max_id=${page[page.length - 1]!.id}>; rel="next"`);
        links.push(`<${base}?min_id=${page[0]!.id}>; rel="prev"`);
      }
      return send(200, page.map(statusJson), links.length ? { link: links.join(', ') } : {});
    }
    if (method === 'POST' && path === '/api/v2/media') {
      const form = await new Response(new Uint8Array(body), {
        headers: { 'content-type': req.headers['content-type'] ?? '' },
      }).formData();
      const file = form.get('file');
      if (!(file instanceof Blob)) return send(422, { error: 'Validation failed: File must be present' });
      const id = newId();
      media.set(id, {
        description: String(form.get('description') ?? ''),
        type: file.type,
        bytes: file.size,
      });
      return send(200, {
        id,
        type: 'image',
        url: `${origin}/media/${id}`,
        preview_url: `${origin}/media/${id}/small`,
        description: media.get(id)!.description || null,
        blurhash: null,
      });
    }
    const mediaGet = /^\/api\/v1\/media\/([^/]+)$/.exec(path);
    if (method === 'GET' && mediaGet) {
      const m = media.get(mediaGet[1]!);
      if (!m) return send(404, { error: 'Record not found' });
      return send(200, {
        id: mediaGet[1],
        type: 'image',
        url: `${origin}/media/${mediaGet[1]}`,
        description: m.description,
      });
    }
    if (method === 'POST' && path === '/api/v1/statuses') {
      if (idempotencyKey) {
        const known = keys.get(`${account.id}:${idempotencyKey}`);
        if (known && t - known.at < IDEMPOTENCY_WINDOW_MS) {
          const existing = statuses.find((s) => s.id === known.statusId)!;
          return send(200, statusJson(existing));
        }
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return send(400, { error: 'Invalid JSON' });
      }
      const text = typeof input.status === 'string' ? input.status : '';
      const mediaIds = Array.isArray(input.media_ids) ? input.media_ids.map(String) : [];
      if (!text && mediaIds.length === 0)
        return send(422, { error: "Validation failed: Text can't be blank" });
      const spoiler = typeof input.spoiler_text === 'string' ? input.spoiler_text : '';
      if (countedLength(text, reserved) + countedLength(spoiler, reserved) > maxCharacters) {
        return send(422, { error: `Validation failed: Text character limit of ${maxCharacters} exceeded` });
      }
      if (mediaIds.some((id) => !media.has(id)))
        return send(422, { error: 'Validation failed: media not found' });
      const visibility = typeof input.visibility === 'string' ? input.visibility : 'public';
      if (!['public', 'unlisted', 'private', 'direct'].includes(visibility)) {
        return send(422, { error: `Validation failed: Visibility is not included in the list` });
      }
      const status = addStatus({
        accountId: account.id,
        acct: account.acct,
        text,
        visibility,
        language: typeof input.language === 'string' ? input.language : null,
        spoilerText: spoiler,
        mediaIds,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
      if (idempotencyKey) keys.set(`${account.id}:${idempotencyKey}`, { statusId: status.id, at: t });
      if (fault && 'status' in fault) return send(fault.status, { error: `Injected ${fault.status}` });
      return send(200, statusJson(status));
    }
    return send(404, { error: 'Record not found' });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== '/api/v1/streaming') return socket.destroy();
    const auth = req.headers.authorization ?? '';
    const protocol = req.headers['sec-websocket-protocol'];
    const given = auth.replace(/^Bearer /, '') || protocol || url.searchParams.get('access_token');
    if (given !== token) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return socket.destroy();
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections += 1;
      const entry = { ws, tags: new Set<string>() };
      if (url.searchParams.get('stream') === 'hashtag' && url.searchParams.get('tag')) {
        entry.tags.add(url.searchParams.get('tag')!.toLowerCase());
      }
      sockets.add(entry);
      ws.on('message', (data) => {
        try {
          const msg = JSON.parse(String(data)) as { type?: string; stream?: string; tag?: string };
          if (msg.stream !== 'hashtag' || !msg.tag) return;
          if (msg.type === 'subscribe') entry.tags.add(msg.tag.toLowerCase());
          if (msg.type === 'unsubscribe') entry.tags.delete(msg.tag.toLowerCase());
        } catch {
          ws.send(JSON.stringify({ error: 'Invalid JSON' }));
        }
      });
      ws.on('close', () => sockets.delete(entry));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    token,
    account,
    statuses,
    media,
    requests,
    streams: () => sockets.size,
    streamConnections: () => connections,
    subscribedTags: () => [...new Set([...sockets].flatMap((s) => [...s.tags]))].sort(),
    publish({ text, acct = 'someone@elsewhere.example', own = false, language = 'en', at }) {
      return addStatus({
        accountId: own ? account.id : `2${[...acct].reduce((n, c) => n * 31 + c.charCodeAt(0), 7) % 1e12}`,
        acct: own ? account.acct : acct,
        text,
        visibility: 'public',
        language,
        spoilerText: '',
        mediaIds: [],
        ...(at ? { at } : {}),
      });
    },
    dropStreams() {
      for (const s of sockets) s.ws.terminate();
    },
    fault(route, f) {
      const list = faults.get(route) ?? [];
      list.push(f);
      faults.set(route, list);
    },
    faultsLeft: (route) => faults.get(route)?.length ?? 0,
    async close() {
      for (const s of sockets) s.ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The environment a child `solidarity` process needs to post to this fake. */
export function fakeMastodonEnv(fake: Pick<FakeMastodon, 'url' | 'token'>): Record<string, string> {
  return { MASTODON_URL: fake.url, MASTODON_ACCESS_TOKEN: fake.token };
}

/**
 * The lines of a campaign file that posts `messages` to Mastodon with #WeStandTogether, unlisted
 * behind the content warning "Hate crime" unless `mastodon` gives other `overrides.mastodon` lines.
 */
export function mastodonCampaignLines(options: {
  id: string;
  start: string;
  /** One entry of `schedules`, e.g. `cron: "0 9 * * *"`. */
  schedule: string;
  messages: readonly string[];
  platforms?: readonly string[];
  /** Fields placed before `timezone` (e.g. `language: nl`). */
  more?: readonly string[];
  mastodon?: readonly string[];
}): string[] {
  return [
    `id: ${options.id}`,
    `name: ${options.id} test`,
    ...(options.more ?? []),
    'timezone: Europe/Brussels',
    `start: ${options.start}`,
    `platforms: [${(options.platforms ?? ['mastodon']).join(', ')}]`,
    'schedules:',
    `  - ${options.schedule}`,
    'messages:',
    ...options.messages.map((m) => `  - ${JSON.stringify(m)}`),
    'hashtags: [WeStandTogether]',
    'overrides:',
    '  mastodon:',
    ...(options.mastodon ?? ['visibility: unlisted', 'spoiler_text: Hate crime']).map((l) => `    ${l}`),
  ];
}
