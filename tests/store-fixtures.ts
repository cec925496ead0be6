/** Synthetic mentions, flags and temp data folders for the store's tests and benchmark. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mention } from '../src/core/mention.ts';
import type { Flag } from '../src/core/review.ts';
import type { ActivityEvent } from '../src/store/types.ts';

export function tempDataDir(prefix = 'solidarity-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const WORDS = [
  'solidarity',
  'together',
  'community',
  'standing',
  'with',
  'everyone',
  'tonight',
  'city',
  'love',
  'peace',
];

const TEXTS = new Map<string, string>();

/** About 300 characters of text; depends only on i mod 1009 and the first hashtag, so it is built once. */
function textFor(i: number, hashtag: string): string {
  const key = `${i % 1009}#${hashtag}`;
  let text = TEXTS.get(key);
  if (text === undefined) {
    text = `#${hashtag} `;
    let w = i % 1009;
    while (text.length < 290) {
      text += `${WORDS[w % WORDS.length]} `;
      w = (w * 7 + 3) % 1009;
    }
    text = text.trim();
    TEXTS.set(key, text);
  }
  return text;
}

/** A deterministic mention with about 300 characters of text. */
export function mention(i: number, at: string, hashtags = ['westandtogether']): Mention {
  const text = textFor(i, hashtags[0]!);
  return {
    platform: i % 2 === 0 ? 'bluesky' : 'x',
    id:
      i % 2 === 0
        ? `at://did:plc:user${i % 997}/app.bsky.feed.post/${i.toString(36)}`
        : `${1_800_000_000_000 + i}`,
    url: `https://example.test/post/${i}`,
    authorId: `did:plc:user${i % 997}`,
    authorHandle: `user${i % 997}.example.test`,
    text,
    lang: 'en',
    createdAt: at,
    capturedAt: at,
    hashtags,
  };
}

export function mentionEvent(i: number, at: string, flagged = false, campaign = 'demo'): ActivityEvent {
  return {
    type: 'mention.seen',
    at,
    campaign,
    mention: mention(i, at),
    verdict: {
      flagged,
      score: flagged ? 0.8 : 0.05,
      severity: flagged ? 'high' : 'none',
      sentiment: -0.2,
      rules: flagged ? ['slur.test'] : [],
    },
  };
}

export function flag(
  i: number,
  at: string,
  options: Partial<Pick<Flag, 'campaign'>> & {
    score?: number;
    rule?: string;
    severity?: 'low' | 'medium' | 'high';
    hashtags?: string[];
  } = {},
): Flag {
  const m = mention(i, at, options.hashtags);
  return {
    id: `${m.platform}:${m.id}`,
    campaign: options.campaign ?? 'demo',
    mention: m,
    verdict: {
      flagged: true,
      score: options.score ?? 0.5 + (i % 50) / 100,
      severity: options.severity ?? 'high',
      sentiment: -0.4,
      reasons: [
        {
          rule: options.rule ?? 'slur.test',
          explanation: 'matched a test rule',
          span: { start: 0, end: 5, text: m.text.slice(0, 5) },
        },
      ],
    },
    state: 'open',
    createdAt: at,
    events: [],
  };
}

/** An ISO instant `seconds` after a fixed start. */
export function at(seconds: number, start = '2026-11-20T10:00:00.000Z'): string {
  return new Date(Date.parse(start) + seconds * 1000).toISOString();
}
