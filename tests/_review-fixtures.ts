/**
 * Flags for review tests: invented, mild placeholder abuse (never the labelled evaluation data),
 * plus hostile texts that try to break the page.
 */

import type { Mention } from '../src/core/mention.ts';
import type { Flag } from '../src/core/review.ts';
import type { Reason, Severity } from '../src/core/verdict.ts';

const WORDS = ['vermin', 'invaders', 'go back', 'traitors', 'scum'];

export interface FlagInput {
  n: number;
  text?: string;
  campaign?: string;
  platform?: Mention['platform'];
  severity?: Severity;
  score?: number;
  hashtags?: string[];
  reasons?: Reason[];
  url?: string;
  handle?: string;
  /** ms since epoch of createdAt; default spreads flags a minute apart from 2026-11-25T12:00Z. */
  at?: number;
}

const BASE = Date.parse('2026-11-25T12:00:00.000Z');

/** One flag; matched word spans are real offsets into the text. */
export function makeFlag(input: FlagInput): Flag {
  const word = WORDS[input.n % WORDS.length]!;
  const text = input.text ?? `Post ${input.n}: they are ${word} and should leave #westandtogether`;
  const start = text.indexOf(word);
  const reasons: Reason[] =
    input.reasons ??
    (start >= 0
      ? [
          {
            rule: 'lexicon.dehumanising',
            explanation: 'dehumanising word',
            span: { start, end: start + word.length, text: word },
            weight: 0.6,
          },
        ]
      : [{ rule: 'pattern.hostile', explanation: 'hostile pattern' }]);
  const at = new Date(input.at ?? BASE + input.n * 60_000).toISOString();
  const platform = input.platform ?? (input.n % 2 === 0 ? 'bluesky' : 'x');
  const id =
    platform === 'bluesky'
      ? `at://did:plc:author${input.n % 7}/app.bsky.feed.post/p${input.n}`
      : `${1_000_000 + input.n}`;
  const mention: Mention = {
    platform,
    id,
    url:
      input.url ??
      (platform === 'bluesky'
        ? `https://bsky.app/profile/author${input.n % 7}.example/post/p${input.n}`
        : `https://x.com/author${input.n % 7}/status/${id}`),
    authorId: platform === 'bluesky' ? `did:plc:author${input.n % 7}` : `${500 + (input.n % 7)}`,
    authorHandle: input.handle ?? `author${input.n % 7}.example`,
    text,
    lang: 'en',
    createdAt: at,
    capturedAt: new Date(Date.parse(at) + 2000).toISOString(),
    hashtags: input.hashtags ?? ['westandtogether'],
  };
  return {
    id: `${platform}:${id}`,
    campaign: input.campaign ?? (input.n % 3 === 0 ? 'vigil' : 'westandtogether'),
    mention,
    verdict: {
      flagged: true,
      score: input.score ?? Math.round((0.5 + ((input.n * 37) % 50) / 100) * 100) / 100,
      severity: input.severity ?? (['low', 'medium', 'high'] as const)[input.n % 3]!,
      sentiment: -2.5,
      reasons,
    },
    state: 'open',
    createdAt: at,
    events: [],
  };
}

/** Texts written to break a page; each must show as plain text. */
export const HOSTILE_TEXTS: Record<string, string> = {
  script: `<script>window.__pwned = 'script'</script> go back #westandtogether`,
  img: `<img src=x onerror="window.__pwned='img'"> invaders`,
  jsLink: `<a href="javascript:window.__pwned='link'">click me</a> javascript:window.__pwned='bare'`,
  attr: `" autofocus onfocus="window.__pwned='attr' x="`,
  rtl: `Normal start \u202Egnp.exe\u202C and \u2067isolated\u2069 end`,
  zalgo: `Z${'\u0351\u0352\u0357\u0358\u035B\u0350'.repeat(20)}algo ${'e\u0300\u0301\u0302\u0303\u0304'.repeat(30)} vermin`,
  long: `${'a very long post '.repeat(588)}scum`,
  surrogate: `lone high \uD800 then lone low \uDC00 then pair \uD83D\uDE00 traitors`,
  terminal: `bell\u0007 escape \u001B[31mred\u001B[0m carriage\rreturn`,
};
