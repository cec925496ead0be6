/**
 * Signals: matching lexicon classes, phrases and patterns against a post's tokens, and the spans
 * reasons point at. Pure functions over tokens and compiled lexicons.
 */
import type { Element, WordClass } from './lexicon.ts';
import type { Token } from './normalise.ts';
import type { Reason } from './types.ts';

export interface Match {
  first: number;
  last: number;
}

export interface PostContext {
  tokens: Token[];
  /** Pronouns ("they", "them") count as a group reference: a group is named or "all" is used. */
  weakGroup: boolean;
  weakref: WordClass;
}

/** Length (in tokens) of a class member starting at token i, or 0. */
export function classAt(ctx: PostContext, el: { name: string; cls: WordClass }, i: number): number {
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
export class Gaps {
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
export function matchFrom(
  ctx: PostContext,
  elements: readonly Element[],
  e: number,
  i: number,
  gaps: Gaps,
): number {
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

export function span(text: string, tokens: readonly Token[], first: number, last: number): Reason['span'] {
  const start = tokens[first]!.start;
  const end = tokens[last]!.end;
  return { start, end, text: text.slice(start, end) };
}

/**
 * The first token that is a word or starts a phrase of `cls`, or -1. With `flags`, only tokens whose
 * word has `bit` set there are looked at: the flag marks every word and phrase start of the class,
 * so the other tokens need no look-up.
 */
export function anyPhrase(
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

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
