/**
 * Normalisation against evasion. Turns a post into word tokens whose `norm` is folded (compatibility
 * decomposition, case folding, diacritics, zero-width and combining marks, look-alike letters) and,
 * where an obfuscated spelling (leetspeak, repeated or spaced-out letters, symbols inside a word)
 * reveals a known term, de-obfuscated. Every token keeps its span in the original text.
 *
 * Obfuscations are only undone when the result is a known term: "h3llo" stays "h3llo", but "sh!t"
 * becomes "shit" when "shit" is in a lexicon. This keeps numbers ("101", "0800 789 321") and
 * ordinary words intact.
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
  evasion?: Evasion;
  /** The word came from a hashtag. */
  hashtag?: boolean;
}

/** What the normaliser needs to know about the lexicons: which words are terms worth revealing. */
export interface KnownTerms {
  /** The canonical term for a word (plural/suffix forms included), or undefined. */
  lookup(word: string): string | undefined;
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
// Invisible characters dropped from words: soft hyphen, joiners, direction marks, variation selectors...
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
const SPACE = /\s/u;

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

/** One folded character with the original span it came from. */
interface Unit {
  ch: string;
  start: number;
  end: number;
  upper: boolean;
  /** It came from a look-alike letter or sits before an invisible character (for reporting). */
  odd: 'lookalike' | 'invisible' | undefined;
}

function decodeUnits(text: string): Unit[] {
  const units: Unit[] = [];
  const skip: Array<[number, number]> = [];
  HANDLE_OR_URL.lastIndex = 0;
  for (let m = HANDLE_OR_URL.exec(text); m !== null; m = HANDLE_OR_URL.exec(text)) {
    skip.push([m.index, m.index + m[0].length]);
  }
  let s = 0;
  let i = 0;
  while (i < text.length) {
    const range = skip[s];
    if (range && i >= range[0]) {
      units.push({ ch: ' ', start: range[0], end: range[1], upper: false, odd: undefined });
      i = range[1];
      s++;
      continue;
    }
    const code = text.charCodeAt(i);
    let cp: string;
    let next: number;
    if (code === 38 /* & */) {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(text);
      if (m) {
        const num = m[1] ? Number.parseInt(m[1], 10) : m[2] ? Number.parseInt(m[2], 16) : -1;
        cp =
          num >= 0
            ? num <= 0x10ffff && !(num >= 0xd800 && num <= 0xdfff)
              ? String.fromCodePoint(num)
              : ' '
            : (NAMED_ENTITIES[m[3]!.toLowerCase()] ?? ' ');
        next = i + m[0].length;
      } else {
        cp = '&';
        next = i + 1;
      }
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = text.slice(i, i + 2);
        next = i + 2;
      } else {
        cp = text[i]!;
        next = i + 1;
      }
    } else {
      cp = text[i]!;
      next = i + 1;
    }
    const folded = foldChar(cp);
    const upper = code < 128 ? code >= 65 && code <= 90 : cp !== cp.toLowerCase();
    let odd: Unit['odd'];
    if (code >= 128 && folded !== '') {
      if (LOOKALIKES[cp] !== undefined) odd = 'lookalike';
      else if (cp.normalize('NFD') === cp && folded !== cp && /^[a-z]+$/.test(folded)) odd = 'lookalike';
    }
    for (const ch of folded) units.push({ ch, start: i, end: next, upper, odd });
    if (folded === '' && units.length > 0) units[units.length - 1]!.odd = 'invisible';
    i = next;
  }
  return units;
}

function isWordChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
  return LETTER.test(ch) || /\p{N}/u.test(ch);
}

function isLetter(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return c >= 97 && c <= 122;
  return LETTER.test(ch);
}

/** Characters that can sit inside an obfuscated word: leet symbols and separators. */
const INNER = new Set(['@', '$', '!', '|', '+', '€', '£', '*', '.', '-', '_', '~', "'", '^', '#', '%']);

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

/** Finds the term a word stands for, trying repeated-letter collapses; reports which evasion it undid. */
function reveal(word: string, known: KnownTerms): { term: string; repeated: boolean } | undefined {
  const direct = known.lookup(word);
  if (direct) return { term: direct, repeated: false };
  // Only deliberate stretching (a letter three or more times) is undone: "aan" is not "an".
  if (!/(.)\1\1/u.test(word)) return undefined;
  const two = collapseRuns(word, 2);
  if (two !== word) {
    const t = known.lookup(two);
    if (t) return { term: t, repeated: true };
  }
  const one = collapseRuns(word, 1);
  if (one !== two) {
    const t = known.lookup(one);
    if (t) return { term: t, repeated: true };
  }
  return undefined;
}

interface Chunk {
  units: Unit[];
}

function splitChunks(units: Unit[]): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Unit[] = [];
  for (const u of units) {
    if (u.ch === ' ' || SPACE.test(u.ch)) {
      if (current.length > 0) chunks.push({ units: current });
      current = [];
    } else current.push(u);
  }
  if (current.length > 0) chunks.push({ units: current });
  return chunks;
}

const CONTRACTION = /^(\p{L}+)'(re|m|ll|ve|d)$/u;
const CONTRACTED: Record<string, string> = { re: 'are', m: 'am', ll: 'will', ve: 'have', d: 'would' };

function plainWords(
  units: Unit[],
  hashtag: boolean,
  out: Token[],
  known: KnownTerms,
  ignore?: ReadonlySet<string>,
): void {
  // Runs of letters/digits (apostrophes inside words kept), split at camel case inside hashtags.
  let word = '';
  let start = -1;
  let ends: number[] = [];
  let odd: Unit['odd'];
  const emit = (raw: string, s: number, e: number) => {
    // Repeated letters ("loooser") or a look-alike/invisible character inside a known term.
    const found = reveal(raw, known);
    const token: Token = { norm: found ? found.term : collapseRuns(raw, 2), start: s, end: e };
    if (hashtag) token.hashtag = true;
    if (found?.repeated) token.evasion = 'repeated';
    else if (found && odd) token.evasion = odd;
    out.push(token);
  };
  const flush = () => {
    if (word.length > 0) {
      let a = 0;
      let b = word.length;
      while (a < b && word[a] === "'") a++;
      while (b > a && word[b - 1] === "'") b--;
      if (b > a) {
        const trimmed = word.slice(a, b);
        const s = a === 0 ? start : ends[a - 1]!;
        const e = ends[b - 1]!;
        // Contractions that carry a verb ("they're" → "they are") are split so patterns can read them.
        const cut = CONTRACTION.exec(trimmed);
        if (cut && cut[1]!.length > 0) {
          const mid = ends[a + cut[1]!.length - 1]!;
          emit(cut[1]!, s, mid);
          emit(CONTRACTED[cut[2]!]!, mid, e);
        } else emit(trimmed, s, e);
      }
    }
    word = '';
    start = -1;
    ends = [];
    odd = undefined;
  };
  let prevLower = false;
  for (const u of units) {
    const wordy = isWordChar(u.ch) || (u.ch === "'" && word.length > 0);
    if (!wordy) {
      flush();
      prevLower = false;
      continue;
    }
    if (hashtag && u.upper && prevLower) flush();
    if (start < 0) start = u.start;
    word += u.ch;
    ends.push(u.end);
    if (u.odd) odd = u.odd;
    prevLower = !u.upper && isLetter(u.ch);
  }
  flush();
  if (hashtag && ignore && ignore.size > 0) {
    // Drop ignored hashtags as a whole (the campaign's own tags are not content).
    const whole = units
      .map((u) => u.ch)
      .join('')
      .replace(/[^\p{L}\p{N}_]/gu, '');
    if (ignore.has(whole)) {
      for (let i = out.length - 1; i >= 0 && out[i]!.start >= units[0]!.start; i--) out.pop();
    }
  }
}

const EDGE_PUNCT = new Set([
  '.',
  ',',
  '?',
  '!',
  ';',
  ':',
  '"',
  "'",
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '<',
  '>',
  '«',
  '»',
  '…',
  '“',
  '”',
  '-',
  '~',
  '*',
  '=',
  '/',
  '\\',
]);

function chunkTokens(chunk: Chunk, known: KnownTerms, out: Token[], ignore?: ReadonlySet<string>): void {
  let units = chunk.units;
  let a = 0;
  let b = units.length;
  while (a < b && EDGE_PUNCT.has(units[a]!.ch) && units[a]!.ch !== '*') a++;
  while (b > a && EDGE_PUNCT.has(units[b - 1]!.ch) && units[b - 1]!.ch !== '*') b--;
  units = units.slice(a, b);
  if (units.length === 0) return;
  let hashtag = false;
  if (units[0]!.ch === '#' && units.length > 1) {
    hashtag = true;
    units = units.slice(1);
  }
  let plain = true;
  let letters = 0;
  for (const u of units) {
    if (isLetter(u.ch) || u.ch === "'") letters += u.ch === "'" ? 0 : 1;
    else if (!(u.ch >= '0' && u.ch <= '9') || INNER.has(u.ch)) plain = false;
    if (u.ch >= '0' && u.ch <= '9') plain = false;
  }
  if (!plain && letters >= 1 && units.length <= 40) {
    // Try the obfuscated reading of the whole chunk: leet symbols to letters, separators removed.
    let joined = '';
    let masked = false;
    let sawLeet = false;
    for (const u of units) {
      if (isLetter(u.ch)) joined += u.ch;
      else if (LEET[u.ch] !== undefined) {
        joined += LEET[u.ch];
        sawLeet = true;
      } else if (u.ch === '*' || u.ch === '#' || u.ch === '%') {
        joined += '*';
        masked = true;
      } else if (u.ch === "'") joined += "'";
    }
    const candidates: string[] = [joined];
    if (joined.includes("'")) candidates.push(joined.replace(/'/g, ''));
    for (const candidate of candidates) {
      const found = masked ? undefined : reveal(candidate, known);
      if (found) {
        const evasion: Evasion = sawLeet ? 'leet' : found.repeated ? 'repeated' : 'symbols';
        out.push({
          norm: found.term,
          start: units[0]!.start,
          end: units[units.length - 1]!.end,
          evasion,
          ...(hashtag ? { hashtag } : {}),
        });
        return;
      }
    }
    if (masked && letters >= 2) {
      const term = known.lookup(joined.replace(/\*+/g, '*'));
      if (term) {
        out.push({
          norm: term,
          start: units[0]!.start,
          end: units[units.length - 1]!.end,
          evasion: 'masked',
        });
        return;
      }
    }
  }
  plainWords(units, hashtag, out, known, ignore);
}

/** Joins runs of single letters ("f a g" or "f.a.g" split by spaces) when they spell a known term. */
function joinSpaced(tokens: Token[], text: string, known: KnownTerms): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.norm.length === 1 && isLetter(t.norm)) {
      let j = i + 1;
      while (
        j < tokens.length &&
        tokens[j]!.norm.length <= 2 &&
        isLetter(tokens[j]!.norm[0]!) &&
        tokens[j]!.start - tokens[j - 1]!.end <= 3 &&
        /^[\s.\-_*]*$/u.test(text.slice(tokens[j - 1]!.end, tokens[j]!.start))
      ) {
        j++;
      }
      if (j - i >= 3) {
        // Longest prefix of the run that spells a term.
        let matched = false;
        for (let k = j; k - i >= 3; k--) {
          const word = tokens
            .slice(i, k)
            .map((x) => x.norm)
            .join('');
          const found = reveal(word, known);
          if (found) {
            out.push({ norm: found.term, start: t.start, end: tokens[k - 1]!.end, evasion: 'spaced' });
            i = k;
            matched = true;
            break;
          }
        }
        if (matched) continue;
      }
    }
    out.push(t);
    i++;
  }
  return out;
}

/** Normalises a post into tokens; never throws, spans always lie inside `text`. */
export function normalise(text: string, known: KnownTerms, options: NormaliseOptions = {}): Token[] {
  const units = decodeUnits(text);
  const tokens: Token[] = [];
  for (const chunk of splitChunks(units)) chunkTokens(chunk, known, tokens, options.ignoreHashtags);
  return joinSpaced(tokens, text, known);
}

/** Folds a lexicon entry the same way post text is folded (used when compiling lexicons). */
export function foldTerm(term: string): string {
  let out = '';
  for (const ch of term) out += foldChar(ch);
  return out.replace(/\s+/g, ' ').trim();
}
