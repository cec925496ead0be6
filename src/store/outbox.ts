/** The local outbox: what local mode "posts", one JSON line per post in data/outbox.jsonl. */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface OutboxRecord {
  postedAt: string;
  slotAt: string;
  campaign: string;
  platform: string;
  slot: string;
  text: string;
  length: number;
  limit: number;
  /** Images the post carries (size and alt text, not the bytes). */
  images?: Array<{ mimeType: string; bytes: number; alt: string }>;
  linkCard?: { url: string; title: string; description: string };
  /** Who may reply (Bluesky threadgate, X reply_settings). */
  replyPolicy?: string;
}

export function outboxPath(dataDir: string): string {
  return join(dataDir, 'outbox.jsonl');
}

/** Appends one whole line (a single write), so a crash never leaves half a record. */
export function appendOutbox(dataDir: string, record: OutboxRecord): void {
  const path = outboxPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/** Reads the outbox back (tests, status); lines that do not parse are skipped. */
export function readOutbox(dataDir: string): OutboxRecord[] {
  let text: string;
  try {
    text = readFileSync(outboxPath(dataDir), 'utf8');
  } catch {
    return [];
  }
  const out: OutboxRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as OutboxRecord);
    } catch {
      // A torn last line after a crash; the records before it are whole.
    }
  }
  return out;
}
