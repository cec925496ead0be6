/**
 * A local Jetstream: a ws server on 127.0.0.1 that replays a log of Jetstream messages from the
 * cursor a client asks for (µs, inclusive), like the real service, and can drop connections
 * part-way. The log may hold malformed lines, duplicates and out-of-order events on purpose.
 */
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface LogLine {
  /** undefined for malformed lines. */
  timeUs: number | undefined;
  raw: string;
}

export interface ConnectionRecord {
  cursor: number | undefined;
  wantedCollections: string[];
  sent: number;
}

/** Bytes of UTF-8 up to a UTF-16 index: facets index bytes, not characters. */
function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

/** A post-create commit event exactly as Jetstream sends it, with tag facets for each #tag. */
export function jetstreamPost(options: {
  did: string;
  rkey: string;
  timeUs: number;
  text: string;
  langs?: string[];
  replyTo?: string;
  quote?: string;
}): Record<string, unknown> {
  const facets = [...options.text.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => ({
    features: [{ $type: 'app.bsky.richtext.facet#tag', tag: m[1] }],
    index: {
      byteStart: byteOffset(options.text, m.index),
      byteEnd: byteOffset(options.text, m.index + m[0].length),
    },
  }));
  const record: Record<string, unknown> = {
    $type: 'app.bsky.feed.post',
    createdAt: new Date(Math.floor(options.timeUs / 1000)).toISOString(),
    langs: options.langs ?? ['en'],
    text: options.text,
    ...(facets.length > 0 ? { facets } : {}),
  };
  if (options.replyTo) {
    record.reply = {
      parent: { cid: 'bafyreiparent', uri: options.replyTo },
      root: { cid: 'bafyreiparent', uri: options.replyTo },
    };
  }
  if (options.quote) {
    record.embed = { $type: 'app.bsky.embed.record', record: { cid: 'bafyreiquoted', uri: options.quote } };
  }
  return {
    did: options.did,
    time_us: options.timeUs,
    kind: 'commit',
    commit: {
      rev: `3l${options.rkey}`,
      operation: 'create',
      collection: 'app.bsky.feed.post',
      rkey: options.rkey,
      record,
      cid: `bafyrei${options.rkey}`,
    },
  };
}

export function line(event: Record<string, unknown> | string): LogLine {
  if (typeof event === 'string') return { timeUs: undefined, raw: event };
  return { timeUs: event.time_us as number, raw: JSON.stringify(event) };
}

export class FakeJetstream {
  readonly log: LogLine[] = [];
  readonly connections: ConnectionRecord[] = [];
  /** Close connection n (0-based) after sending this many lines. */
  dropAfter = new Map<number, number>();
  private server: WebSocketServer | undefined;
  private readonly sockets = new Set<WebSocket>();

  async start(): Promise<string> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/subscribe' });
    await new Promise<void>((resolve) => this.server!.once('listening', () => resolve()));
    this.server.on('connection', (socket, req) =>
      this.serve(socket, new URL(req.url ?? '/', 'ws://127.0.0.1')),
    );
    const { port } = this.server.address() as AddressInfo;
    return `ws://127.0.0.1:${port}/subscribe`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private serve(socket: WebSocket, url: URL): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const cursorParam = url.searchParams.get('cursor');
    const cursor = cursorParam ? Number(cursorParam) : undefined;
    const record: ConnectionRecord = {
      cursor,
      wantedCollections: url.searchParams.getAll('wantedCollections'),
      sent: 0,
    };
    const index = this.connections.push(record) - 1;
    const limit = this.dropAfter.get(index) ?? Number.POSITIVE_INFINITY;
    // Replay from the first line at or after the cursor; later lines go out in log order, so
    // out-of-order and malformed lines reach the client as they were recorded.
    const start =
      cursor === undefined ? 0 : this.log.findIndex((l) => l.timeUs !== undefined && l.timeUs >= cursor);
    const lines = start < 0 ? [] : this.log.slice(start);
    let i = 0;
    const pump = () => {
      while (i < lines.length && socket.readyState === socket.OPEN) {
        if (record.sent >= limit) {
          socket.terminate();
          return;
        }
        // Respect TCP back-pressure from a paused client rather than buffering everything here.
        if (socket.bufferedAmount > 1 << 20) {
          setTimeout(pump, 5);
          return;
        }
        socket.send(lines[i]!.raw);
        record.sent += 1;
        i += 1;
      }
    };
    pump();
  }
}
