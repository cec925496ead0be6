/**
 * The normaliser's output: word tokens with their spans in the original text, and what it needs to
 * know about the lexicons (`KnownTerms`).
 */

/** Which evasion a token's spelling undid (reported in reasons so moderators see why it matched). */
export type Evasion =
  | 'leet'
  | 'symbols'
  | 'repeated'
  | 'spaced'
  | 'masked'
  | 'lookalike'
  | 'invisible'
  | 'emoji'
  | 'misspelt'
  | 'joined';

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
export function token(
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
  /** The word is a misspelling of `term` (one letter deleted, inserted or swapped). */
  misspelt?: boolean;
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
  /** The words a run of joined words stands for, when one of them is a term looked for. */
  split?(word: string): string[] | undefined;
}

export interface NormaliseOptions {
  /** Hashtags (lower case, no '#') that are not read as words, e.g. the campaign's own. */
  ignoreHashtags?: ReadonlySet<string>;
}
