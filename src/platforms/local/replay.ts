/**
 * Local mode: replays a JSON Lines file of mentions (the bundled sample stream, or your own).
 * Each line: {"id","author","text"} plus optional "lang", "createdAt", "hashtags", "replyTo",
 * "quoteOf", "url", "authorId". Bad lines are logged with their line number and skipped.
 * The number of lines replayed is the cursor, so a restart continues where it stopped.
 */
import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { matchingTags, mergeHashtags } from '../../core/hashtags.ts';
import type { Mention, MentionSource, SourceItem, SourceStats } from '../../core/mention.ts';
import { SolidarityError } from '../../errors.ts';
import { textLines } from '../../lines.ts';
import type { Logger } from '../../logger.ts';
import { type CursorCheck, mentionPairKey } from '../../store/consistency.ts';
import type { Store } from '../../store/types.ts';
import { abortableSleep } from '../sleep.ts';

export const LOCAL_MENTION_SCHEMA = z.object({
  id: z.string().min(1).max(200),
  author: z.string().min(1).max(100),
  authorId: z.string().min(1).max(200).optional(),
  text: z.string().max(10_000),
  lang: z.string().min(2).max(10).optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  hashtags: z.array(z.string().max(200)).optional(),
  replyTo: z.string().optional(),
  quoteOf: z.string().optional(),
  url: z.url().optional(),
});

export type LocalMentionLine = z.infer<typeof LOCAL_MENTION_SCHEMA>;

export interface LocalReplayOptions {
  path: string;
  store: Store;
  logger: Logger;
  /** Pause between mentions, so a person watching sees them arrive (0: as fast as possible). */
  intervalMs?: number;
  clock?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function localMention(line: LocalMentionLine, capturedAt: string): Mention {
  const handle = line.author.replace(/^@/, '');
  return {
    platform: 'local',
    id: line.id,
    url: line.url ?? `local://mentions/${encodeURIComponent(line.id)}`,
    authorId: line.authorId ?? `local:${handle}`,
    authorHandle: handle,
    text: line.text,
    ...(line.lang ? { lang: line.lang } : {}),
    createdAt: line.createdAt ?? capturedAt,
    capturedAt,
    hashtags: mergeHashtags(line.hashtags ?? [], line.text),
    ...(line.replyTo ? { replyTo: line.replyTo } : {}),
    ...(line.quoteOf ? { quoteOf: line.quoteOf } : {}),
  };
}

export class LocalReplaySource implements MentionSource {
  readonly name = 'local';
  private readonly options: LocalReplayOptions;
  private readonly cursorKey: string;
  private readonly counters: SourceStats = { malformed: 0, reconnects: 0, backfilled: 0 };
  private replayed = 0;
  private total = 0;

  constructor(options: LocalReplayOptions) {
    this.options = options;
    this.cursorKey = localCursorKey(options.path);
  }

  stats(): SourceStats {
    return { ...this.counters };
  }

  status(): Record<string, unknown> {
    return { file: this.options.path, linesReplayed: this.replayed, linesRead: this.total };
  }

  async *mentions(signal: AbortSignal): AsyncIterable<SourceItem> {
    const { path, store, logger } = this.options;
    const clock = this.options.clock ?? Date.now;
    const sleep = this.options.sleep ?? abortableSleep;
    const interval = this.options.intervalMs ?? 0;
    if (!existsSync(path)) {
      throw new SolidarityError('MENTIONS_FILE_INVALID', `The mentions file ${path} does not exist.`, {
        hint: 'Set SOLIDARITY_SAMPLE_MENTIONS to a JSON Lines file of mentions, or restore campaigns/sample-mentions.jsonl.',
      });
    }
    const done = Number((await store.getCursor(this.cursorKey)) ?? '0');
    if (done > 0) logger.info({ file: path, line: done }, 'replay resumes after the lines already replayed');
    const lines = textLines(createReadStream(path));
    let lineNo = 0;
    try {
      for await (const raw of lines) {
        lineNo += 1;
        this.total = lineNo;
        if (signal.aborted) return;
        if (lineNo <= done) continue;
        const n = lineNo;
        const checkpoint = async () => {
          this.replayed = n;
          await store.setCursor(this.cursorKey, String(n));
        };
        const parsed = parseLine(raw);
        if (!parsed.ok) {
          if (parsed.reason !== 'blank') {
            this.counters.malformed += 1;
            logger.warn(
              { file: path, line: n, problem: parsed.reason },
              'skipped a mentions line that is not valid',
            );
          }
          // The next good line's checkpoint moves the cursor past this one (bad lines at the very
          // end are read, and warned about, again on the next start).
          continue;
        }
        yield { mention: localMention(parsed.value, new Date(clock()).toISOString()), checkpoint };
        if (interval > 0) await sleep(interval, signal);
      }
    } finally {
      await lines.return(undefined);
    }
  }
}

/** Where the replay of a mentions file keeps its cursor (the number of lines replayed). */
export function localCursorKey(path: string): string {
  return `monitor.local:${resolve(path)}`;
}

/**
 * Deep verification of the replay cursor: every line it has passed that matches a campaign must
 * have its mention.seen. The repair moves the cursor back to just before the first that has not.
 */
export function localCursorCheck(
  store: Pick<Store, 'getCursor'>,
  path: string,
  campaigns: ReadonlyArray<{ id: string; hashtags: readonly string[] }>,
): CursorCheck {
  return async (pairs) => {
    const key = localCursorKey(path);
    const done = Number((await store.getCursor(key)) ?? '0');
    if (!(done > 0) || !existsSync(path)) return [];
    const tags = campaigns.map((c) => ({ id: c.id, tags: new Set(c.hashtags) }));
    const stream = createReadStream(path);
    let n = 0;
    try {
      for await (const raw of textLines(stream)) {
        n += 1;
        if (n > done) break;
        const parsed = parseLine(raw);
        if (!parsed.ok) continue;
        const mention = localMention(parsed.value, '');
        for (const c of tags) {
          if (matchingTags(mention.hashtags, c.tags).length === 0) continue;
          if (pairs.has(mentionPairKey(c.id, mention))) continue;
          return [
            {
              kind: 'cursor-ahead',
              message: `${key}: at line ${done}, but line ${n} (${mention.id}, campaign ${c.id}) has no mention.seen.`,
              repair: { cursors: [{ key, value: String(n - 1) }] },
            },
          ];
        }
      }
    } finally {
      stream.destroy();
    }
    return [];
  };
}

function parseLine(raw: string): { ok: true; value: LocalMentionLine } | { ok: false; reason: string } {
  if (raw.trim() === '') return { ok: false, reason: 'blank' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = LOCAL_MENTION_SCHEMA.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return { ok: false, reason: `${issue.path.join('.') || '(line)'}: ${issue.message}` };
  }
  return { ok: true, value: result.data };
}
