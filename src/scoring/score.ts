/**
 * The scorer: normalise → signals (lexicons, patterns, fitted model, context, sentiment) → Verdict.
 * Pure: everything it needs (lexicons, model, AFINN labels) comes in as `ScoringData`.
 *
 * Speed matters (the monitor scores every mention of a trending hashtag), so everything known about
 * a word is gathered once, at construction, into one table: a post costs one look-up per word.
 */
import { compileTables } from './compile.ts';
import { DEFAULT_THRESHOLD } from './config.ts';
import { counterSpeech } from './context.ts';
import { MISSPELT_CLASSES, MISSPELT_WORDS, Misspellings } from './evasion.ts';
import type { Lexicon, Slur, WordClass } from './lexicon.ts';
import { TermIndex } from './lexicon.ts';
import { extractFeatures, type Model } from './model.ts';
import { foldTerm, type NormaliseOptions, normalise, type Token } from './normalise.ts';
import {
  anyPhrase,
  Gaps,
  type Match,
  matchFrom,
  type PostContext,
  phraseAt,
  sigmoid,
  sortByWeight,
  span,
} from './signals.ts';
import {
  AFINN_NEGATOR,
  CUE,
  GATE,
  IDENTITY,
  IDENTITY_PHRASE,
  type Language,
  PAIR_BASE,
  QUANTIFIER,
  REPORTING,
  SLUR_TAG,
  TAG_CODE,
  TAG_HIDDEN,
  TAG_NAMES,
  TARGET,
  WEAKREF,
  type WordTable,
} from './tables.ts';
import type { Reason, ScoreOptions, Severity, Verdict } from './types.ts';

export { phraseAt, sortByWeight } from './signals.ts';
export { PairTable } from './tables.ts';

export interface ScoringData {
  lexicons: ReadonlyMap<string, Lexicon>;
  /** Fitted models by language (English only for now). */
  models: ReadonlyMap<string, Model>;
  /** AFINN-165 word scores and negators, from the `sentiment` package. */
  afinn: ReadonlyMap<string, number>;
  afinnNegators: ReadonlySet<string>;
  /** English words one edit away from a term (never read as misspellings); none: misspellings are not undone. */
  ordinary?: ReadonlySet<string>;
}

/** How much a counter-speech context keeps of the score (quoting or reporting abuse to condemn it). */
const COUNTER_SPEECH_FACTOR = 0.3;
/** How much abuse aimed at the perpetrators as individuals keeps of the score (no group, no slur named). */
const INDIVIDUAL_TARGET_FACTOR = COUNTER_SPEECH_FACTOR;
/** Slur weights where no model is fitted for the language (with a model, slurs count through it). */
const SLUR_WEIGHT = { high: 0.55, medium: 0.4, low: 0.25 } as const;
const RECLAIMABLE_WEIGHT = 0.1;
/** A high-severity slur in the plural, naming a whole group, with a fitted model. */
const SLUR_GROUP_WEIGHT = 0.3;
const SLUR_WEIGHT_WITH_MODEL = { high: 0.2, medium: 0.1, low: 0 } as const;
const NEGATION_LOOKBEHIND = 2;
/** A post-initial negator before these is a rhetorical question ("Shouldn't we ..."), not a negation. */
const RHETORICAL = new Set(['we', 'you', 'i', 'they', 'it']);
/** Reasons from the model: at most this many features, each with a positive weight. */
const MODEL_REASONS = 3;
/** Words never shown as the model's evidence: they carry no meaning of their own. */
const FUNCTION_WORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being am do does did ' +
    'have has had will would shall should can could may might must not no all any some every each this that ' +
    'these those it its they them their there here he she him her his we us our you your i me my so than then ' +
    'just very too also up down out over about into what which who whom when where why how rt le la les de het ' +
    'een en et des un une'
  ).split(' '),
);
/** How near a slur a word of its ordinary sense must stand. */
const ORDINARY_WINDOW = 3;

/** Folded words and phrases of a slur's ordinary sense, as a class. */
function ordinaryClass(entries: readonly string[]): WordClass {
  const cls: WordClass = { words: new Set(), phrases: new Map() };
  for (const entry of entries) {
    const words = foldTerm(entry).split(' ');
    if (words.length === 1) cls.words.add(words[0]!);
    else cls.phrases.set(words[0]!, [...(cls.phrases.get(words[0]!) ?? []), words]);
  }
  return cls;
}

/** Words that aim a post at someone ("you fag"). */
const ADDRESS = new Set(['you', 'u', 'ur', 'youre', "you're", 'ya', 'yer', 'your', 'ye']);
/** Triple parentheses around a name, group or pronoun. */
const ECHO = /\(\(\(\s*[^()\s][^()]{0,40}\)\)\)/u;
const ECHO_WEIGHT = 0.75;
/** Words of a language other than English a post needs before it is read as that language. */
const MIN_EVIDENCE = 2;
const _QUOTES = /["“”«»„]/;
const NO_OPTIONS: NormaliseOptions = {};

/** One model feature that pushed a post towards hate: a word, a word pair, or a lexicon tag. */
interface Contribution {
  first: number;
  last: number;
  weight: number;
  tag: string | undefined;
}

const DIGITS = /^\d+$/;

/** The terms whose misspellings are undone: group terms, slurs, hate verbs and a few pattern words. */
export function misspellingsOf(lexicons: Iterable<Lexicon>, ordinary: ReadonlySet<string>): Misspellings {
  const terms: string[] = [...MISSPELT_WORDS];
  for (const lex of lexicons) {
    for (const name of MISSPELT_CLASSES) {
      const cls = lex.classes.get(name);
      if (!cls) continue;
      for (const w of cls.words) terms.push(w);
      // Words of phrases too ("be deported"), so an inflected verb is found when misspelt.
      for (const list of cls.phrases.values()) for (const words of list) terms.push(...words);
    }
  }
  return new Misspellings(terms, ordinary);
}

/** A scorer over one set of data. `score(text, options)` is pure and never throws on any string. */
export class Scorer {
  readonly index: TermIndex;
  private readonly languages: Language[];
  private readonly byCode: Map<string, Language>;
  /** Word numbers (1, 2, ...) by word; the number is what the normaliser attaches to a token. */
  private readonly ids: Map<string, number>;
  private readonly table: WordTable;
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
  private readonly neverCache = new WeakMap<readonly string[], Map<Lexicon, Set<string>>>();
  private readonly ordinaryCache = new WeakMap<Slur, WordClass>();
  private readonly ownCache = new WeakMap<readonly string[], string[][]>();
  private readonly hashtagCache = new WeakMap<readonly string[], Set<string>>();

  readonly data: ScoringData;

  constructor(data: ScoringData) {
    this.data = data;
    const compiled = compileTables(data);
    this.languages = compiled.languages;
    this.byCode = compiled.byCode;
    this.ids = compiled.ids;
    this.table = compiled.table;
    // The normaliser's look-up hands each word its number: one look-up per word in all.
    this.index = new TermIndex(
      [...data.lexicons.values()],
      data.afinnNegators,
      this.ids.keys(),
      (word) => this.ids.get(word),
      data.ordinary ? misspellingsOf(data.lexicons.values(), data.ordinary) : undefined,
    );
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
    return this.languages[this.pickLanguage(counts, undefined)]!.lex.language;
  }

  /**
   * The language a post's votes show real evidence of: another language than English needs at least
   * `MIN_EVIDENCE` of its words in the post, and more than English has (one shared word such as
   * "we" or "is" is not evidence). A declared language needs only one word of its own.
   */
  private pickLanguage(votes: Int32Array, declared: string | undefined): number {
    const hint = declared ? this.byCode.get(declared.slice(0, 2).toLowerCase())?.index : undefined;
    let best = 0;
    for (let l = 1; l < this.languages.length; l++) {
      const need = l === hint ? 1 : MIN_EVIDENCE;
      if (votes[l]! >= need && votes[l]! > votes[best]!) best = l;
      else if (l === hint && votes[l]! >= need && votes[l]! === votes[best]! && best !== 0) best = l;
    }
    return best;
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

  /** Words never counted: the campaign's `never_flag` and the identity terms of unprotected groups. */
  private neverSet(
    lex: Lexicon,
    neverFlag: readonly string[] | undefined,
    protect: readonly string[] | undefined,
  ): ReadonlySet<string> | undefined {
    if ((!neverFlag || neverFlag.length === 0) && !protect) return undefined;
    const key = neverFlag ?? protect!;
    let perLex = this.neverCache.get(key);
    if (!perLex) {
      perLex = new Map();
      this.neverCache.set(key, perLex);
    }
    let set = perLex.get(lex);
    if (!set) {
      set = new Set((neverFlag ?? []).map(foldTerm));
      if (protect) {
        const kept = new Set(protect);
        for (const [term, group] of lex.identityGroup)
          if (!kept.has(group)) for (const w of term.split(' ')) set.add(w);
      }
      perLex.set(lex, set);
    }
    return set.size > 0 ? set : undefined;
  }

  /** A word or phrase of the slur's ordinary sense within `ORDINARY_WINDOW` words of it. */
  private ordinarySense(slur: Slur, tokens: readonly Token[], index: number): boolean {
    let cls = this.ordinaryCache.get(slur);
    if (!cls) {
      cls = ordinaryClass(slur.ordinary);
      this.ordinaryCache.set(slur, cls);
    }
    const from = Math.max(0, index - ORDINARY_WINDOW);
    const to = Math.min(tokens.length - 1, index + ORDINARY_WINDOW);
    for (let k = from; k <= to; k++) {
      if (k === index) continue;
      if (cls.words.has(tokens[k]!.norm) || phraseAt(cls, tokens, k) > 0) return true;
    }
    return false;
  }

  /**
   * Hostile context around a token: a hostile pattern or a group named in the post, profanity or
   * another counted slur, an insult just before it, or the word aimed at someone ("you ...").
   */
  private hostileAround(
    lex: Lexicon,
    tokens: readonly Token[],
    index: number,
    hostile: boolean,
    hasIdentity: boolean,
  ): boolean {
    if (hostile || hasIdentity) return true;
    const typical = lex.classes.get('typical');
    for (let k = 0; k < tokens.length; k++) {
      const w = tokens[k]!.norm;
      if (k !== index && lex.profanity.has(w)) return true;
      if (k < index && k >= index - 3 && (ADDRESS.has(w) || typical?.words.has(w))) return true;
      const other = k !== index ? lex.slurs.get(w) : undefined;
      if (other && other.ordinary.length === 0 && !other.reclaimable) return true;
    }
    return false;
  }

  /**
   * The model's strongest contributions as words a moderator can read: function words ("the",
   * "are", "all") are never shown; at most `MODEL_REASONS` words, strongest first.
   */
  private modelWords(
    tokens: readonly Token[],
  ): { words: string[]; first: number; last: number; weight: number } | undefined {
    const words: string[] = [];
    let first = -1;
    let last = -1;
    let weight = 0;
    for (const c of this.strongestContributions(this.contributionCount)) {
      if (words.length >= MODEL_REASONS) break;
      if (c.tag !== undefined) continue;
      for (let i = c.first; i <= c.last; i++) {
        const w = tokens[i]!.norm;
        if (FUNCTION_WORDS.has(w) || words.includes(w) || words.length >= MODEL_REASONS) continue;
        words.push(w);
        if (first < 0) {
          first = i;
          last = i;
          weight = c.weight;
        }
      }
    }
    return words.length > 0 ? { words, first, last, weight } : undefined;
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
    const detected = this.pickLanguage(votes, options.declaredLang);
    const language = options.lang
      ? this.language(options.lang.slice(0, 2).toLowerCase())
      : this.languages[detected]!;
    const lex = language.lex;
    const never = this.neverSet(lex, options.neverFlag, options.protect);

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
    const _hasCue = (seen & CUE) !== 0;
    const _hasReporting = (seen & REPORTING) !== 0;
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
        let evasion: string | undefined;
        for (let k = i; k <= last && evasion === undefined; k++) evasion = tokens[k]!.evasion;
        reasons.push({
          rule: `${pattern.rule}.${pattern.name}`,
          explanation: evasion
            ? `${pattern.explanation} (spelled to evade: ${evasion})`
            : pattern.explanation,
          span: span(input, tokens, i, last),
          weight: pattern.weight,
        });
        ruleWeights.set(pattern.rule, Math.max(ruleWeights.get(pattern.rule) ?? 0, pattern.weight));
        matched.push({ first: i, last });
        hostile = true;
        break;
      }
    }

    // Coded hate: triple parentheses around a name or group ("(((them)))").
    if (input.includes('(((')) {
      const echo = ECHO.exec(input);
      if (echo) {
        reasons.push({
          rule: 'coded.echo',
          explanation: 'triple parentheses, an antisemitic marker',
          span: { start: echo.index, end: echo.index + echo[0].length, text: echo[0] },
          weight: ECHO_WEIGHT,
        });
        ruleWeights.set('coded', Math.max(ruleWeights.get('coded') ?? 0, ECHO_WEIGHT));
        hostile = true;
      }
    }

    const model = language.model;
    let slurCount = 0;
    for (const { index, slur } of slurTokens) {
      const token = tokens[index]!;
      // A slur that is also an ordinary word ("fag": a cigarette) counts only in hostile context.
      if (
        slur.ordinary.length > 0 &&
        this.ordinarySense(slur, tokens, index) &&
        !this.hostileAround(lex, tokens, index, hostile, hasIdentity)
      ) {
        tags[index] = TAG_HIDDEN;
        continue;
      }
      slurCount++;
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
      // A high-severity slur for a whole group ("the spics next door") weighs enough on its own.
      const plural =
        input.slice(token.start, token.end).toLowerCase().endsWith('s') && !slur.term.endsWith('s');
      const withModel =
        plural && slur.severity === 'high' ? SLUR_GROUP_WEIGHT : SLUR_WEIGHT_WITH_MODEL[slur.severity];
      const counted = model ? (reclaimed ? 0 : withModel) : weight;
      const key = `slur:${token.norm}`;
      if (counted > 0) ruleWeights.set(key, Math.max(ruleWeights.get(key) ?? 0, counted));
      matched.push({ first: index, last: index });
    }

    // The fitted model: words and word pairs that marked hate in the labelled data. It reads only
    // posts with at least one lexicon signal (slur, group, insult, threat).
    let modelScore = 0;
    if (model && n > 0 && (slurCount > 0 || hasIdentity || gate)) {
      modelScore = this.modelProbability(language, model, tokens, ids, tags);
      if (modelScore >= threshold / 2) {
        // Only posts worth a look get the model's strongest words listed, as one reason.
        const shown = this.modelWords(tokens);
        if (shown) {
          reasons.push({
            rule: 'model.words',
            explanation: `words that marked hate in the labelled data: ${shown.words.join(', ')}`,
            span: span(input, tokens, shown.first, shown.last),
            weight: Math.round(shown.weight * 1000) / 1000,
          });
        }
      }
    }

    let keep = 1 - modelScore;
    for (const w of ruleWeights.values()) keep *= 1 - w;
    let score = 1 - keep;

    // Context: quoting or reporting abuse in order to condemn it (by structure; see context.ts).
    if (score > 0) {
      const spans: Match[] =
        matched.length > 0 || modelScore === 0 ? matched : this.strongestContributions(MODEL_REASONS);
      const found = counterSpeech(input, tokens, spans, language.counterSpeech, lex.negators);
      if (found) {
        score *= COUNTER_SPEECH_FACTOR;
        reasons.push({
          rule: 'context.counter_speech',
          explanation: found.quoted
            ? 'the abuse is quoted and judged, not said by the author'
            : 'the abuse is reported and judged, not said by the author (counter-speech)',
          span: span(input, tokens, found.at, found.at + found.length - 1),
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
