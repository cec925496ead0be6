/**
 * The tables score() reads: everything known about a word, by word number, per language; model
 * tags as small numbers; the word-pair hash table. Built once by `compile.ts`.
 */

import type { CounterSpeechWords } from './context.ts';
import type { CompiledPattern, Lexicon, Slur, WordClass } from './lexicon.ts';
import type { Model } from './model.ts';

export const SLUR_TAG = { high: 'slur_high', medium: 'slur_medium', low: 'slur_low' } as const;
/**
 * The model's tags as small numbers, so a post's tags fit a reused typed array: 0 no tag, HIDDEN a
 * word the model must not read (the `null` of `Tags`), then one code per slur severity.
 */
export const TAG_HIDDEN = 1;
export const TAG_CODE = { high: 2, medium: 3, low: 4 } as const;
export const TAG_NAMES: ReadonlyArray<string | undefined> = [
  undefined,
  undefined,
  SLUR_TAG.high,
  SLUR_TAG.medium,
  SLUR_TAG.low,
];
/** The model reads a post only when one of these classes (or a slur) occurs in it. */
export const GATE_CLASSES = [
  'identity',
  'profanity',
  'dehumanising',
  'trait',
  'threat',
  'groupref',
  'exclusion',
];
export const QUANTIFIERS = new Set(['all', 'every', 'tous', 'toutes', 'alle', 'allemaal']);

/** What one lexicon says about one word. */
export interface LexWord {
  /** Bits of the pattern-relevant classes the word belongs to (or starts a phrase of). */
  mask: number;
  /** The word itself (not a phrase it starts) is in a class that lets the model read the post. */
  gate: boolean;
  slur: Slur | undefined;
  identity: boolean;
  identityPhrase: boolean;
  weakref: boolean;
  negator: boolean;
  /** Bits of the patterns whose first element is this literal word. */
  firstWords: number;
  /** The word is, or starts, a counter-speech cue / a reporting verb. */
  cue: boolean;
  reporting: boolean;
  /** The word is, or starts, a phrase naming the perpetrators as individuals ("the gunman"). */
  target: boolean;
  /** The fitted model's weight for the word. */
  modelWord: number | undefined;
  /** This word's number in the model's pair table (0: in no pair). */
  pairId: number;
}

/** Everything known about one word, across languages. */
export interface WordInfo {
  afinn: number;
  afinnNegator: boolean;
  quantifier: boolean;
  /** Per language index: detection votes (function word, identity term or slur). */
  langVote: number;
  lex: Array<LexWord | undefined>;
}

/** `WordTable.flags` bits. */
export const AFINN_NEGATOR = 1;
export const QUANTIFIER = 2;
/** `LanguageWords.flags` bits: the `LexWord` booleans score() reads. */
export const GATE = 1;
export const IDENTITY = 2;
export const IDENTITY_PHRASE = 4;
export const WEAKREF = 8;
export const CUE = 16;
export const REPORTING = 32;
export const TARGET = 64;

/**
 * Everything known about words, by word number: the normaliser hands score() each word's number,
 * and score() reads these arrays (compact, no pointers to follow) instead of per-word objects.
 * Word number 0 is every word nothing is known about: all its entries are zero (or NaN, undefined).
 * Built once, after construction, from the `WordInfo` / `LexWord` entries.
 */
export interface WordTable {
  afinn: Float64Array;
  flags: Uint8Array;
  langVote: Int32Array;
}

/** What one lexicon says about every word, by word number (see `LexWord`). */
export interface LanguageWords {
  mask: Int32Array;
  firstWords: Int32Array;
  flags: Int32Array;
  /** The word's slur in this lexicon, else in the default language's. */
  slur: Array<Slur | undefined>;
  /** NaN: the model has no weight for the word. */
  modelWord: Float64Array;
  modelEpoch: Int32Array;
  pairId: Int32Array;
}

export function languageWords(size: number): LanguageWords {
  return {
    mask: new Int32Array(size),
    firstWords: new Int32Array(size),
    flags: new Int32Array(size),
    slur: Array.from({ length: size }, () => undefined),
    modelWord: new Float64Array(size).fill(Number.NaN),
    modelEpoch: new Int32Array(size),
    pairId: new Int32Array(size),
  };
}

/** A compiled lexicon with its class bits and model, ready for scoring. */
export interface Language {
  /** The lexicon's counter-speech words, for `counterSpeech()`. */
  counterSpeech: CounterSpeechWords;
  /** The lexicon's facts by word number (filled in once every language is added). */
  words: LanguageWords;
  /** Classes score() reads for every post. */
  identity: WordClass;
  weakref: WordClass;
  groupref: WordClass;
  index: number;
  lex: Lexicon;
  model: Model | undefined;
  bits: Map<string, number>;
  groupBit: number;
  /** Model tag weights by tag code (`TAG_CODE`). */
  tagWeights: Array<Weight | undefined>;
  /** Model word pairs by first * PAIR_BASE + second word number. */
  pairs: PairTable;
  patterns: Array<CompiledPattern & { requiresMask: number; firstBit: number; firstWordBit: number }>;
}

/** A model weight that remembers the last post it was added for (features count once per post). */
export interface Weight {
  weight: number;
  epoch: number;
}

/** Word numbers stay below this (the model has far fewer words), so pair keys stay small integers. */
export const PAIR_BASE = 1 << 15;

/**
 * Model word-pair weights by pair key (first * PAIR_BASE + second pair number), in an
 * open-addressing table over typed arrays: nearly every word pair of a post is looked up, and this
 * is cheaper than a Map of numbers. Each slot also remembers the last post (epoch) that counted it.
 */
export class PairTable {
  /** 0 marks an empty slot: pair numbers start at 1, so no key is 0. */
  private readonly keys: Int32Array;
  readonly weights: Float64Array;
  readonly epochs: Int32Array;
  private readonly shift: number;

  constructor(entries: ReadonlyMap<number, number>) {
    let bits = 3;
    while (1 << bits < entries.size * 2) bits++;
    this.keys = new Int32Array(1 << bits);
    this.weights = new Float64Array(1 << bits);
    this.epochs = new Int32Array(1 << bits);
    this.shift = 32 - bits;
    for (const [key, weight] of entries) {
      let slot = this.home(key);
      while (this.keys[slot] !== 0) slot = (slot + 1) & (this.keys.length - 1);
      this.keys[slot] = key;
      this.weights[slot] = weight;
    }
  }

  /** Where a key's probe starts: the top bits of a multiplicative (Fibonacci) hash. */
  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** The slot holding `key`, or -1. */
  find(key: number): number {
    const mask = this.keys.length - 1;
    for (let slot = this.home(key); ; slot = (slot + 1) & mask) {
      const k = this.keys[slot]!;
      if (k === key) return slot;
      if (k === 0) return -1;
    }
  }
}
