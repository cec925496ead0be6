/**
 * The scorer: normalise → signals (lexicons, patterns, fitted model, context, sentiment) → Verdict.
 * Pure: everything it needs (lexicons, model, AFINN labels) comes in as `ScoringData`.
 */
import { DEFAULT_THRESHOLD } from './config.ts';
import type { Lexicon, Slur, WordClass } from './lexicon.ts';
import { TermIndex } from './lexicon.ts';
import { applyModel, extractFeatures, type Model, modelProbability, type Tags } from './model.ts';
import { foldTerm, normalise, type Token } from './normalise.ts';
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
const SLUR_WEIGHT = { high: 0.55, medium: 0.4, low: 0.25 } as const;
const RECLAIMABLE_WEIGHT = 0.1;
const NEGATION_LOOKBEHIND = 2;
/** A post-initial negator before these is a rhetorical question ("Shouldn't we ..."), not a negation. */
const RHETORICAL = new Set(['we', 'you', 'i', 'they', 'it']);
const DEFAULT_LANGUAGE = 'en';
/** Reasons from the model: at most this many features, each with a positive weight. */
const MODEL_REASONS = 3;

interface Match {
  first: number;
  last: number;
}

interface PostContext {
  tokens: Token[];
  lex: Lexicon;
  /** Pronouns ("they", "them") count as a group reference: a group is named or "all" is used. */
  weakGroup: boolean;
  weakref: WordClass;
}

const SLUR_TAG = { high: 'slur_high', medium: 'slur_medium', low: 'slur_low' } as const;
const GATE_CLASSES = ['identity', 'profanity', 'dehumanising', 'trait', 'threat', 'groupref', 'exclusion'];
const QUANTIFIERS = new Set(['all', 'every', 'tous', 'toutes', 'alle', 'allemaal']);

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

function phraseAt(cls: WordClass, tokens: readonly Token[], i: number): number {
  const list = cls.phrases.get(tokens[i]!.norm);
  if (!list) return 0;
  let best = 0;
  for (const words of list) {
    if (words.length <= best || i + words.length > tokens.length) continue;
    let ok = true;
    for (let k = 1; k < words.length && ok; k++) if (tokens[i + k]!.norm !== words[k]) ok = false;
    if (ok) best = words.length;
  }
  return best;
}

/** Matches pattern elements from token i; returns the last token index matched, or -1. */
function matchFrom(
  ctx: PostContext,
  elements: readonly import('./lexicon.ts').Element[],
  e: number,
  i: number,
  gapTokens: number[],
): number {
  if (e === elements.length) return i - 1;
  const el = elements[e]!;
  if (el.kind === 'gap') {
    for (let skip = 0; skip <= el.max; skip++) {
      if (i + skip > ctx.tokens.length) break;
      const mark = gapTokens.length;
      for (let k = 0; k < skip; k++) gapTokens.push(i + k);
      const end = matchFrom(ctx, elements, e + 1, i + skip, gapTokens);
      if (end >= 0) return end;
      gapTokens.length = mark;
    }
    return -1;
  }
  if (i >= ctx.tokens.length) return -1;
  if (el.kind === 'words') {
    return el.words.has(ctx.tokens[i]!.norm) ? matchFrom(ctx, elements, e + 1, i + 1, gapTokens) : -1;
  }
  const len = classAt(ctx, el, i);
  return len > 0 ? matchFrom(ctx, elements, e + 1, i + len, gapTokens) : -1;
}

function span(text: string, tokens: readonly Token[], first: number, last: number): Reason['span'] {
  const start = tokens[first]!.start;
  const end = tokens[last]!.end;
  return { start, end, text: text.slice(start, end) };
}

function noisyOr(weights: Iterable<number>): number {
  let keep = 1;
  for (const w of weights) keep *= 1 - w;
  return 1 - keep;
}

function anyPhrase(cls: WordClass, tokens: readonly Token[]): number {
  for (let i = 0; i < tokens.length; i++) {
    if (cls.words.has(tokens[i]!.norm) || phraseAt(cls, tokens, i) > 0) return i;
  }
  return -1;
}

const QUOTES = /["“”«»„]/;

/** A scorer over one set of data. `score(text, options)` is pure and never throws on any string. */
export class Scorer {
  readonly index: TermIndex;
  private readonly ownCache = new WeakMap<readonly string[], string[]>();
  private readonly hashtagCache = new WeakMap<readonly string[], Set<string>>();

  private readonly languageWords = new Map<string, string[]>();

  constructor(readonly data: ScoringData) {
    this.index = new TermIndex([...data.lexicons.values()], data.afinnNegators);
    for (const lex of data.lexicons.values()) {
      for (const word of [...lex.detect, ...lex.identityGroup.keys(), ...lex.slurs.keys()]) {
        const list = this.languageWords.get(word) ?? [];
        if (!list.includes(lex.language)) list.push(lex.language);
        this.languageWords.set(word, list);
      }
    }
  }

  /** The lexicon language with most function words, identity terms and slurs in the post; English on ties. */
  detectLanguage(tokens: readonly Token[]): string {
    if (this.data.lexicons.size === 1) return this.data.lexicons.keys().next().value ?? DEFAULT_LANGUAGE;
    const counts = new Map<string, number>();
    for (const t of tokens) {
      const langs = this.languageWords.get(t.norm);
      if (langs) for (const lang of langs) counts.set(lang, (counts.get(lang) ?? 0) + 1);
    }
    let best = DEFAULT_LANGUAGE;
    let bestCount = counts.get(DEFAULT_LANGUAGE) ?? 0;
    for (const [lang, count] of counts) {
      if (count > bestCount) {
        best = lang;
        bestCount = count;
      }
    }
    return best;
  }

  private lexiconFor(lang: string): Lexicon {
    return this.data.lexicons.get(lang) ?? this.data.lexicons.get(DEFAULT_LANGUAGE)!;
  }

  private ownMessages(messages: readonly string[]): string[] {
    let cached = this.ownCache.get(messages);
    if (!cached) {
      cached = messages
        .map((m) =>
          normalise(m, this.index)
            .map((t) => t.norm)
            .join(' '),
        )
        .filter((m) => m.length > 0);
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
    let total = 0;
    for (let i = 0; i < tokens.length; i++) {
      const s = this.data.afinn.get(tokens[i]!.norm);
      if (s === undefined) continue;
      total += i > 0 && this.data.afinnNegators.has(tokens[i - 1]!.norm) ? -s : s;
    }
    return total / tokens.length;
  }

  /** The model's feature names for a post (used by the fitting script, so fit and use agree). */
  modelFeatures(text: string, options: ScoreOptions = {}): string[] {
    const tokens = normalise(text, this.index);
    const lex = this.lexiconFor(options.lang ?? this.detectLanguage(tokens));
    const english = this.data.lexicons.get(DEFAULT_LANGUAGE);
    const identity = lex.classes.get('identity')!;
    const tags: Array<string | undefined | null> = new Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const word = tokens[i]!.norm;
      const slur = lex.slurs.get(word) ?? english?.slurs.get(word);
      if (slur) {
        if (tags[i] !== null) tags[i] = slur.reclaimable ? 'slur_reclaimable' : SLUR_TAG[slur.severity];
      } else if (lex.identityGroup.has(word)) tags[i] = null;
      else if (identity.phrases.has(word)) {
        const len = phraseAt(identity, tokens, i);
        for (let k = 0; k < len; k++) tags[i + k] = null;
      }
    }
    return extractFeatures(tokens, tags).map((f) => f.name);
  }

  score(text: string, options: ScoreOptions = {}): Verdict {
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    const input = typeof text === 'string' ? text : String(text ?? '');
    const ignoreHashtags = this.hashtags(options.campaignHashtags);
    const tokens = normalise(input, this.index, ignoreHashtags ? { ignoreHashtags } : {});
    const sentiment = this.sentiment(tokens);
    const lang = options.lang ? options.lang.slice(0, 2).toLowerCase() : this.detectLanguage(tokens);
    const lex = this.lexiconFor(lang);
    const never =
      options.neverFlag && options.neverFlag.length > 0
        ? new Set(options.neverFlag.map(foldTerm))
        : undefined;

    if (options.ownMessages && options.ownMessages.length > 0 && tokens.length > 0) {
      const post = tokens.map((t) => t.norm).join(' ');
      for (const own of this.ownMessages(options.ownMessages)) {
        if (post.includes(own)) {
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

    const reasons: Reason[] = [];
    const ruleWeights = new Map<string, number>();

    // One pass over the words: slurs, identity terms, "all", and which word classes occur (patterns
    // needing an absent class are skipped), plus the model's tags.
    const n = tokens.length;
    const english = lex.language === DEFAULT_LANGUAGE ? undefined : this.data.lexicons.get(DEFAULT_LANGUAGE);
    const identity = lex.classes.get('identity')!;
    const weakref = lex.classes.get('weakref')!;
    const present = new Set<string>();
    const tags: Array<string | undefined | null> = new Array(n);
    const slurTokens: Array<{ index: number; slur: Slur }> = [];
    let hasIdentity = false;
    let hasAll = false;
    let hasWeak = false;
    for (let i = 0; i < n; i++) {
      const word = tokens[i]!.norm;
      if (never?.has(word)) {
        tags[i] = null;
        continue;
      }
      const names = lex.wordClasses.get(word);
      if (names) for (const name of names) present.add(name);
      if (QUANTIFIERS.has(word)) hasAll = true;
      if (weakref.words.has(word)) hasWeak = true;
      const slur = lex.slurs.get(word) ?? english?.slurs.get(word);
      if (slur) {
        slurTokens.push({ index: i, slur });
        if (tags[i] !== null) tags[i] = slur.reclaimable ? 'slur_reclaimable' : SLUR_TAG[slur.severity];
      } else if (lex.identityGroup.has(word)) {
        hasIdentity = true;
        tags[i] = null;
      } else if (identity.phrases.has(word)) {
        // Words inside identity phrases ("white people") are hidden from the model like single terms.
        const len = phraseAt(identity, tokens, i);
        if (len > 0) hasIdentity = true;
        for (let k = 0; k < len; k++) tags[i + k] = null;
      }
    }
    const weakGroup = hasIdentity || hasAll;
    if (weakGroup && hasWeak) present.add('group');
    const ctx: PostContext = { tokens, lex, weakGroup, weakref };

    // Patterns (threats, exclusion, dehumanisation, derogation, collective blame).
    let hostile = false;
    const matched: Match[] = [];
    const gaps: number[] = [];
    for (const pattern of lex.patterns) {
      let possible = true;
      for (const name of pattern.requires) {
        if (!present.has(name)) {
          possible = false;
          break;
        }
      }
      if (!possible) continue;
      let negatedReported = false;
      for (let i = 0; i < n; i++) {
        gaps.length = 0;
        const last = matchFrom(ctx, pattern.elements, 0, i, gaps);
        if (last < 0) continue;
        if (never && tokens.slice(i, last + 1).some((t) => never.has(t.norm))) continue;
        let negatedAt = -1;
        if (pattern.negatable) {
          for (const g of gaps) if (lex.negators.has(tokens[g]!.norm)) negatedAt = g;
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

    const model = this.data.models.get(lex.language);
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
      // With a fitted model for the language, slurs count through the model (which learned when a
      // slur marked hate and when it was in-group use or plain swearing); otherwise as rules.
      if (!model)
        ruleWeights.set(`slur:${token.norm}`, Math.max(ruleWeights.get(`slur:${token.norm}`) ?? 0, weight));
      matched.push({ first: index, last: index });
    }

    // The fitted model (English): words and word pairs that marked hate in the labelled data. It
    // reads only posts with at least one lexicon signal (slur, group, insult, threat).
    let modelScore = 0;
    let gate = slurTokens.length > 0;
    for (let g = 0; g < GATE_CLASSES.length && !gate; g++) if (present.has(GATE_CLASSES[g]!)) gate = true;
    if (model && n > 0 && gate) {
      modelScore = modelProbability(model, tokens, tags);
      if (modelScore >= threshold / 2) {
        const result = applyModel(model, extractFeatures(tokens, tags));
        for (const c of result.contributions.slice(0, MODEL_REASONS)) {
          reasons.push({
            rule: 'model.feature',
            explanation: `word${c.first === c.last ? '' : 's'} that marked hate in the labelled data (${c.name})`,
            span: span(input, tokens, c.first, c.last),
            weight: Math.round(c.weight * 1000) / 1000,
          });
        }
      }
    }

    let score = noisyOr([...ruleWeights.values(), modelScore]);

    // Context: quoting or reporting abuse in order to condemn it.
    if (score > 0) {
      const cue = anyPhrase(lex.counterSpeech, tokens);
      let quoted = false;
      if (cue < 0 && QUOTES.test(input) && anyPhrase(lex.reporting, tokens) >= 0) {
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

    score = Math.min(1, Math.max(0, Math.round(score * 1000) / 1000));
    const flagged = score >= threshold;
    const threat = ruleWeights.has('threat');
    let severity: Severity;
    if (flagged) severity = score >= 0.8 || threat ? 'high' : 'medium';
    else severity = score >= threshold / 2 ? 'low' : 'none';
    reasons.sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0));
    return { flagged, score, severity, sentiment, reasons, lang: lex.language };
  }
}
