/**
 * Counter-speech by structure. A hateful span is discounted only when the post reports or quotes
 * that span and judges it:
 * - the span is in quotation marks, or follows a reporting verb ("said", "calling", "chanting",
 *   "threatening to"); and
 * - the post judges it outside the span ("is disgusting", "should be in jail", "we refuse"), or
 *   forbids it ("stop calling"), or attributes it to others and goes on to say something about them
 *   ("people saying X need to ..."); or
 * - the author reports abuse aimed at them ("I was called a ...").
 * Hashtags are never part of this: a solidarity hashtag says nothing about the words before it.
 * Solidarity words in plain text are not enough either, and quotation marks around anything but
 * the hateful span (mockery: "solidarity" in scare quotes) do not count.
 */
import type { WordClass } from './lexicon.ts';
import { phraseAt } from './signals.ts';
import type { Token } from './token.ts';

/** How far before a span a reporting verb may stand ("saying that all of them are ..."). */
const REPORT_WINDOW = 4;
/** How far before a span a victim's report may stand ("I was called a dirty ..."). */
const VICTIM_WINDOW = 4;
/** Words after a span that endorse it ("people saying X are right"). */
const ENDORSE = new Set(['right', 'true', 'correct', 'agree', 'point', 'spot', 'facts', 'fact', 'based']);
/** Words that forbid the reported speech right before the reporting verb ("stop calling"). */
const FORBID = new Set(['stop', 'quit', "don't", 'dont', 'never', 'not', 'no', 'refuse', 'nobody', 'cannot']);
/** Verbs of saying or thinking that, with "I" or "we", introduce the author's own words. */
const OWN_SPEECH = new Set([
  'say',
  'says',
  'said',
  'saying',
  'think',
  'thinks',
  'believe',
  'believes',
  'claim',
]);
const FIRST_PERSON = new Set(['i', 'we', "i'd", 'id', "i'm", 'im', 'me', 'us']);
const QUOTE_CHARS = new Set(['"', '“', '”', '«', '»', '„', '‘', '’', "'"]);

export interface CounterSpeechWords {
  judgement: WordClass;
  reporting: WordClass;
  victim: WordClass;
  attribution: ReadonlySet<string>;
  /** Pronouns ("you", "they"): a span that starts with one can refer back to the reported speakers. */
  pronouns: ReadonlySet<string>;
}

export interface Span {
  first: number;
  last: number;
}

export interface CounterSpeech {
  quoted: boolean;
  /** The token where the structure was found (a judgement, a reporting verb, or a victim's report). */
  at: number;
  length: number;
}

/** Offsets of quotation marks; a single quote counts only at a word edge (not in "don't"). */
function quoteMarks(text: string): number[] {
  const marks: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!QUOTE_CHARS.has(ch)) continue;
    if (ch === "'" || ch === '’' || ch === '‘') {
      const before = i > 0 ? text[i - 1]! : ' ';
      const after = i + 1 < text.length ? text[i + 1]! : ' ';
      const letter = /[\p{L}\p{N}]/u;
      if (letter.test(before) && letter.test(after)) continue;
    }
    marks.push(i);
  }
  return marks;
}

/**
 * The span starts inside a pair of quotation marks (an odd number of marks before it, one after its
 * start): a match may run on past the closing mark ("'deport all refugees' is an answer").
 */
function inQuotes(marks: readonly number[], start: number): boolean {
  let before = 0;
  let after = false;
  for (const m of marks) {
    if (m < start) before++;
    else after = true;
  }
  return before % 2 === 1 && after;
}

function phraseIn(cls: WordClass, tokens: readonly Token[], from: number, to: number): number {
  for (let i = Math.max(0, from); i <= to && i < tokens.length; i++) {
    if (tokens[i]!.hashtag) continue;
    if (cls.words.has(tokens[i]!.norm) || phraseAt(cls, tokens, i) > 0) return i;
  }
  return -1;
}

/** Counter-speech structure over every hateful span, or undefined when one span stands as the author's own. */
export function counterSpeech(
  text: string,
  tokens: readonly Token[],
  spans: readonly Span[],
  words: CounterSpeechWords,
  negators: ReadonlySet<string>,
): CounterSpeech | undefined {
  if (spans.length === 0) return undefined;
  const marks = quoteMarks(text);
  const quotedAt = (i: number) => marks.length >= 2 && inQuotes(marks, tokens[i]!.start);
  // A span is quoted when it starts or ends inside quotation marks (a match may run past them).
  const quoted = spans.map((s) => quotedAt(s.first) || quotedAt(s.last));
  // Judgement words count outside the author's own spans and outside the quoted words.
  const inOwnSpan = (i: number) => spans.some((s, k) => !quoted[k] && i >= s.first && i <= s.last);
  let judgement = -1;
  for (let i = 0; i < tokens.length && judgement < 0; i++) {
    if (inOwnSpan(i) || tokens[i]!.hashtag || quotedAt(i)) continue;
    const t = tokens[i]!.norm;
    if (words.judgement.words.has(t) || phraseAt(words.judgement, tokens, i) > 0) judgement = i;
  }
  let found: CounterSpeech | undefined;
  let pronounSpans = 0;
  const reported: boolean[] = [];
  for (let k = 0; k < spans.length; k++) {
    const s = spans[k]!;
    const victim = phraseIn(words.victim, tokens, s.first - VICTIM_WINDOW, s.first - 1);
    if (victim >= 0) {
      found ??= { quoted: false, at: victim, length: phraseAt(words.victim, tokens, victim) || 1 };
      reported.push(true);
      continue;
    }
    // A reporting verb before the span, or inside it before its last two words ("they keep saying
    // muslims are ...").
    let verb = -1;
    for (let i = Math.max(s.first, s.last - 2); i >= Math.max(0, s.first - REPORT_WINDOW) && verb < 0; i--) {
      if (tokens[i]!.hashtag) continue;
      if (words.reporting.words.has(tokens[i]!.norm) || phraseAt(words.reporting, tokens, i) > 0) verb = i;
    }
    // "I think X", "we say X": the author's own words, unless negated ("I would never say X").
    if (verb >= 0 && OWN_SPEECH.has(tokens[verb]!.norm)) {
      let own = false;
      let negated = false;
      for (let i = Math.max(0, verb - 3); i < verb; i++) {
        const w = tokens[i]!.norm;
        if (FIRST_PERSON.has(w)) own = true;
        if (FORBID.has(w) || negators.has(w)) negated = true;
      }
      if (own && !negated) verb = -1;
    }
    if (!quoted[k] && verb < 0) {
      // "..., you are part of the problem": judged with the others, if any other span is reported.
      if (words.pronouns.has(tokens[s.first]!.norm)) {
        pronounSpans++;
        reported.push(false);
        continue;
      }
      return undefined;
    }
    let judged = judgement >= 0;
    if (!judged && verb >= 0) {
      for (let i = Math.max(0, verb - 2); i < verb && !judged; i++) {
        const w = tokens[i]!.norm;
        if (FORBID.has(w) || negators.has(w)) judged = true;
      }
      // Attributed to others, then something said about them after the span.
      let attributed = false;
      for (let i = Math.max(0, verb - 2); i < verb; i++)
        if (words.attribution.has(tokens[i]!.norm)) attributed = true;
      if (!judged && attributed) {
        let after = 0;
        let endorsed = false;
        for (let i = s.last + 1; i < tokens.length; i++) {
          if (tokens[i]!.hashtag) continue;
          after++;
          if (ENDORSE.has(tokens[i]!.norm)) endorsed = true;
        }
        judged = after >= 3 && !endorsed;
      }
    }
    if (!judged) return undefined;
    reported.push(true);
    found ??= { quoted: quoted[k]!, at: judgement >= 0 ? judgement : verb, length: 1 };
  }
  return pronounSpans < spans.length ? found : undefined;
}
