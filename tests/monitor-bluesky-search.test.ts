/**
 * The backfill search client (the Bluesky adapter's session, through the real @atproto/api agent)
 * against a small local XRPC server (createSession + app.bsky.feed.searchPosts). The dev-env PDS has
 * no search (that is an AppView feature), so this fake stands in for it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BlueskyAdapter } from '../src/platforms/bluesky/adapter.ts';
import { searchBackfill } from '../src/platforms/bluesky/backfill.ts';
import { captureLog } from './_log.ts';

const CID = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm';
const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';

function postView(i: number, tag: string) {
  const text = `post ${i} #${tag}`;
  const start = Buffer.byteLength(`post ${i} `);
  return {
    uri: `at://${DID}/app.bsky.feed.post/3lsearch${String(i).padStart(5, '0')}`,
    cid: CID,
    author: { did: DID, handle: 'searcher.example.com' },
    record: {
      $type: 'app.bsky.feed.post',
      text,
      createdAt: new Date(Date.UTC(2026, 10, 23, 12, 0, i)).toISOString(),
      langs: ['en'],
      facets: [
        {
          index: { byteStart: start, byteEnd: start + tag.length + 1 },
          features: [{ $type: 'app.bsky.richtext.facet#tag', tag }],
        },
      ],
    },
    indexedAt: new Date(Date.UTC(2026, 10, 23, 12, 0, i)).toISOString(),
  };
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** The adapter's small key/value state, as the store keeps it. */
function memoryState() {
  const values = new Map<string, unknown>();
  return {
    getState: async <T>(key: string) => values.get(key) as T | undefined,
    setState: async <T>(key: string, value: T) => {
      values.set(key, value);
    },
  };
}

async function startXrpc(options: { total: number; rateLimitOnce?: boolean }) {
  const searches: URLSearchParams[] = [];
  const logins = { count: 0 };
  let limited = options.rateLimitOnce ?? false;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/xrpc/com.atproto.server.createSession') {
      logins.count += 1;
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const { password } = JSON.parse(body);
        if (password !== 'app-pass-word')
          return json(401, { error: 'AuthenticationRequired', message: 'Invalid password' });
        json(200, {
          accessJwt: 'a.b.c',
          refreshJwt: 'd.e.f',
          handle: 'bot.example.com',
          did: DID,
          active: true,
        });
      });
      return;
    }
    if (url.pathname === '/xrpc/app.bsky.feed.searchPosts') {
      searches.push(url.searchParams);
      if (req.headers.authorization !== 'Bearer a.b.c') return json(401, { error: 'AuthenticationRequired' });
      if (limited) {
        limited = false;
        return json(
          429,
          { error: 'RateLimitExceeded' },
          { 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) },
        );
      }
      const tag = url.searchParams.getAll('tag')[0] ?? '';
      const from = Number(url.searchParams.get('cursor') ?? '0');
      const limit = Number(url.searchParams.get('limit') ?? '25');
      const posts = Array.from({ length: Math.max(0, Math.min(limit, options.total - from)) }, (_, k) =>
        postView(from + k, tag),
      );
      const next = from + posts.length;
      return json(200, { posts, ...(next < options.total ? { cursor: String(next) } : {}) });
    }
    json(404, { error: 'MethodNotImplemented' });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { service: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, searches, logins };
}

describe('Bluesky search backfill', () => {
  it('searches on the publishing session (no second login), pages through, waits out a 429 and yields mentions', async () => {
    const { service, searches, logins } = await startXrpc({ total: 230, rateLimitOnce: true });
    const adapter = new BlueskyAdapter({
      service,
      identifier: 'bot.example.com',
      password: 'app-pass-word',
      state: memoryState(),
    });
    // The bot checks its credentials at start (one login); search then uses that session.
    expect(await adapter.checkCredentials()).toMatchObject({ ok: true });
    const client = await adapter.searchClient();
    expect(client.did).toBe(DID);
    const log = captureLog('info');
    const waits: number[] = [];
    const backfill = searchBackfill({
      client,
      logger: log.logger,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const mentions = [];
    for await (const m of backfill(
      { tags: ['westandtogether'], since: '2026-11-23T00:00:00.000Z', until: '2026-11-24T00:00:00.000Z' },
      new AbortController().signal,
    )) {
      mentions.push(m);
    }
    expect(mentions).toHaveLength(230);
    expect(new Set(mentions.map((m) => m.id)).size).toBe(230);
    expect(mentions[0]).toMatchObject({
      platform: 'bluesky',
      authorHandle: 'searcher.example.com',
      hashtags: ['westandtogether'],
      lang: 'en',
    });
    expect(mentions[0]!.url).toMatch(
      /^https:\/\/bsky\.app\/profile\/did:plc:[a-z0-9]+\/post\/3lsearch00000$/,
    );
    expect(log.withCode('RATE_LIMITED')).toHaveLength(1);
    expect(waits).toHaveLength(1);
    expect(searches[0]!.get('since')).toBe('2026-11-23T00:00:00.000Z');
    expect(searches[0]!.get('until')).toBe('2026-11-24T00:00:00.000Z');
    expect(searches[0]!.get('sort')).toBe('latest');
    expect(logins.count).toBe(1);
    expect(adapter.logins).toBe(1);
  });

  it('names the problem when the app password is wrong', async () => {
    const { service } = await startXrpc({ total: 0 });
    const adapter = new BlueskyAdapter({
      service,
      identifier: 'bot.example.com',
      password: 'wrong',
      state: memoryState(),
    });
    await expect(adapter.searchClient()).rejects.toMatchObject({ code: 'BLUESKY_AUTH_FAILED' });
  });
});
