/**
 * Normalisation against evasion. Turns a post into word tokens whose `norm` is folded (compatibility
 * decomposition, case folding, diacritics, zero-width and combining marks, look-alike letters) and,
 * where an obfuscated spelling (leetspeak, repeated or spaced-out letters, symbols inside a word)
 * reveals a known term, de-obfuscated. Every token keeps its span in the original text.
 *
 * Obfuscations are only undone when the result is a known term: "h3llo" stays "h3llo", but "sh!t"
 * becomes "shit" when "shit" is in a lexicon. This keeps numbers ("101", "0800 789 321") and
 * ordinary words intact. HTML entities are decoded; @handles and links are not read as words.
 *
 * Written for speed (the monitor scores every mention): plain ASCII posts are tokenised in place,
 * and only posts with entities or non-ASCII characters go through per-character folding.
 */
import { collapseRuns, hasTriple, joinSpaced, obfuscated, reveal } from './deobfuscate.ts';
import {
  type Folded,
  fold,
  isLetterCode,
  isUpperAt,
  isWordCode,
  ODD_INSIDE_SYMBOL,
  ODD_INVISIBLE,
  ODD_LOOKALIKE,
  origEnd,
  origStart,
} from './fold.ts';
import { type Evasion, type KnownTerms, type NormaliseOptions, type Token, token } from './token.ts';

export { foldChar, foldTerm } from './fold.ts';
export type { Evasion, KnownTerms, NormaliseOptions, Resolution, SeenWord, Token } from './token.ts';

function asciiTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const ch of chars) if (ch.charCodeAt(0) < 128) table[ch.charCodeAt(0)] = 1;
  return table;
}

/** Characters stripped from the edges of a whitespace-separated chunk. */
const EDGE = new Set([...'.,?!;:"()[]{}<>«»…“”-~=/\\‘’\''].map((c) => c.charCodeAt(0)));
/** Characters that can sit inside an obfuscated word: leet symbols and separators. */
const INNER = new Set([..."@$!|+€£*.-_~'^#%"].map((c) => c.charCodeAt(0)));
const EDGE_ASCII = asciiTable([...EDGE].map((c) => String.fromCharCode(c)).join(''));
const INNER_ASCII = asciiTable([...INNER].map((c) => String.fromCharCode(c)).join(''));
const isEdge = (c: number) => (c < 128 ? EDGE_ASCII[c] === 1 : EDGE.has(c));
const APOSTROPHE = 39;

/** Shortest run of joined words looked at. */
const JOINED_MIN = 7;
const CONTRACTION = /^(\p{L}+)'(re|m|ll|ve|d)$/u;
const CONTRACTED: Record<string, string> = { re: 'are', m: 'am', ll: 'will', ve: 'have', d: 'would' };

/** Emits one plain word (folded indices a..b, apostrophes already trimmed). */
function emitWord(f: Folded, a: number, b: number, hashtag: boolean, known: KnownTerms, out: Token[]): void {
  const seen = known.resolveRange(f.s, a, b);
  const raw = seen.word;
  if (raw.indexOf("'") > 0) {
    // Contractions that carry a verb ("they're" → "they are") are split so patterns can read them.
    const cut = CONTRACTION.exec(raw);
    if (cut) {
      const mid = a + cut[1]!.length;
      emitWord(f, a, mid, hashtag, known, out);
      const expanded = CONTRACTED[cut[2]!]!;
      out.push(
        token(
          expanded,
          origEnd(f, mid - 1),
          origEnd(f, b - 1),
          undefined,
          hashtag,
          known.resolve(expanded)?.data,
        ),
      );
      return;
    }
  }
  // A known term as written (most lexicon words) needs nothing revealed, and no object for it.
  let found = Boolean(seen.term);
  let norm = found ? seen.term! : raw;
  let data = seen.data;
  let repeated = false;
  if (!found && hasTriple(raw)) {
    const revealed = reveal(raw, known, seen, true);
    if (revealed) {
      norm = revealed.term;
      data = revealed.data;
      found = true;
      repeated = revealed.repeated;
    } else {
      norm = collapseRuns(raw, 2);
      data = known.resolve(norm)?.data;
    }
  }
  // Words joined to hide a term ("killallmuslims"): one token per word, each with its own span.
  if (!found && data === undefined && b - a >= JOINED_MIN && known.split) {
    const parts = known.split(raw);
    if (parts) {
      let at = a;
      for (const part of parts) {
        const r = known.resolve(part);
        out.push(
          token(
            r?.term ?? part,
            origStart(f, at),
            origEnd(f, at + part.length - 1),
            'joined',
            hashtag,
            r?.data,
          ),
        );
        at += part.length;
      }
      return;
    }
  }
  let evasion: Evasion | undefined;
  if (repeated) evasion = 'repeated';
  else if (seen.misspelt) evasion = 'misspelt';
  else if (found && f.odd) {
    for (let k = a; k < b; k++) {
      if (f.odd[k] === ODD_INVISIBLE) evasion = 'invisible';
      else if (f.odd[k] === ODD_INSIDE_SYMBOL) evasion = 'emoji';
      else if (f.odd[k] === ODD_LOOKALIKE && evasion === undefined) evasion = 'lookalike';
    }
  }
  out.push(token(norm, origStart(f, a), origEnd(f, b - 1), evasion, hashtag, data));
}

/** Splits a chunk into plain words: letters and digits, apostrophes inside words, camel case in hashtags. */
function plainWords(
  f: Folded,
  a: number,
  b: number,
  hashtag: boolean,
  known: KnownTerms,
  out: Token[],
): void {
  const s = f.s;
  let ws = -1;
  let prevLower = false;
  for (let i = a; i <= b; i++) {
    const c = i < b ? s.charCodeAt(i) : 32;
    const wordy = i < b && (isWordCode(c, s[i]!) || (c === APOSTROPHE && ws >= 0));
    if (wordy) {
      if (hashtag) {
        const upper = isUpperAt(f, i);
        if (ws >= 0 && prevLower && upper) {
          flushWord(f, ws, i, hashtag, known, out);
          ws = -1;
        }
        prevLower = !upper && isLetterCode(c, s[i]!);
      }
      if (ws < 0) ws = i;
    } else {
      if (ws >= 0) flushWord(f, ws, i, hashtag, known, out);
      ws = -1;
      prevLower = false;
    }
  }
}

function flushWord(f: Folded, a: number, b: number, hashtag: boolean, known: KnownTerms, out: Token[]): void {
  while (a < b && f.s.charCodeAt(a) === APOSTROPHE) a++;
  while (b > a && f.s.charCodeAt(b - 1) === APOSTROPHE) b--;
  if (b > a) emitWord(f, a, b, hashtag, known, out);
}

function chunkTokens(
  f: Folded,
  a: number,
  b: number,
  known: KnownTerms,
  out: Token[],
  ignore?: ReadonlySet<string>,
): void {
  const s = f.s;
  while (a < b && isEdge(s.charCodeAt(a))) a++;
  while (b > a && isEdge(s.charCodeAt(b - 1))) b--;
  if (a >= b) return;
  let hashtag = false;
  if (s.charCodeAt(a) === 35 /* # */ && b - a > 1) {
    hashtag = true;
    a++;
    if (ignore && ignore.size > 0 && ignore.has(s.slice(a, b).replace(/[^\p{L}\p{N}_]/gu, ''))) return;
  }
  // Symbols or digits inside the chunk: it may be an obfuscated spelling. Plain lower-case ASCII
  // (most words) is one word as it stands.
  let inner = false;
  let plainLower = true;
  for (let i = a; i < b && !inner; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) continue;
    plainLower = false;
    if (c === APOSTROPHE) continue;
    if (c < 128 ? INNER_ASCII[c] === 1 || (c >= 48 && c <= 57) : INNER.has(c)) inner = true;
  }
  if (plainLower && !hashtag) {
    emitWord(f, a, b, false, known, out);
    return;
  }
  if (inner && b - a <= 40) {
    const revealed = obfuscated(f, a, b, known);
    if (revealed) {
      revealed.hashtag = hashtag;
      out.push(revealed);
      return;
    }
  }
  plainWords(f, a, b, hashtag, known, out);
}

/** Normalises a post into tokens; never throws, spans always lie inside `text`. */
export function normalise(text: string, known: KnownTerms, options: NormaliseOptions = {}): Token[] {
  const f = fold(text);
  const s = f.s;
  const tokens: Token[] = [];
  let a = -1;
  // Most chunks are plain lower-case words: those go straight to emitWord.
  let lower = true;
  for (let i = 0; i <= s.length; i++) {
    const c = i === s.length ? 32 : s.charCodeAt(i);
    if (c <= 32) {
      if (a >= 0) {
        if (lower) emitWord(f, a, i, false, known, tokens);
        else chunkTokens(f, a, i, known, tokens, options.ignoreHashtags);
      }
      a = -1;
    } else {
      if (a < 0) {
        a = i;
        lower = true;
      }
      if (lower && (c < 97 || c > 122)) lower = false;
    }
  }
  return joinSpaced(tokens, text, known);
}
