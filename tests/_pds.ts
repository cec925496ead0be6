/**
 * A real Bluesky PDS (and PLC directory) from @atproto/dev-env for tests, bound to 127.0.0.1.
 *
 * The PDS and PLC servers call `listen(port)` with no host, which binds every interface, and
 * dev-env has no option for it (`pds.hostname` only sets the public URL). So while the network
 * starts, `http.Server.prototype.listen` is wrapped to add host 127.0.0.1 to port-only calls; the
 * wrapper is removed as soon as the network is up. Each run gets its own temp folder for PDS data
 * and blobs, removed by `close()`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalPds {
  /** Service URL on 127.0.0.1, e.g. http://127.0.0.1:53211 */
  url: string;
  port: number;
  /** Addresses the PDS and PLC servers are bound to, as `server.address()` reports them. */
  boundAddresses: string[];
  dataDir: string;
  /** Paths of XRPC calls the PDS received (e.g. com.atproto.server.createSession), in order. */
  calls: string[];
  createAccount(handle: string, password: string): Promise<{ did: string; handle: string }>;
  close(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `rateLimits`: turn on the PDS's own rate limits (off in dev mode), e.g. createSession 30 per 5 min. */
export async function startLocalPds(options: { rateLimits?: boolean } = {}): Promise<LocalPds> {
  const dataDir = mkdtempSync(join(tmpdir(), 'solidarity-pds-'));
  const servers: http.Server[] = [];
  const original = http.Server.prototype.listen;
  // biome-ignore lint/suspicious/noExplicitAny: listen has many overloads; only the port-only form is changed
  http.Server.prototype.listen = function patchedListen(this: http.Server, ...args: any[]) {
    servers.push(this);
    if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
      args.splice(1, 0, '127.0.0.1');
    }
    return original.apply(this, args as Parameters<typeof original>);
  } as typeof original;
  const calls: string[] = [];
  let network: import('@atproto/dev-env').TestNetworkNoAppView;
  try {
    const { TestNetworkNoAppView } = await import('@atproto/dev-env');
    const plcPort = await freeLoopbackPort();
    mkdirSync(join(dataDir, 'pds'), { recursive: true });
    network = await TestNetworkNoAppView.create({
      plc: { port: plcPort },
      pds: {
        didPlcUrl: `http://127.0.0.1:${plcPort}`,
        dataDirectory: join(dataDir, 'pds'),
        blobstoreDiskLocation: join(dataDir, 'blobs'),
        ...(options.rateLimits ? { rateLimitsEnabled: true } : {}),
      },
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  } finally {
    http.Server.prototype.listen = original;
  }
  for (const server of servers) {
    server.on('request', (req: http.IncomingMessage) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path.startsWith('/xrpc/')) calls.push(path.slice('/xrpc/'.length));
    });
  }
  const boundAddresses = servers.filter((s) => s.listening).map((s) => (s.address() as AddressInfo).address);
  const port = network.pds.port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    boundAddresses,
    dataDir,
    calls,
    async createAccount(handle, password) {
      const res = await fetch(`${url}/xrpc/com.atproto.server.createAccount`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ handle, password, email: `${handle.split('.')[0]}@example.test` }),
      });
      if (!res.ok) throw new Error(`createAccount ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as { did: string; handle: string };
      return { did: body.did, handle: body.handle };
    },
    async close() {
      try {
        await network.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
