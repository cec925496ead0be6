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

/** Which evasion a token's spelling undid (reported in reasons so moderators see why it matched). */
export type Evasion = 'leet' | 'symbols' | 'repeated' | 'spaced' | 'masked' | 'lookalike' | 'invisible';

export interface Token {
  /** The normalised word. */
  norm: string;
  /** UTF-16 offsets in the original text: text.slice(start, end) is the word as written. */
  start: number;
  end: number;
  /** Set when an obfuscated spelling was undone to reach a known term. */
  evasion: Evasion | undefined;
  /** The word came from a hashtag. */
  hashtag: boolean;
  /** What `KnownTerms.resolve` attached to the normalised word (the scorer's facts about it). */
  data: unknown;
}

/** Every token has the same shape (all fields set), which keeps property access fast. */
function token(
  norm: string,
  start: number,
  end: number,
  evasion: Evasion | undefined,
  hashtag: boolean,
  data: unknown,
): Token {
  return { norm, start, end, evasion, hashtag, data };
}

/** How a word resolved: the known term it stands for, and data the caller attached to it. */
export interface Resolution {
  term: string | undefined;
  data: unknown;
}

/** A word as a string and how it resolved (see `KnownTerms.resolveRange`); both fields undefined: nothing known. */
export interface SeenWord extends Resolution {
  word: string;
}

/** What the normaliser needs to know about the lexicons: which words are terms worth revealing. */
export interface KnownTerms {
  /** The canonical term for a word (plural/suffix forms included), or undefined. */
  lookup(word: string): string | undefined;
  /** The same, with the caller's data for the word (one look-up serves both). */
  resolve(word: string): Resolution | undefined;
  /**
   * `resolve(text.slice(start, end))`, with that word as a string, looked up straight from `text`:
   * a word seen before costs no new string.
   */
  resolveRange(text: string, start: number, end: number): SeenWord;
}

export interface NormaliseOptions {
  /** Hashtags (lower case, no '#') that are not read as words, e.g. the campaign's own. */
  ignoreHashtags?: ReadonlySet<string>;
}

// Look-alike letters from other scripts that survive NFKD (Cyrillic, Greek, Latin variants).
const LOOKALIKES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  ɑ: 'a',
  ı: 'i',
  ȷ: 'j',
  ո: 'n',
  ս: 'u',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  ω: 'w',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  ŀ: 'l',
  ħ: 'h',
  '’': "'",
  '‘': "'",
  ʼ: "'",
  '`': "'",
  '´': "'",
};

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'i',
  '+': 't',
  '€': 'e',
  '£': 'l',
};

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

const ENTITY = /&(?:amp;)?(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp));/y;
// Handles and links are not the post's words (a handle can hold a slur that is not the post's content).
const HANDLE_OR_URL = /(?:https?:\/\/|www\.)\S+|(?<![\p{L}\p{N}_@])@[\p{L}\p{N}_.-]+/gu;
const INVISIBLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xe0000, 0xe007f],
];

function isInvisible(code: number): boolean {
  for (const [lo, hi] of INVISIBLE_RANGES) if (code >= lo && code <= hi) return true;
  return false;
}

const MARK = /\p{M}/gu;
const LETTER = /\p{L}/u;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

const FOLD_CACHE = new Map<string, string>();
const FOLD_CACHE_MAX = 4096;

/** Folds one code point (already decoded from entities) to zero or more lower-case characters. */
export function foldChar(cp: string): string {
  const code = cp.charCodeAt(0);
  if (cp.length === 1 && code < 128) return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : cp;
  const cached = FOLD_CACHE.get(cp);
  if (cached !== undefined) return cached;
  let out: string;
  if (isInvisible(cp.codePointAt(0)!)) out = '';
  else if (cp.length === 1 && code >= 0xd800 && code <= 0xdfff)
    out = ' '; // lone surrogate
  else {
    out = cp.normalize('NFKD').toLowerCase().replace(MARK, '');
    let mapped = '';
    for (const ch of out) mapped += LOOKALIKES[ch] ?? ch;
    out = mapped;
  }
  if (FOLD_CACHE.size >= FOLD_CACHE_MAX) FOLD_CACHE.clear();
  FOLD_CACHE.set(cp, out);
  return out;
}

const ODD_LOOKALIKE = 1;
const ODD_INVISIBLE = 2;

/** A decoded character folded, with its case and whether it is a look-alike (cached per character). */
interface CharInfo {
  folded: string;
  upper: number;
  odd: number;
}

const CHAR_CACHE = new Map<string, CharInfo>();

function describeChar(cp: string): CharInfo {
  let info = CHAR_CACHE.get(cp);
  if (info) return info;
  const folded = foldChar(cp);
  const c0 = cp.charCodeAt(0);
  const upper = (c0 < 128 ? c0 >= 65 && c0 <= 90 : cp !== cp.toLowerCase()) ? 1 : 0;
  let odd = 0;
  if (c0 >= 128 && folded !== '') {
    if (LOOKALIKES[cp] !== undefined) odd = ODD_LOOKALIKE;
    else if (cp.normalize('NFD') === cp && folded !== cp && /^[a-z]+$/.test(folded)) odd = ODD_LOOKALIKE;
  }
  info = { folded, upper, odd };
  if (CHAR_CACHE.size >= FOLD_CACHE_MAX) CHAR_CACHE.clear();
  CHAR_CACHE.set(cp, info);
  return info;
}

/**
 * The post folded to lower case, with the original span of every folded character. For plain
 * ASCII posts `starts` is null: folded index i is original index i.
 */
interface Folded {
  s: string;
  starts: Int32Array | null;
  ends: Int32Array | null;
  upper: Uint8Array | null;
  odd: Uint8Array | null;
  /** The original text (for upper case in the ASCII path). */
  text: string;
}

function maskRanges(text: string): Array<[number, number]> | undefined {
  if (text.indexOf('@') < 0 && text.indexOf('http') < 0 && text.indexOf('www.') < 0) return undefined;
  const ranges: Array<[number, number]> = [];
  HANDLE_OR_URL.lastIndex = 0;
  for (let m = HANDLE_OR_URL.exec(text); m !== null; m = HANDLE_OR_URL.exec(text)) {
    ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges.length > 0 ? ranges : undefined;
}

function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || c === 38 /* & */) return false;
  }
  return true;
}

function fold(text: string): Folded {
  const masks = maskRanges(text);
  if (isPlainAscii(text)) {
    let s = text.toLowerCase();
    if (masks) {
      // Joined from parts, not built with +=: a flat string keeps charCodeAt fast afterwards.
      const parts: string[] = [];
      let at = 0;
      for (const [a, b] of masks) {
        parts.push(s.slice(at, a), ' '.repeat(b - a));
        at = b;
      }
      parts.push(s.slice(at));
      s = parts.join('');
    }
    return { s, starts: null, ends: null, upper: null, odd: null, text };
  }
  const buf = FoldBuffer.shared(text.length);
  let m = 0;
  let i = 0;
  while (i < text.length) {
    const range = masks?.[m];
    if (range && i >= range[0]) {
      buf.push(' ', range[0], range[1], 0, 0);
      i = range[1];
      m++;
      continue;
    }
    const code = text.charCodeAt(i);
    if (code < 128 && code !== 38 /* & */) {
      // A run of plain ASCII is copied in one go.
      let j = i + 1;
      const stop = range ? range[0] : text.length;
      while (j < stop) {
        const c = text.charCodeAt(j);
        if (c >= 128 || c === 38) break;
        j++;
      }
      buf.pushAscii(text, i, j);
      i = j;
      continue;
    }
    let cp: string;
    let next: number;
    if (code === 38 /* & */) {
      ENTITY.lastIndex = i;
      const e = ENTITY.exec(text);
      if (e) {
        const num = e[1] ? Number.parseInt(e[1], 10) : e[2] ? Number.parseInt(e[2], 16) : -1;
        if (num >= 0)
          cp = num <= 0x10ffff && !(num >= 0xd800 && num <= 0xdfff) ? String.fromCodePoint(num) : ' ';
        else cp = NAMED_ENTITIES[e[3]!.toLowerCase()] ?? ' ';
        next = i + e[0].length;
      } else {
        cp = '&';
        next = i + 1;
      }
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      next = low >= 0xdc00 && low <= 0xdfff ? i + 2 : i + 1;
      cp = text.slice(i, next);
    } else {
      cp = text[i]!;
      next = i + 1;
    }
    const c = describeChar(cp);
    for (let k = 0; k < c.folded.length; k++) buf.push(c.folded[k]!, i, next, c.upper, c.odd);
    if (c.folded === '') buf.markInvisible();
    i = next;
  }
  return buf.done(text);
}

/** Grows the folded text and its position maps as characters are added. */
class FoldBuffer {
  /**
   * The folded text in pieces, joined once at the end: a string grown with += is a deep tree of
   * pieces, which the first charCodeAt must flatten (and later ones see through).
   */
  parts: string[] = [];
  len = 0;
  starts: Int32Array;
  ends: Int32Array;
  upper: Uint8Array;
  odd: Uint8Array;

  private static reused: FoldBuffer | undefined;

  /** One buffer reused for every post (normalise is synchronous and copies out what it keeps). */
  static shared(size: number): FoldBuffer {
    const buf =
      FoldBuffer.reused && FoldBuffer.reused.starts.length >= size + 16
        ? FoldBuffer.reused
        : new FoldBuffer(size);
    // Very long posts get a buffer of their own, so memory does not stay high afterwards.
    if (size < 100_000) FoldBuffer.reused = buf;
    buf.parts = [];
    buf.len = 0;
    return buf;
  }

  constructor(size: number) {
    const cap = size + 16;
    this.starts = new Int32Array(cap);
    this.ends = new Int32Array(cap);
    this.upper = new Uint8Array(cap);
    this.odd = new Uint8Array(cap);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.starts.length) return;
    const cap = (this.len + extra) * 2;
    const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.starts = grow(this.starts, (n) => new Int32Array(n));
    this.ends = grow(this.ends, (n) => new Int32Array(n));
    this.upper = grow(this.upper, (n) => new Uint8Array(n));
    this.odd = grow(this.odd, (n) => new Uint8Array(n));
  }

  push(ch: string, start: number, end: number, upper: number, odd: number): void {
    this.ensure(1);
    this.parts.push(ch);
    this.starts[this.len] = start;
    this.ends[this.len] = end;
    this.upper[this.len] = upper;
    this.odd[this.len] = odd;
    this.len++;
  }

  pushAscii(text: string, a: number, b: number): void {
    this.ensure(b - a);
    this.parts.push(text.slice(a, b).toLowerCase());
    for (let k = a; k < b; k++) {
      const c = text.charCodeAt(k);
      this.starts[this.len] = k;
      this.ends[this.len] = k + 1;
      this.upper[this.len] = c >= 65 && c <= 90 ? 1 : 0;
      this.odd[this.len] = 0;
      this.len++;
    }
  }

  markInvisible(): void {
    if (this.len > 0) this.odd[this.len - 1] = ODD_INVISIBLE;
  }

  done(text: string): Folded {
    return {
      s: this.parts.join(''),
      starts: this.starts,
      ends: this.ends,
      upper: this.upper,
      odd: this.odd,
      text,
    };
  }
}

function origStart(f: Folded, i: number): number {
  return f.starts ? f.starts[i]! : i;
}

function origEnd(f: Folded, i: number): number {
  // End of the folded character at index i.
  return f.ends ? f.ends[i]! : i + 1;
}

function isUpperAt(f: Folded, i: number): boolean {
  if (f.upper) return f.upper[i] === 1;
  const c = f.text.charCodeAt(i);
  return c >= 65 && c <= 90;
}

function isLetterCode(c: number, ch: string): boolean {
  if (c < 128) return c >= 97 && c <= 122;
  return LETTER.test(ch);
}

function isWordCode(c: number, ch: string): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
  return LETTER_OR_NUMBER.test(ch);
}

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
const STAR = 42;
const APOSTROPHE = 39;

function hasTriple(word: string): boolean {
  for (let i = 2; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === word.charCodeAt(i - 1) && c === word.charCodeAt(i - 2)) return true;
  }
  return false;
}

function collapseRuns(word: string, max: number): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < word.length; i++) {
    const ch = word[i]!;
    run = i > 0 && word[i - 1] === ch ? run + 1 : 1;
    if (run <= max) out += ch;
  }
  return out;
}

interface Revealed {
  term: string;
  repeated: boolean;
  data: unknown;
}

/** Finds the term a word stands for, trying repeated-letter collapses; reports which evasion it undid. */
function reveal(
  word: string,
  known: KnownTerms,
  direct = known.resolve(word),
  triple = hasTriple(word),
): Revealed | undefined {
  if (direct?.term) return { term: direct.term, repeated: false, data: direct.data };
  // Only deliberate stretching (a letter three or more times) is undone: "aan" is not "an".
  if (!triple) return undefined;
  const two = collapseRuns(word, 2);
  const r2 = known.resolve(two);
  if (r2?.term) return { term: r2.term, repeated: true, data: r2.data };
  const one = collapseRuns(word, 1);
  if (one !== two) {
    const r1 = known.resolve(one);
    if (r1?.term) return { term: r1.term, repeated: true, data: r1.data };
  }
  return undefined;
}

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
  let evasion: Evasion | undefined;
  if (repeated) evasion = 'repeated';
  else if (found && f.odd) {
    for (let k = a; k < b; k++) {
      if (f.odd[k] === ODD_INVISIBLE) evasion = 'invisible';
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

/** The obfuscated reading of a chunk (leet symbols to letters, separators dropped), if it is a known term. */
function obfuscated(f: Folded, a: number, b: number, known: KnownTerms): Token | undefined {
  let joined = '';
  let masked = false;
  let sawLeet = false;
  let letters = 0;
  for (let i = a; i < b; i++) {
    const ch = f.s[i]!;
    const c = ch.charCodeAt(0);
    if (isLetterCode(c, ch)) {
      joined += ch;
      letters++;
    } else if (LEET[ch] !== undefined) {
      joined += LEET[ch];
      sawLeet = true;
    } else if (c === STAR || ch === '#' || ch === '%') {
      joined += '*';
      masked = true;
    }
  }
  if (letters === 0) return undefined;
  const start = origStart(f, a);
  const end = origEnd(f, b - 1);
  if (masked) {
    if (letters < 2) return undefined;
    const res = known.resolve(joined.replace(/\*+/g, '*'));
    return res?.term ? token(res.term, start, end, 'masked', false, res.data) : undefined;
  }
  const found = reveal(joined, known);
  if (!found) return undefined;
  return token(
    found.term,
    start,
    end,
    sawLeet ? 'leet' : found.repeated ? 'repeated' : 'symbols',
    false,
    found.data,
  );
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

const SPACED_GAP = /^[\s.\-_*]*$/u;

/** Joins runs of single letters ("f a g" or "f.a.g" split by spaces) when they spell a known term. */
function joinSpaced(tokens: Token[], text: string, known: KnownTerms): Token[] {
  let singles = 0;
  for (const t of tokens) if (t.norm.length === 1) singles++;
  if (singles < 3) return tokens;
  const out: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.norm.length === 1 && isLetterCode(t.norm.charCodeAt(0), t.norm)) {
      let j = i + 1;
      while (
        j < tokens.length &&
        tokens[j]!.norm.length <= 2 &&
        isLetterCode(tokens[j]!.norm.charCodeAt(0), tokens[j]!.norm[0]!) &&
        tokens[j]!.start - tokens[j - 1]!.end <= 3 &&
        SPACED_GAP.test(text.slice(tokens[j - 1]!.end, tokens[j]!.start))
      ) {
        j++;
      }
      let matched = false;
      // Longest prefix of the run that spells a term.
      for (let k = j; k - i >= 3 && !matched; k--) {
        let word = '';
        for (let x = i; x < k; x++) word += tokens[x]!.norm;
        const found = reveal(word, known);
        if (found) {
          out.push(token(found.term, t.start, tokens[k - 1]!.end, 'spaced', false, found.data));
          i = k;
          matched = true;
        }
      }
      if (matched) continue;
    }
    out.push(t);
    i++;
  }
  return out;
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

/** Folds a lexicon entry the same way post text is folded (used when compiling lexicons). */
export function foldTerm(term: string): string {
  let out = '';
  for (const ch of term) out += foldChar(ch);
  return out.replace(/\s+/g, ' ').trim();
}
