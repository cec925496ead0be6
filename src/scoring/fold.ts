/**
 * Folding: HTML entities decoded, compatibility decomposition, case folding, diacritics, zero-width
 * and combining marks dropped, look-alike letters from other scripts mapped to Latin. Handles and
 * links are blanked out. Every folded character keeps its span in the original text.
 *
 * Plain ASCII posts are folded in place (one toLowerCase); only posts with entities or non-ASCII
 * characters go through per-character folding.
 */

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

/**
 * Emoji that stand for a group, a weapon, an animal used to dehumanise, disgust or exclusion, read
 * as the word they stand for (a separate word: "muslims🐀" is "muslims rat"), so the patterns that
 * read words read them too.
 */
const EMOJI_WORDS: Record<string, string> = {
  '🌈': ' gays ',
  '⚧': ' trans ',
  '☪': ' muslims ',
  '🧕': ' muslims ',
  '🕌': ' mosque ',
  '✡': ' jews ',
  '🕍': ' synagogue ',
  '♿': ' disabled ',
  '♀': ' women ',
  '🚺': ' women ',
  '🏿': ' black ',
  '🏾': ' black ',
  '⛪': ' church ',
  '🛕': ' temple ',
  '🔪': ' knife ',
  '🗡': ' dagger ',
  '⚔': ' sword ',
  '🪓': ' axe ',
  '💣': ' bomb ',
  '🧨': ' bomb ',
  '🔫': ' gun ',
  '🪢': ' noose ',
  '🔥': ' burn ',
  '⚰': ' die ',
  '🪦': ' die ',
  '☠': ' die ',
  '🐀': ' rat ',
  '🐁': ' rat ',
  '🐭': ' rat ',
  '🐒': ' monkey ',
  '🐵': ' monkey ',
  '🙈': ' monkey ',
  '🙉': ' monkey ',
  '🙊': ' monkey ',
  '🦍': ' ape ',
  '🦧': ' ape ',
  '🐷': ' pig ',
  '🐖': ' pig ',
  '🐽': ' pig ',
  '🐗': ' pig ',
  '🪳': ' cockroach ',
  '🦠': ' virus ',
  '🐍': ' snake ',
  '🐛': ' maggot ',
  '🪱': ' worm ',
  '🦟': ' pest ',
  '🪰': ' pest ',
  '🐜': ' insect ',
  '🦗': ' insect ',
  '🐕': ' dog ',
  '🐶': ' dog ',
  '💩': ' shit ',
  '🗑': ' trash ',
  '🚮': ' trash ',
  '🤡': ' clown ',
  '🤮': ' disgusting ',
  '🤢': ' disgusting ',
  '🚫': ' ban ',
  '⛔': ' ban ',
  '✈': ' deport ',
  '❤': ' love ',
  '💕': ' love ',
  '💖': ' love ',
  '😍': ' love ',
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
  else if (EMOJI_WORDS[cp] !== undefined) out = EMOJI_WORDS[cp]!;
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

export const ODD_LOOKALIKE = 1;
export const ODD_INVISIBLE = 2;
/** An emoji or symbol written inside a word ("mus🐷lims"): dropped, and the word marked. */
export const ODD_INSIDE_SYMBOL = 3;

const PICTOGRAPHIC = /^[\p{Extended_Pictographic}\p{So}]$/u;
/** Emoji modifiers, variation selectors and joiners that may follow an emoji inside a word. */
const EMOJI_TAIL = /^[\u{1F3FB}-\u{1F3FF}\u{FE0E}\u{FE0F}\u{200D}]$/u;

/** The code point at `i` (a surrogate pair as one string). */
function codePointAt(text: string, i: number): string {
  const code = text.charCodeAt(i);
  if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return text.slice(i, i + 2);
  }
  return text[i] ?? '';
}

/**
 * The end of an emoji (with its modifiers and joined emoji) that starts at `i` and sits between
 * two letters of one word, or -1. Such an emoji hides a word ("ref🔪ugees"); elsewhere an emoji
 * stands for itself (and may be read as a word).
 */
function emojiInsideWord(text: string, i: number): number {
  if (i === 0 || !LETTER.test(text[i - 1]!)) return -1;
  let j = i;
  let seen = 0;
  while (j < text.length) {
    const cp = codePointAt(text, j);
    if (PICTOGRAPHIC.test(cp)) seen++;
    else if (!EMOJI_TAIL.test(cp)) break;
    j += cp.length;
  }
  if (seen === 0 || seen > 3 || j >= text.length) return -1;
  return LETTER.test(codePointAt(text, j)) ? j : -1;
}

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
export interface Folded {
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

export function fold(text: string): Folded {
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
    if (code >= 0xa0) {
      const end = emojiInsideWord(text, i);
      if (end > 0) {
        buf.markOdd(ODD_INSIDE_SYMBOL);
        i = end;
        continue;
      }
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
    this.markOdd(ODD_INVISIBLE);
  }

  /** Marks the last character pushed (a character dropped after it hid a word). */
  markOdd(kind: number): void {
    if (this.len > 0) this.odd[this.len - 1] = kind;
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

export function origStart(f: Folded, i: number): number {
  return f.starts ? f.starts[i]! : i;
}

export function origEnd(f: Folded, i: number): number {
  // End of the folded character at index i.
  return f.ends ? f.ends[i]! : i + 1;
}

export function isUpperAt(f: Folded, i: number): boolean {
  if (f.upper) return f.upper[i] === 1;
  const c = f.text.charCodeAt(i);
  return c >= 65 && c <= 90;
}

export function isLetterCode(c: number, ch: string): boolean {
  if (c < 128) return c >= 97 && c <= 122;
  return LETTER.test(ch);
}

export function isWordCode(c: number, ch: string): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
  return LETTER_OR_NUMBER.test(ch);
}

/** Folds a lexicon entry the same way post text is folded (used when compiling lexicons). */
export function foldTerm(term: string): string {
  let out = '';
  for (const ch of term) out += foldChar(ch);
  return out.replace(/\s+/g, ' ').trim();
}
