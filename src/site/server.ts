/**
 * Serves the share site read-only on its own port (SITE_HOST:SITE_PORT, loopback by default):
 * GET and HEAD of the built files, and, only when taps are counted, POST /count. No login, no
 * cookies, no logging of addresses.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SolidarityError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Site } from './build.ts';
import { CONTENT_SECURITY_POLICY } from './page.ts';
import type { TapCounter } from './taps.ts';

export interface SiteServer {
  url: string;
  close(): Promise<void>;
}

const HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
} as const;

/** The site path a request asks for: "/" → index.html, "/id/" → id/index.html. */
export function sitePath(url: string): string {
  const path = decodeURIComponent(new URL(url, 'http://site').pathname).replace(/^\/+/, '');
  return path === '' || path.endsWith('/') ? `${path}index.html` : path;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean): void {
  res.writeHead(status, { ...HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSiteServer(options: {
  site: () => Site;
  host: string;
  port: number;
  logger: Logger;
  taps?: TapCounter;
}): Promise<SiteServer> {
  const log = options.logger.child({ name: 'site' });
  const server = createServer(async (req, res) => {
    try {
      const head = req.method === 'HEAD';
      if (req.method === 'POST' && req.url === '/count' && options.taps) {
        const body = await readBody(req, 1024);
        const params = new URLSearchParams(body ?? '');
        const counted = options.taps.record(params.get('campaign') ?? '', params.get('network') ?? '');
        res.writeHead(counted ? 204 : 400, HEADERS).end();
        return;
      }
      if (req.method !== 'GET' && !head) {
        res.writeHead(405, { ...HEADERS, allow: 'GET, HEAD' }).end();
        return;
      }
      let path: string;
      try {
        path = sitePath(req.url ?? '/');
      } catch {
        send(res, 400, 'text/plain; charset=utf-8', 'Bad request\n', head);
        return;
      }
      const site = options.site();
      const file = site.get(path);
      if (!file) {
        // "/westandtogether" → "/westandtogether/", so the page's relative links work.
        if (site.has(`${path}/index.html`)) {
          res.writeHead(301, { ...HEADERS, location: `/${encodeURI(path)}/` }).end();
          return;
        }
        send(res, 404, 'text/plain; charset=utf-8', 'Not found\n', head);
        return;
      }
      res.setHeader('cache-control', 'public, max-age=300');
      send(res, 200, file.type, file.body, head);
    } catch (error) {
      log.error({ err: error }, 'site request failed');
      if (!res.headersSent) res.writeHead(500, HEADERS);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new SolidarityError(
          'SITE_LISTEN',
          `The share site cannot listen on ${options.host}:${options.port} (${error.code ?? error.message}).`,
          { hint: 'Set SITE_PORT to a free port (0 picks one), or stop what uses it.' },
        ),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  log.info({ url }, 'share site listening');
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await options.taps?.flush();
    },
  };
}
