/**
 * The scorer: normalise → signals (lexicons, patterns, fitted model, context, sentiment) → Verdict.
 * Pure: everything it needs (lexicons, model, AFINN labels) comes in as `ScoringData`.
 *
 * Speed matters (the monitor scores every mention of a trending hashtag), so everything known about
 * a word is gathered once, at construction, into one table: a post costs one look-up per word.
 */
import { DEFAULT_THRESHOLD } from './config.ts';
import type { CompiledPattern, Element, Lexicon, Slur, WordClass } from './lexicon.ts';
import { TermIndex } from './lexicon.ts';
import { extractFeatures, type Model } from './model.ts';
import { foldTerm, type NormaliseOptions, normalise, type Token } from './normalise.ts';
import type { Reason, ScoreOptions, Severity, Verdict } from './types.ts';

export interface ScoringData {
  lexicons: ReadonlyMap<string, Lexicon>;
  /** Fitted models by language (English only for now). */
  models: ReadonlyMap<string, Model>;
  /** AFINN-165 word scores and negators, from the `sentiment` package. */
  afinn: ReadonlyMap<string, number>;
  afinnNegators: ReadonlySet<string>;
}

/** How much a counter-speech context keeps of the score (quoting or reporting abuse to condemn it). */
const COUNTER_SPEECH_FACTOR = 0.3;
/** How much abuse aimed at the perpetrators as individuals keeps of the score (no group, no slur named). */
const INDIVIDUAL_TARGET_FACTOR = COUNTER_SPEECH_FACTOR;
/** Slur weights where no model is fitted for the language (with a model, slurs count through it). */
const SLUR_WEIGHT = { high: 0.55, medium: 0.4, low: 0.25 } as const;
const RECLAIMABLE_WEIGHT = 0.1;
const SLUR_WEIGHT_WITH_MODEL = { high: 0.2, medium: 0.1, low: 0 } as const;
const NEGATION_LOOKBEHIND = 2;
/** A post-initial negator before these is a rhetorical question ("Shouldn't we ..."), not a negation. */
const RHETORICAL = new Set(['we', 'you', 'i', 'they', 'it']);
const DEFAULT_LANGUAGE = 'en';
/** Reasons from the model: at most this many features, each with a positive weight. */
const MODEL_REASONS = 3;
const SLUR_TAG = { high: 'slur_high', medium: 'slur_medium', low: 'slur_low' } as const;
/**
 * The model's tags as small numbers, so a post's tags fit a reused typed array: 0 no tag, HIDDEN a
 * word the model must not read (the `null` of `Tags`), then one code per slur severity.
 */
const TAG_HIDDEN = 1;
const TAG_CODE = { high: 2, medium: 3, low: 4 } as const;
const TAG_NAMES: ReadonlyArray<string | undefined> = [
  undefined,
  undefined,
  SLUR_TAG.high,
  SLUR_TAG.medium,
  SLUR_TAG.low,
];
/** The model reads a post only when one of these classes (or a slur) occurs in it. */
const GATE_CLASSES = ['identity', 'profanity', 'dehumanising', 'trait', 'threat', 'groupref', 'exclusion'];
const QUANTIFIERS = new Set(['all', 'every', 'tous', 'toutes', 'alle', 'allemaal']);
const QUOTES = /["“”«»„]/;
const NO_OPTIONS: NormaliseOptions = {};

/** What one lexicon says about one word. */
interface LexWord {
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
interface WordInfo {
  afinn: number;
  afinnNegator: boolean;
  quantifier: boolean;
  /** Per language index: detection votes (function word, identity term or slur). */
  langVote: number;
  lex: Array<LexWord | undefined>;
}

/** `WordTable.flags` bits. */
const AFINN_NEGATOR = 1;
const QUANTIFIER = 2;
/** `LanguageWords.flags` bits: the `LexWord` booleans score() reads. */
const GATE = 1;
const IDENTITY = 2;
const IDENTITY_PHRASE = 4;
const WEAKREF = 8;
const CUE = 16;
const REPORTING = 32;
const TARGET = 64;

/**
 * Everything known about words, by word number: the normaliser hands score() each word's number,
 * and score() reads these arrays (compact, no pointers to follow) instead of per-word objects.
 * Word number 0 is every word nothing is known about: all its entries are zero (or NaN, undefined).
 * Built once, after construction, from the `WordInfo` / `LexWord` entries.
 */
interface WordTable {
  afinn: Float64Array;
  flags: Uint8Array;
  langVote: Int32Array;
}

/** What one lexicon says about every word, by word number (see `LexWord`). */
interface LanguageWords {
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

function languageWords(size: number): LanguageWords {
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
interface Language {
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

/** One model feature that pushed a post towards hate: a word, a word pair, or a lexicon tag. */
interface Contribution {
  first: number;
  last: number;
  weight: number;
  tag: string | undefined;
}

/** A model weight that remembers the last post it was added for (features count once per post). */
interface Weight {
  weight: number;
  epoch: number;
}

function featureName(tokens: readonly Token[], c: Contribution): string {
  if (c.tag !== undefined) return `t:${c.tag}`;
  return c.first === c.last
    ? `w:${tokens[c.first]!.norm}`
    : `b:${tokens[c.first]!.norm}_${tokens[c.last]!.norm}`;
}

const DIGITS = /^\d+$/;
/** Word numbers stay below this (the model has far fewer words), so pair keys stay small integers. */
const PAIR_BASE = 1 << 15;

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

interface Match {
  first: number;
  last: number;
}

interface PostContext {
  tokens: Token[];
  /** Pronouns ("they", "them") count as a group reference: a group is named or "all" is used. */
  weakGroup: boolean;
  weakref: WordClass;
}

/** Length (in tokens) of a class member starting at token i, or 0. */
function classAt(ctx: PostContext, el: { name: string; cls: WordClass }, i: number): number {
  const word = ctx.tokens[i]!.norm;
  const cls = el.cls;
  if (cls.phrases.size > 0 && cls.phrases.has(word)) {
    const phrase = phraseAt(cls, ctx.tokens, i);
    if (phrase > 0) return phrase;
  }
  if (cls.words.has(word)) return 1;
  if (ctx.weakGroup && el.name === 'group' && ctx.weakref.words.has(word)) return 1;
  return 0;
}

/** A class's phrases that start with one word, by their second word (`single`: one-word phrases). */
interface PhrasesFrom {
  single: string[][];
  bySecond: Map<string, string[][]>;
}

/**
 * Phrases by first and then second word, built once per class on first use (compiled lexicons do
 * not change). One first word can start many phrases ("the" starts over a hundred perpetrator
 * phrases): without this, every "the" in a post would be compared with each of them.
 */
const PHRASE_INDEX = new WeakMap<WordClass['phrases'], Map<string, PhrasesFrom>>();

function phraseIndex(cls: WordClass): Map<string, PhrasesFrom> {
  let index = PHRASE_INDEX.get(cls.phrases);
  if (!index) {
    index = new Map();
    for (const [first, list] of cls.phrases) {
      const from: PhrasesFrom = { single: [], bySecond: new Map() };
      for (const words of list) {
        if (words.length === 1) from.single.push(words);
        else if (words.length > 1)
          from.bySecond.set(words[1]!, [...(from.bySecond.get(words[1]!) ?? []), words]);
      }
      index.set(first, from);
    }
    PHRASE_INDEX.set(cls.phrases, index);
  }
  return index;
}

/** Length (in tokens) of the longest phrase of `cls` starting at token i, or 0. Exported for its test. */
export function phraseAt(cls: WordClass, tokens: readonly Token[], i: number): number {
  const from = phraseIndex(cls).get(tokens[i]!.norm);
  if (!from) return 0;
  let best = from.single.length > 0 ? 1 : 0;
  const list = i + 1 < tokens.length ? from.bySecond.get(tokens[i + 1]!.norm) : undefined;
  if (!list) return best;
  for (const words of list) {
    if (words.length <= best || i + words.length > tokens.length) continue;
    let ok = true;
    for (let k = 2; k < words.length && ok; k++) if (tokens[i + k]!.norm !== words[k]) ok = false;
    if (ok) best = words.length;
  }
  return best;
}

/**
 * Token positions skipped by `~N` gaps in the match being tried. A stack over a reused typed array:
 * trying a pattern at a position pushes and pops positions, and resizing a JS array for that costs.
 */
class Gaps {
  at = new Int32Array(64);
  length = 0;

  push(position: number): void {
    if (this.length === this.at.length) {
      const grown = new Int32Array(this.at.length * 2);
      grown.set(this.at);
      this.at = grown;
    }
    this.at[this.length++] = position;
  }
}

/** Matches pattern elements from token i; returns the last token index matched, or -1. */
function matchFrom(ctx: PostContext, elements: readonly Element[], e: number, i: number, gaps: Gaps): number {
  if (e === elements.length) return i - 1;
  const el = elements[e]!;
  if (el.kind === 'gap') {
    for (let skip = 0; skip <= el.max; skip++) {
      if (i + skip > ctx.tokens.length) break;
      const mark = gaps.length;
      for (let k = 0; k < skip; k++) gaps.push(i + k);
      const end = matchFrom(ctx, elements, e + 1, i + skip, gaps);
      if (end >= 0) return end;
      gaps.length = mark;
    }
    return -1;
  }
  if (i >= ctx.tokens.length) return -1;
  if (el.kind === 'words') {
    return el.words.has(ctx.tokens[i]!.norm) ? matchFrom(ctx, elements, e + 1, i + 1, gaps) : -1;
  }
  const len = classAt(ctx, el, i);
  return len > 0 ? matchFrom(ctx, elements, e + 1, i + len, gaps) : -1;
}

function span(text: string, tokens: readonly Token[], first: number, last: number): Reason['span'] {
  const start = tokens[first]!.start;
  const end = tokens[last]!.end;
  return { start, end, text: text.slice(start, end) };
}

/**
 * The first token that is a word or starts a phrase of `cls`, or -1. With `flags`, only tokens whose
 * word has `bit` set there are looked at: the flag marks every word and phrase start of the class,
 * so the other tokens need no look-up.
 */
function anyPhrase(
  cls: WordClass,
  tokens: readonly Token[],
  ids?: Int32Array,
  flags?: Int32Array,
  bit = 0,
): number {
  for (let i = 0; i < tokens.length; i++) {
    if (flags && (flags[ids![i]!]! & bit) === 0) continue;
    if (cls.words.has(tokens[i]!.norm) || phraseAt(cls, tokens, i) > 0) return i;
  }
  return -1;
}

/**
 * Sorts reasons by weight, highest first, keeping the order of equal weights (as Array.sort does):
 * an insertion sort, because a verdict has a handful of reasons and Array.sort allocates its own
 * work space for every call.
 */
export function sortByWeight(reasons: Reason[]): void {
  for (let i = 1; i < reasons.length; i++) {
    const r = reasons[i]!;
    const w = r.weight ?? 0;
    let j = i - 1;
    while (j >= 0 && (reasons[j]!.weight ?? 0) < w) {
      reasons[j + 1] = reasons[j]!;
      j--;
    }
    reasons[j + 1] = r;
  }
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** A scorer over one set of data. `score(text, options)` is pure and never throws on any string. */
export class Scorer {
  readonly index: TermIndex;
  private readonly languages: Language[] = [];
  private readonly byCode = new Map<string, Language>();
  /** Everything known about each word, while the scorer is built (then compiled into `table`). */
  private readonly words = new Map<string, WordInfo>();
  /** Word numbers (1, 2, ...) by word; the number is what the normaliser attaches to a token. */
  private readonly ids = new Map<string, number>();
  private table: WordTable = {
    afinn: new Float64Array(1),
    flags: new Uint8Array(1),
    langVote: new Int32Array(1),
  };
  private readonly langCounts = new Int32Array(32);
  /** Reused per-word bit arrays (zeroed for each post), to spare the garbage collector. */
  private readonly scratchArrays: Int32Array[] = [
    new Int32Array(256),
    new Int32Array(256),
    new Int32Array(256),
    new Int32Array(256),
  ];
  /** The current post's positive model features (reused records; see `contribute`). */
  private readonly contributions: Contribution[] = [];
  private readonly gaps = new Gaps();
  /** The strongest weight of each rule family and counted slur in the current post (reused). */
  private readonly ruleWeights = new Map<string, number>();
  private contributionCount = 0;

  private scratch(n: number, which: number): Int32Array {
    let a = this.scratchArrays[which]!;
    if (a.length < n) {
      a = new Int32Array(n * 2);
      this.scratchArrays[which] = a;
    } else a.fill(0, 0, n);
    return a;
  }

  /** Counts model evaluations; see `Weight`. */
  private epoch = 0;
  private readonly ownCache = new WeakMap<readonly string[], string[][]>();
  private readonly hashtagCache = new WeakMap<readonly string[], Set<string>>();

  readonly data: ScoringData;

  constructor(data: ScoringData) {
    this.data = data;
    // English first: it is the default and the fallback for slurs in any language.
    const lexicons = [...data.lexicons.values()].sort((a, b) =>
      a.language === DEFAULT_LANGUAGE
        ? -1
        : b.language === DEFAULT_LANGUAGE
          ? 1
          : a.language < b.language
            ? -1
            : 1,
    );
    for (const lex of lexicons) this.addLanguage(lex, data.models.get(lex.language));
    for (const [word, score] of data.afinn) this.info(word).afinn = score;
    for (const word of data.afinnNegators) this.info(word).afinnNegator = true;
    for (const word of QUANTIFIERS) this.info(word).quantifier = true;
    this.compileTable();
    // The normaliser's look-up hands each word its number: one look-up per word in all.
    this.index = new TermIndex([...data.lexicons.values()], data.afinnNegators, this.words.keys(), (word) =>
      this.ids.get(word),
    );
  }

  /** Numbers every word and copies what is known about it into the arrays score() reads. */
  private compileTable(): void {
    const size = this.words.size + 1;
    const table: WordTable = {
      afinn: new Float64Array(size),
      flags: new Uint8Array(size),
      langVote: new Int32Array(size),
    };
    for (const language of this.languages) language.words = languageWords(size);
    let id = 0;
    for (const [word, info] of this.words) {
      id++;
      this.ids.set(word, id);
      table.afinn[id] = info.afinn;
      table.flags[id] = (info.afinnNegator ? AFINN_NEGATOR : 0) | (info.quantifier ? QUANTIFIER : 0);
      table.langVote[id] = info.langVote;
      for (const language of this.languages) {
        const w = language.words;
        // A slur of the default language (English, index 0) counts whatever the post's language.
        w.slur[id] = info.lex[language.index]?.slur ?? info.lex[0]?.slur;
        const lw = info.lex[language.index];
        if (!lw) continue;
        w.mask[id] = lw.mask;
        w.firstWords[id] = lw.firstWords;
        w.flags[id] =
          (lw.gate ? GATE : 0) |
          (lw.identity ? IDENTITY : 0) |
          (lw.identityPhrase ? IDENTITY_PHRASE : 0) |
          (lw.weakref ? WEAKREF : 0) |
          (lw.cue ? CUE : 0) |
          (lw.reporting ? REPORTING : 0) |
          (lw.target ? TARGET : 0);
        if (lw.modelWord !== undefined) w.modelWord[id] = lw.modelWord;
        w.pairId[id] = lw.pairId;
      }
    }
    this.table = table;
  }

  private info(word: string): WordInfo {
    let info = this.words.get(word);
    if (!info) {
      info = { afinn: 0, afinnNegator: false, quantifier: false, langVote: 0, lex: [] };
      this.words.set(word, info);
    }
    return info;
  }

  private lexWord(word: string, index: number): LexWord {
    const info = this.info(word);
    let lw = info.lex[index];
    if (!lw) {
      lw = {
        mask: 0,
        gate: false,
        slur: undefined,
        identity: false,
        identityPhrase: false,
        weakref: false,
        negator: false,
        firstWords: 0,
        cue: false,
        reporting: false,
        target: false,
        modelWord: undefined,
        pairId: 0,
      };
      info.lex[index] = lw;
    }
    return lw;
  }

  private addLanguage(lex: Lexicon, model: Model | undefined): void {
    const index = this.languages.length;
    const bits = new Map<string, number>();
    const bitOf = (name: string) => {
      if (!bits.has(name) && bits.size < 30) bits.set(name, 1 << bits.size);
      return bits.get(name) ?? 0;
    };
    let wordPatterns = 0;
    const firstWordsOf = new Map<string, number>();
    const patterns = lex.patterns.map((p) => {
      let requiresMask = 0;
      for (const name of p.requires) requiresMask |= bitOf(name);
      // The first element decides where a match can start: only there is the pattern tried.
      const first = p.elements[0]!;
      const firstBit = first.kind === 'class' ? bitOf(first.name) : 0;
      // Patterns that start with literal words get a bit of their own, set on those words.
      let firstWordBit = 0;
      if (first.kind === 'words' && wordPatterns < 31) {
        firstWordBit = 1 << wordPatterns++;
        for (const w of first.words) firstWordsOf.set(w, (firstWordsOf.get(w) ?? 0) | firstWordBit);
      }
      return { ...p, requiresMask, firstBit, firstWordBit };
    });
    const groupBit = bitOf('group');
    const tagWeights = TAG_NAMES.map((tag) => {
      const weight = tag === undefined ? undefined : model?.tags.get(tag);
      return weight === undefined ? undefined : { weight, epoch: 0 };
    });
    const language: Language = {
      index,
      words: languageWords(0),
      identity: lex.classes.get('identity')!,
      weakref: lex.classes.get('weakref')!,
      groupref: lex.classes.get('groupref')!,
      lex,
      model,
      bits,
      groupBit,
      patterns,
      tagWeights,
      pairs: new PairTable(new Map()),
    };
    this.languages.push(language);
    this.byCode.set(lex.language, language);

    for (const [name, bit] of bits) {
      const cls = lex.classes.get(name);
      if (!cls) continue;
      for (const w of cls.words) this.lexWord(w, index).mask |= bit;
      for (const w of cls.phrases.keys()) this.lexWord(w, index).mask |= bit;
    }
    for (const name of GATE_CLASSES)
      for (const w of lex.classes.get(name)?.words ?? []) this.lexWord(w, index).gate = true;
    for (const [w, slur] of lex.slurs) if (!w.includes(' ')) this.lexWord(w, index).slur = slur;
    for (const w of lex.identityGroup.keys()) if (!w.includes(' ')) this.lexWord(w, index).identity = true;
    for (const w of lex.classes.get('identity')!.phrases.keys()) this.lexWord(w, index).identityPhrase = true;
    for (const w of lex.classes.get('weakref')!.words) this.lexWord(w, index).weakref = true;
    for (const w of lex.negators) this.lexWord(w, index).negator = true;
    for (const [w, bits] of firstWordsOf) this.lexWord(w, index).firstWords = bits;
    for (const w of [...lex.counterSpeech.words, ...lex.counterSpeech.phrases.keys()])
      this.lexWord(w, index).cue = true;
    for (const w of [...lex.reporting.words, ...lex.reporting.phrases.keys()])
      this.lexWord(w, index).reporting = true;
    for (const w of [...lex.individualTarget.words, ...lex.individualTarget.phrases.keys()])
      this.lexWord(w, index).target = true;
    const votes = [...lex.detect, ...lex.identityGroup.keys(), ...lex.slurs.keys()];
    for (const w of votes) this.info(w).langVote |= 1 << index;
    if (model) {
      for (const [w, weight] of model.words) this.lexWord(w, index).modelWord = weight;
      // Word pairs live in one table keyed by two word numbers: no string is built per pair.
      let nextId = 1;
      const idOf = (w: string) => {
        const lw = this.lexWord(w, index);
        if (lw.pairId === 0) {
          if (nextId >= PAIR_BASE)
            throw new Error(`model-${lex.language}.json: more than ${PAIR_BASE - 1} words in pairs`);
          lw.pairId = nextId++;
        }
        return lw.pairId;
      };
      const pairWeights = new Map<number, number>();
      for (const [first, pairs] of model.pairs) {
        for (const [second, weight] of pairs) pairWeights.set(idOf(first) * PAIR_BASE + idOf(second), weight);
      }
      language.pairs = new PairTable(pairWeights);
    }
  }

  /** The lexicon language with most function words, identity terms and slurs in the post; English on ties. */
  detectLanguage(tokens: readonly Token[]): string {
    if (this.languages.length === 1) return this.languages[0]!.lex.language;
    const counts = this.langCounts;
    counts.fill(0);
    for (let i = 0; i < tokens.length; i++) {
      const vote = this.table.langVote[this.idOf(tokens[i]!)]!;
      if (vote !== 0) for (let l = 0; l < this.languages.length; l++) if (vote & (1 << l)) counts[l]!++;
    }
    let best = 0;
    for (let l = 1; l < this.languages.length; l++) if (counts[l]! > counts[best]!) best = l;
    return this.languages[best]!.lex.language;
  }

  /** The token's word number (0: nothing known about the word). */
  private idOf(token: Token): number {
    return (token.data as number | undefined) ?? 0;
  }

  private language(code: string): Language {
    return this.byCode.get(code) ?? this.languages[0]!;
  }

  /**
   * The campaign's messages as normalised fragments: template placeholders ({hashtags}, {date}...)
   * split a message, and fragments of fewer than three words are dropped as too common to match.
   */
  private ownMessages(messages: readonly string[]): string[][] {
    let cached = this.ownCache.get(messages);
    if (!cached) {
      cached = messages
        .map((m) =>
          m
            .split(/\{[^{}]*\}/)
            .map((part) => normalise(part, this.index).map((t) => t.norm))
            .filter((words) => words.length >= 3)
            .map((words) => words.join(' ')),
        )
        .filter((fragments) => fragments.length > 0);
      this.ownCache.set(messages, cached);
    }
    return cached;
  }

  private hashtags(tags: readonly string[] | undefined): Set<string> | undefined {
    if (!tags || tags.length === 0) return undefined;
    let cached = this.hashtagCache.get(tags);
    if (!cached) {
      cached = new Set(tags.map((t) => foldTerm(t.replace(/^#/, '')).replace(/[^\p{L}\p{N}_]/gu, '')));
      this.hashtagCache.set(tags, cached);
    }
    return cached;
  }

  /** AFINN comparative score (sum of word scores / word count), with the `sentiment` negation rule. */
  sentiment(tokens: readonly Token[]): number {
    if (tokens.length === 0) return 0;
    const { afinn, flags } = this.table;
    let total = 0;
    let prevNegator = false;
    for (let i = 0; i < tokens.length; i++) {
      const id = this.idOf(tokens[i]!);
      if (afinn[id] !== 0) total += prevNegator ? -afinn[id]! : afinn[id]!;
      prevNegator = (flags[id]! & AFINN_NEGATOR) !== 0;
    }
    return total / tokens.length;
  }

  /** Model tags for the tokens: slur severities; `null` hides identity terms from the model. */
  private tags(language: Language, tokens: readonly Token[]): Array<string | undefined | null> {
    const tags: Array<string | undefined | null> = new Array(tokens.length);
    const identity = language.lex.classes.get('identity')!;
    const words = language.words;
    for (let i = 0; i < tokens.length; i++) {
      const id = this.idOf(tokens[i]!);
      if (id === 0) continue;
      const slur = words.slur[id];
      if (slur) {
        // In-group and reclaimed terms (e.g. in African-American English) are hidden from the model
        // like identity terms: the labelled data over-flags them, and they mark no hate by themselves.
        if (tags[i] !== null) tags[i] = slur.reclaimable ? null : SLUR_TAG[slur.severity];
      } else if (words.flags[id]! & IDENTITY) tags[i] = null;
      else if (words.flags[id]! & IDENTITY_PHRASE) {
        // Words inside identity phrases ("white people") are hidden from the model like single terms.
        const len = phraseAt(identity, tokens, i);
        for (let k = 0; k < len; k++) tags[i + k] = null;
      }
    }
    return tags;
  }

  /** The model's feature names for a post (used by the fitting script, so fit and use agree). */
  modelFeatures(text: string, options: ScoreOptions = {}): string[] {
    const tokens = normalise(text, this.index);
    const language = this.language(options.lang ?? this.detectLanguage(tokens));
    return extractFeatures(tokens, this.tags(language, tokens)).map((f) => f.name);
  }

  /**
   * The model's probability: the same features as `extractFeatures`, read from the word table.
   * Features with a positive weight are recorded in `this.contributions` (the reasons shown to
   * moderators) as they are added, so a post that needs them is not read a second time.
   */
  private modelProbability(
    language: Language,
    model: Model,
    tokens: readonly Token[],
    ids: Int32Array,
    tags: Int32Array,
  ): number {
    // Features count once per post, as in fitting: each weight remembers the post (epoch) that
    // last added it, so no set of seen features is built per post.
    const epoch = ++this.epoch;
    this.contributionCount = 0;
    let z = model.bias + model.shift;
    const { modelWord, modelEpoch, pairId } = language.words;
    const pairs = language.pairs;
    let prevPair = 0;
    for (let i = 0; i < tokens.length; i++) {
      const t = tags[i]!;
      const word = tokens[i]!.norm;
      if (t === TAG_HIDDEN || (word.charCodeAt(0) <= 57 && DIGITS.test(word))) {
        prevPair = 0;
        continue;
      }
      const id = ids[i]!;
      const weight = modelWord[id]!;
      if (!Number.isNaN(weight) && modelEpoch[id] !== epoch) {
        modelEpoch[id] = epoch;
        z += weight;
        if (weight > 0) this.contribute(i, i, weight, undefined);
      }
      // A pair needs both words in the pair table, with no skipped word (digits, hidden) between.
      const pairNo = pairId[id]!;
      if (prevPair !== 0 && pairNo !== 0) {
        const slot = pairs.find(prevPair * PAIR_BASE + pairNo);
        if (slot >= 0 && pairs.epochs[slot] !== epoch) {
          pairs.epochs[slot] = epoch;
          const pairWeight = pairs.weights[slot]!;
          z += pairWeight;
          if (pairWeight > 0) this.contribute(i - 1, i, pairWeight, undefined);
        }
      }
      if (t !== 0) {
        const tag = language.tagWeights[t];
        if (tag !== undefined && tag.epoch !== epoch) {
          tag.epoch = epoch;
          z += tag.weight;
          if (tag.weight > 0) this.contribute(i, i, tag.weight, TAG_NAMES[t]);
        }
      }
      prevPair = pairNo;
    }
    return sigmoid(z);
  }

  /** Records one positive model feature of the current post, reusing the records of earlier posts. */
  private contribute(first: number, last: number, weight: number, tag: string | undefined): void {
    const c = this.contributions[this.contributionCount];
    if (c === undefined) this.contributions.push({ first, last, weight, tag });
    else {
      c.first = first;
      c.last = last;
      c.weight = weight;
      c.tag = tag;
    }
    this.contributionCount++;
  }

  /**
   * The current post's `count` strongest contributions, strongest first and, among equal weights, in
   * the order they were found (as a stable sort gives); picked without sorting the whole list.
   */
  private strongestContributions(count: number): Contribution[] {
    const picked: Contribution[] = [];
    const n = this.contributionCount;
    while (picked.length < Math.min(count, n)) {
      let best: Contribution | undefined;
      for (let j = 0; j < n; j++) {
        const c = this.contributions[j]!;
        if (picked.includes(c)) continue;
        if (best === undefined || c.weight > best.weight) best = c;
      }
      picked.push(best!);
    }
    return picked;
  }

  score(text: string, options: ScoreOptions = {}): Verdict {
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    const input = typeof text === 'string' ? text : String(text ?? '');
    const ignoreHashtags = this.hashtags(options.campaignHashtags);
    const tokens = normalise(input, this.index, ignoreHashtags ? { ignoreHashtags } : NO_OPTIONS);
    const n = tokens.length;
    // Sentiment (AFINN with the `sentiment` negation rule) and language votes in one pass, which
    // also collects the word numbers.
    const ids = this.scratch(n, 3);
    const table = this.table;
    let afinnTotal = 0;
    let prevNegator = false;
    const votes = this.langCounts;
    votes.fill(0, 0, this.languages.length);
    for (let i = 0; i < n; i++) {
      const id = this.idOf(tokens[i]!);
      ids[i] = id;
      const afinn = table.afinn[id]!;
      if (afinn !== 0) afinnTotal += prevNegator ? -afinn : afinn;
      prevNegator = (table.flags[id]! & AFINN_NEGATOR) !== 0;
      const vote = table.langVote[id]!;
      if (vote !== 0) for (let l = 0; l < this.languages.length; l++) if (vote & (1 << l)) votes[l]!++;
    }
    const sentiment = n === 0 ? 0 : afinnTotal / n;
    let detected = 0;
    for (let l = 1; l < this.languages.length; l++) if (votes[l]! > votes[detected]!) detected = l;
    const language = options.lang
      ? this.language(options.lang.slice(0, 2).toLowerCase())
      : this.languages[detected]!;
    const lex = language.lex;
    const never =
      options.neverFlag && options.neverFlag.length > 0
        ? new Set(options.neverFlag.map(foldTerm))
        : undefined;

    if (options.ownMessages && options.ownMessages.length > 0 && n > 0) {
      const post = ` ${tokens.map((t) => t.norm).join(' ')} `;
      for (const fragments of this.ownMessages(options.ownMessages)) {
        if (fragments.every((fragment) => post.includes(` ${fragment} `))) {
          return {
            flagged: false,
            score: 0,
            severity: 'none',
            sentiment,
            reasons: [{ rule: 'context.own_message', explanation: "the campaign's own message", weight: 0 }],
            lang: lex.language,
          };
        }
      }
    }

    // One pass over the words: slurs, identity terms, "all", which classes occur (per word and in
    // the post), and the model's tags (slur severities; identity terms hidden from the model).
    let present = 0;
    let presentFirst = 0;
    /** `LanguageWords.flags` of every word in the post, or-ed. */
    let seen = 0;
    let hasIdentity = false;
    let hasAll = false;
    const masks = this.scratch(n, 0);
    const firstWords = this.scratch(n, 1);
    const tags = this.scratch(n, 2);
    const slurTokens: Array<{ index: number; slur: Slur }> = [];
    const words = language.words;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (id === 0) continue;
      if (never?.has(tokens[i]!.norm)) {
        tags[i] = TAG_HIDDEN;
        continue;
      }
      if (table.flags[id]! & QUANTIFIER) hasAll = true;
      const slur = words.slur[id];
      if (slur) {
        slurTokens.push({ index: i, slur });
        // In-group and reclaimed terms (e.g. in African-American English) are hidden from the model
        // like identity terms: the labelled data over-flags them, and they mark no hate by themselves.
        if (tags[i] !== TAG_HIDDEN) tags[i] = slur.reclaimable ? TAG_HIDDEN : TAG_CODE[slur.severity];
      }
      masks[i] = words.mask[id]!;
      firstWords[i] = words.firstWords[id]!;
      presentFirst |= firstWords[i]!;
      present |= masks[i]!;
      const flags = words.flags[id]!;
      if (flags === 0) continue;
      seen |= flags;
      if (flags & IDENTITY) {
        hasIdentity = true;
        if (!slur) tags[i] = TAG_HIDDEN;
      } else if (flags & IDENTITY_PHRASE) {
        // Words inside identity phrases ("white people") are hidden from the model like single terms.
        const len = phraseAt(language.identity, tokens, i);
        if (len > 0) hasIdentity = true;
        for (let k = 0; k < len; k++) tags[i + k] = TAG_HIDDEN;
      }
    }
    const gate = (seen & GATE) !== 0;
    const hasCue = (seen & CUE) !== 0;
    const hasReporting = (seen & REPORTING) !== 0;
    const hasTarget = (seen & TARGET) !== 0;
    const weakGroup = hasIdentity || hasAll;
    if (weakGroup && (seen & WEAKREF) !== 0) {
      present |= language.groupBit;
      for (let i = 0; i < n; i++) if (words.flags[ids[i]!]! & WEAKREF) masks[i]! |= language.groupBit;
    }
    const ctx: PostContext = { tokens, weakGroup, weakref: language.weakref };

    // Patterns: threats, exclusion, dehumanisation, derogation, collective blame.
    const reasons: Reason[] = [];
    const ruleWeights = this.ruleWeights;
    if (ruleWeights.size > 0) ruleWeights.clear();
    let hostile = false;
    const matched: Match[] = [];
    const gaps = this.gaps;
    for (const pattern of language.patterns) {
      if ((present & pattern.requiresMask) !== pattern.requiresMask) continue;
      if (pattern.firstWordBit !== 0 && (presentFirst & pattern.firstWordBit) === 0) continue;
      let negatedReported = false;
      for (let i = 0; i < n; i++) {
        if (pattern.firstBit !== 0 && (masks[i]! & pattern.firstBit) === 0) continue;
        if (pattern.firstWordBit !== 0 && (firstWords[i]! & pattern.firstWordBit) === 0) continue;
        gaps.length = 0;
        const last = matchFrom(ctx, pattern.elements, 0, i, gaps);
        if (last < 0) continue;
        if (never && tokens.slice(i, last + 1).some((t) => never.has(t.norm))) continue;
        let negatedAt = -1;
        if (pattern.negatable) {
          for (let k = 0; k < gaps.length; k++) {
            const g = gaps.at[k]!;
            if (lex.negators.has(tokens[g]!.norm)) negatedAt = g;
          }
          for (let k = Math.max(0, i - NEGATION_LOOKBEHIND); k < i && negatedAt < 0; k++) {
            const rhetorical = k === 0 && RHETORICAL.has(tokens[1]?.norm ?? '');
            if (lex.negators.has(tokens[k]!.norm) && !rhetorical) negatedAt = k;
          }
        }
        if (negatedAt >= 0) {
          if (!negatedReported) {
            reasons.push({
              rule: 'context.negation',
              explanation: `negated, so not counted: ${pattern.explanation}`,
              span: span(input, tokens, Math.min(i, negatedAt), last),
              weight: 0,
            });
            negatedReported = true;
          }
          continue;
        }
        reasons.push({
          rule: `${pattern.rule}.${pattern.name}`,
          explanation: pattern.explanation,
          span: span(input, tokens, i, last),
          weight: pattern.weight,
        });
        ruleWeights.set(pattern.rule, Math.max(ruleWeights.get(pattern.rule) ?? 0, pattern.weight));
        matched.push({ first: i, last });
        hostile = true;
        break;
      }
    }

    const model = language.model;
    for (const { index, slur } of slurTokens) {
      const token = tokens[index]!;
      const reclaimed = slur.reclaimable && !hostile;
      const weight = reclaimed ? RECLAIMABLE_WEIGHT : SLUR_WEIGHT[slur.severity];
      const how = token.evasion ? ` (spelled to evade: ${token.evasion})` : '';
      reasons.push({
        rule: reclaimed ? 'slur.reclaimable' : `slur.${slur.severity}`,
        explanation: reclaimed
          ? `slur against ${slur.group} also used in-group or reclaimed; not enough on its own${how}`
          : `${slur.severity}-severity slur against ${slur.group}${how}`,
        span: span(input, tokens, index, index),
        weight,
      });
      // With a fitted model for the language, slurs count mostly through the model (which learned when
      // a slur marked hate and when it was in-group use or plain swearing), plus a small floor.
      const counted = model ? (reclaimed ? 0 : SLUR_WEIGHT_WITH_MODEL[slur.severity]) : weight;
      const key = `slur:${token.norm}`;
      if (counted > 0) ruleWeights.set(key, Math.max(ruleWeights.get(key) ?? 0, counted));
      matched.push({ first: index, last: index });
    }

    // The fitted model: words and word pairs that marked hate in the labelled data. It reads only
    // posts with at least one lexicon signal (slur, group, insult, threat).
    let modelScore = 0;
    if (model && n > 0 && (slurTokens.length > 0 || hasIdentity || gate)) {
      modelScore = this.modelProbability(language, model, tokens, ids, tags);
      if (modelScore >= threshold / 2) {
        // Only posts worth a look get their strongest features listed.
        for (const c of this.strongestContributions(MODEL_REASONS)) {
          reasons.push({
            rule: 'model.feature',
            explanation: `word${c.first === c.last ? '' : 's'} that marked hate in the labelled data (${featureName(tokens, c)})`,
            span: span(input, tokens, c.first, c.last),
            weight: Math.round(c.weight * 1000) / 1000,
          });
        }
      }
    }

    let keep = 1 - modelScore;
    for (const w of ruleWeights.values()) keep *= 1 - w;
    let score = 1 - keep;

    // Context: quoting or reporting abuse in order to condemn it.
    if (score > 0) {
      const cue = hasCue ? anyPhrase(lex.counterSpeech, tokens, ids, words.flags, CUE) : -1;
      let quoted = false;
      if (
        cue < 0 &&
        hasReporting &&
        QUOTES.test(input) &&
        anyPhrase(lex.reporting, tokens, ids, words.flags, REPORTING) >= 0
      ) {
        quoted = matched.some((m) => {
          const before = input.slice(0, tokens[m.first]!.start);
          const after = input.slice(tokens[m.last]!.end);
          return QUOTES.test(before) && QUOTES.test(after);
        });
      }
      if (cue >= 0 || quoted) {
        score *= COUNTER_SPEECH_FACTOR;
        reasons.push({
          rule: 'context.counter_speech',
          explanation: quoted
            ? 'the abuse is quoted and reported, not said by the author'
            : 'the post reports or condemns abuse (counter-speech)',
          ...(cue >= 0 ? { span: span(input, tokens, cue, cue) } : {}),
          weight: -(1 - COUNTER_SPEECH_FACTOR),
        });
      }
    }

    // Context: abuse aimed at the perpetrators as individuals ("whoever did this is scum"). It holds
    // only when the post names no protected group, group reference or counted slur: "the Muslims who
    // did this" is scored as before.
    if (score > 0 && hasTarget && !hasIdentity) {
      const countedSlur = slurTokens.some(({ slur }) => !(slur.reclaimable && !hostile));
      const target = countedSlur ? -1 : anyPhrase(lex.individualTarget, tokens, ids, words.flags, TARGET);
      if (target >= 0 && anyPhrase(language.groupref, tokens) < 0) {
        score *= INDIVIDUAL_TARGET_FACTOR;
        reasons.push({
          rule: 'context.individual_target',
          explanation: 'abuse aimed at the perpetrators as individuals, not at a group',
          span: span(
            input,
            tokens,
            target,
            target + Math.max(0, phraseAt(lex.individualTarget, tokens, target) - 1),
          ),
          weight: -(1 - INDIVIDUAL_TARGET_FACTOR),
        });
      }
    }

    score = Math.min(1, Math.max(0, Math.round(score * 1000) / 1000));
    const flagged = score >= threshold;
    let severity: Severity;
    if (flagged) severity = score >= 0.8 || ruleWeights.has('threat') ? 'high' : 'medium';
    else severity = score >= threshold / 2 ? 'low' : 'none';
    sortByWeight(reasons);
    return { flagged, score, severity, sentiment, reasons, lang: lex.language };
  }
}
