/** Synthetic mentions, flags and temp data folders for the store's tests and benchmark. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Mention } from '../src/core/mention.ts';
import type { Flag } from '../src/core/review.ts';
import type { ActivityEvent, JournalEntry, QueueQuery } from '../src/store/types.ts';

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

export function mentionEvent(
  i: number,
  at: string,
  flagged = false,
  campaign = 'demo',
): Extract<ActivityEvent, { type: 'mention.seen' }> {
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

/** Flags for the queue's paging property: few distinct times and scores, so ties are common. */
export const flagSpecArb = fc.record({
  i: fc.integer({ min: 0, max: 400 }),
  t: fc.integer({ min: 0, max: 50 }),
  score: fc.integer({ min: 0, max: 4 }),
  campaign: fc.constantFrom('a', 'b'),
  severity: fc.constantFrom('low' as const, 'medium' as const, 'high' as const),
  rule: fc.constantFrom('r1', 'r2'),
  tags: fc.constantFrom(['x'], ['x', 'y']),
  events: fc.array(fc.constantFrom('acknowledge' as const, 'resolve' as const, 'comment' as const), {
    maxLength: 2,
  }),
});

/** Any mix of the queue's filters and sort orders. */
export const queueQueryArb = fc.record(
  {
    campaign: fc.constantFrom('a', 'b'),
    platform: fc.constantFrom('bluesky', 'x'),
    severity: fc.constantFrom('low', 'high'),
    state: fc.constantFrom('open' as const, ['acknowledged' as const, 'resolved' as const]),
    hashtag: fc.constantFrom('#Y', 'x'),
    rule: fc.constantFrom('r1', 'r2'),
    sort: fc.constantFrom('newest' as const, 'score' as const),
  },
  { requiredKeys: [] },
);

/** The flag a spec describes, its review events included; `suffix` keeps runs apart in one store. */
export function flagFromSpec(s: FlagSpec, suffix = ''): Flag {
  const f = flag(s.i, at(s.t), {
    campaign: `${s.campaign}${suffix}`,
    score: s.score / 4,
    severity: s.severity,
    rule: s.rule,
    hashtags: [...s.tags],
  });
  f.id = `${f.id}${suffix}`;
  f.events = s.events.map((action, n) => ({
    id: `${f.id}-${n}`,
    flagId: f.id,
    action,
    by: 'm',
    at: at(s.t),
  }));
  return f;
}

type FlagSpec = typeof flagSpecArb extends fc.Arbitrary<infer T> ? T : never;

/** The obvious, slow answer to a queue query: filter everything, sort everything. */
export function queueOracle(flags: Flag[], q: QueueQuery): Flag[] {
  const states = q.state === undefined ? undefined : Array.isArray(q.state) ? q.state : [q.state];
  const tag = q.hashtag?.replace(/^#/, '').toLowerCase();
  return flags
    .filter(
      (f) =>
        (q.campaign === undefined || f.campaign === q.campaign) &&
        (q.platform === undefined || f.mention.platform === q.platform) &&
        (q.severity === undefined || f.verdict.severity === q.severity) &&
        (states === undefined || states.includes(f.state)) &&
        (tag === undefined || f.mention.hashtags.includes(tag)) &&
        (q.rule === undefined || f.verdict.reasons.some((r) => r.rule === q.rule)),
    )
    .sort((a, b) => {
      if (q.sort === 'score' && a.verdict.score !== b.verdict.score) return b.verdict.score - a.verdict.score;
      if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
      return a.id < b.id ? 1 : -1;
    });
}

/** A journal entry still at its intent (campaign demo), on the slot given or the first one. */
export function journalIntent(key: string, platform = 'bluesky', slotAt = at(0)): JournalEntry {
  return {
    key,
    campaign: 'demo',
    platform,
    slotAt,
    text: 'We stand together.',
    state: 'intent',
    attempts: 0,
    updatedAt: slotAt,
  };
}
