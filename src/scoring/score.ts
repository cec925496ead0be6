/**
 * The scorer: normalise → signals (lexicons, patterns, fitted model, context, sentiment) → Verdict.
 * Pure: everything it needs (lexicons, model, AFINN labels) comes in as `ScoringData`.
 */
import { DEFAULT_THRESHOLD } from './config.ts';
import type { Lexicon, Slur, WordClass } from './lexicon.ts';
import { TermIndex } from './lexicon.ts';
import { applyModel, extractFeatures, type Model, type TagFn } from './model.ts';
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
  hasIdentity: boolean;
  hasAll: boolean;
}

const GATE_CLASSES = ['dehumanising', 'trait', 'threat', 'groupref', 'exclusion'];
const QUANTIFIERS = new Set(['all', 'every', 'tous', 'toutes', 'alle', 'allemaal']);

/** Length (in tokens) of a class member starting at token i, or 0. */
function classAt(ctx: PostContext, name: string, i: number): number {
  const cls = ctx.lex.classes.get(name);
  const token = ctx.tokens[i];
  if (!cls || !token) return 0;
  const phrase = phraseAt(cls, ctx.tokens, i);
  if (phrase > 0) return phrase;
  if (cls.words.has(token.norm)) return 1;
  if (
    name === 'group' &&
    (ctx.hasIdentity || ctx.hasAll) &&
    ctx.lex.classes.get('weakref')!.words.has(token.norm)
  ) {
    return 1;
  }
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
  const len = classAt(ctx, el.name, i);
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

  constructor(readonly data: ScoringData) {
    this.index = new TermIndex([...data.lexicons.values()], data.afinnNegators);
  }

  detectLanguage(tokens: readonly Token[]): string {
    let best = DEFAULT_LANGUAGE;
    let bestCount = 0;
    for (const lex of this.data.lexicons.values()) {
      let count = 0;
      for (const t of tokens)
        if (lex.detect.has(t.norm) || lex.identityGroup.has(t.norm) || lex.slurs.has(t.norm)) count++;
      if (count > bestCount || (count === bestCount && lex.language === DEFAULT_LANGUAGE && count > 0)) {
        best = lex.language;
        bestCount = count;
      }
    }
    return best;
  }

  private lexiconFor(lang: string): Lexicon {
    return this.data.lexicons.get(lang) ?? this.data.lexicons.get(DEFAULT_LANGUAGE)!;
  }

  private slurOf(lex: Lexicon, word: string): Slur | undefined {
    return lex.slurs.get(word) ?? this.data.lexicons.get(DEFAULT_LANGUAGE)?.slurs.get(word);
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

  private tagger(lex: Lexicon, tokens: readonly Token[]): TagFn {
    // Tokens inside identity phrases ("white people") are hidden from the model like single terms.
    const hidden = new Set<Token>();
    const identity = lex.classes.get('identity')!;
    for (let i = 0; i < tokens.length; i++) {
      const len = phraseAt(identity, tokens, i);
      for (let k = 0; k < len; k++) hidden.add(tokens[i + k]!);
    }
    return (t) => {
      const slur = this.slurOf(lex, t.norm);
      if (slur) return slur.reclaimable ? 'slur_reclaimable' : `slur_${slur.severity}`;
      return lex.identityGroup.has(t.norm) || hidden.has(t) ? null : undefined;
    };
  }

  /** The model only reads posts with at least one lexicon signal (slur, group, insult, threat). */
  private modelApplies(lex: Lexicon, tokens: readonly Token[], slurs: number): boolean {
    if (slurs > 0) return true;
    for (const t of tokens) {
      const w = t.norm;
      if (lex.identityGroup.has(w) || lex.profanity.has(w)) return true;
      for (const name of GATE_CLASSES) if (lex.classes.get(name)?.words.has(w)) return true;
    }
    return false;
  }

  /** The model's feature names for a post (used by the fitting script, so fit and use agree). */
  modelFeatures(text: string, options: ScoreOptions = {}): string[] {
    const tokens = normalise(text, this.index);
    const lex = this.lexiconFor(options.lang ?? this.detectLanguage(tokens));
    return extractFeatures(tokens, this.tagger(lex, tokens)).map((f) => f.name);
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
    const addRule = (family: string, w: number) =>
      ruleWeights.set(family, Math.max(ruleWeights.get(family) ?? 0, w));

    // Slurs.
    let hasIdentity = false;
    let hasAll = false;
    let hostile = false;
    const slurTokens: Array<{ index: number; slur: Slur }> = [];
    for (let i = 0; i < tokens.length; i++) {
      const word = tokens[i]!.norm;
      if (never?.has(word)) continue;
      if (lex.identityGroup.has(word)) hasIdentity = true;
      if (QUANTIFIERS.has(word)) hasAll = true;
      const slur = this.slurOf(lex, word);
      if (slur) slurTokens.push({ index: i, slur });
    }
    if (!hasIdentity) {
      const identity = lex.classes.get('identity')!;
      for (let i = 0; i < tokens.length && !hasIdentity; i++)
        if (phraseAt(identity, tokens, i) > 0) hasIdentity = true;
    }
    const ctx: PostContext = { tokens, lex, hasIdentity, hasAll };

    // Patterns (threats, exclusion, dehumanisation, derogation, collective blame).
    const present = new Set<string>();
    const matched: Match[] = [];
    for (const pattern of lex.patterns) {
      let possible = true;
      for (const name of pattern.requires) {
        if (present.has(name)) continue;
        const cls = lex.classes.get(name)!;
        let found = false;
        for (let i = 0; i < tokens.length && !found; i++) {
          const w = tokens[i]!.norm;
          if (cls.words.has(w) || cls.phrases.has(w)) found = true;
          else if (name === 'group' && (hasIdentity || hasAll) && lex.classes.get('weakref')!.words.has(w))
            found = true;
        }
        if (found) present.add(name);
        else {
          possible = false;
          break;
        }
      }
      if (!possible) continue;
      let negatedReported = false;
      for (let i = 0; i < tokens.length; i++) {
        const gaps: number[] = [];
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
          rule: `${pattern.rule}.${pattern.id.split('.')[1]}`,
          explanation: pattern.explanation,
          span: span(input, tokens, i, last),
          weight: pattern.weight,
        });
        addRule(pattern.rule, pattern.weight);
        matched.push({ first: i, last });
        hostile = true;
        break;
      }
    }

    for (const { index, slur } of slurTokens) {
      const token = tokens[index]!;
      const weight = slur.reclaimable && !hostile ? RECLAIMABLE_WEIGHT : SLUR_WEIGHT[slur.severity];
      const how = token.evasion ? ` (spelled to evade: ${token.evasion})` : '';
      reasons.push({
        rule: slur.reclaimable && !hostile ? 'slur.reclaimable' : `slur.${slur.severity}`,
        explanation:
          slur.reclaimable && !hostile
            ? `slur against ${slur.group} also used in-group or reclaimed; not enough on its own${how}`
            : `${slur.severity}-severity slur against ${slur.group}${how}`,
        span: span(input, tokens, index, index),
        weight,
      });
      // With a fitted model for the language, slurs count through the model (which learned when a
      // slur marked hate and when it was in-group use or plain swearing); otherwise as rules.
      if (!this.data.models.has(lex.language)) addRule(`slur:${token.norm}`, weight);
      matched.push({ first: index, last: index });
    }

    // The fitted model (English): words and word pairs that marked hate in the labelled data.
    let modelScore = 0;
    const model = this.data.models.get(lex.language);
    if (model && tokens.length > 0 && this.modelApplies(lex, tokens, slurTokens.length)) {
      const result = applyModel(model, extractFeatures(tokens, this.tagger(lex, tokens)));
      modelScore = result.probability;
      if (modelScore >= threshold / 2) {
        for (const c of result.contributions.slice(0, MODEL_REASONS)) {
          if (never && tokens.slice(c.first, c.last + 1).some((t) => never.has(t.norm))) continue;
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
