/**
 * Lexicons and patterns: the data files in `src/scoring/data/<lang>.json`, their schema, and their
 * compiled form. Pure: the loader (`load.ts`) reads the files and hands the parsed JSON here.
 */
import { z } from 'zod';
import type { Misspellings } from './evasion.ts';
import { foldTerm, type KnownTerms, type Resolution, type SeenWord } from './normalise.ts';

const Term = z.string().min(1);

export const SlurSchema = z.object({
  term: Term,
  /** Other spellings that are not obfuscations (established variants); plurals are handled. */
  variants: z.array(Term).default([]),
  severity: z.enum(['low', 'medium', 'high']),
  /** Protected characteristic the slur targets. */
  group: z.string(),
  /** Used in-group or reclaimed (e.g. in African-American English): never flags on its own. */
  reclaimable: z.boolean().default(false),
  /**
   * Also an ordinary word ("fag": a cigarette): words that signal the ordinary sense nearby ("have a",
   * "smoke"). With one of them within a few words, the slur counts only in hostile context.
   */
  ordinary: z.array(Term).default([]),
});

export const PatternSchema = z.object({
  id: z.string().regex(/^[a-z_]+\.[a-z0-9_]+$/),
  /** Rule family: threat, exclusion, dehumanisation, derogation, collective_blame. */
  rule: z.enum(['threat', 'exclusion', 'dehumanisation', 'derogation', 'collective_blame', 'coded']),
  weight: z.number().min(0).max(1),
  explanation: z.string().min(1),
  /**
   * Space-separated elements over normalised words: `word`, `a|b` (alternatives), `{class}` (a word
   * or phrase of a class), `~N` (up to N other words).
   */
  pattern: z.string().min(1),
  /** A negator just before or inside the match cancels it ("X are not ..."). Default true. */
  negatable: z.boolean().default(true),
});

export const LexiconSchema = z.object({
  language: z.string().regex(/^[a-z]{2}$/),
  name: z.string(),
  sources: z.array(z.object({ what: z.string(), source: z.string(), licence: z.string() })).min(1),
  /** Common function words, for language detection. */
  detect: z.array(Term).min(5),
  slurs: z.array(SlurSchema),
  /** Identity terms for protected groups, by characteristic. */
  identity: z.record(z.string(), z.array(Term)),
  /** Words and phrases that refer to a group without naming it ("these people"). */
  groupReferences: z.array(Term),
  /** Pronouns that refer to a group only with "all"/"every" nearby or a group named in the post. */
  weakGroupReferences: z.array(Term).default([]),
  /** Named word classes used by patterns: {dehumanising}, {trait}, {threat}, {be}, ... */
  classes: z.record(z.string(), z.array(Term)),
  profanity: z.array(Term),
  negators: z.array(Term),
  /**
   * Judgements of reported abuse ("disgusting", "not ok", "reported it"): with the abuse quoted or
   * reported, counter-speech. Never solidarity phrases: those say nothing about the words around them.
   */
  counterSpeech: z.array(Term),
  /** Words that introduce reported speech ("said", "calling", "chanting", "threatening to"). */
  reporting: z.array(Term).default([]),
  /** A victim's report of abuse aimed at them ("called me", "was called"): counter-speech alone. */
  victimReport: z.array(Term).default([]),
  /** Who reported speech is attributed to ("people", "someone", "those"). */
  attribution: z.array(Term).default([]),
  /**
   * Phrases that aim a post at the perpetrators as individuals ("whoever did this", "the gunman"):
   * without a protected group or slur in the post, abuse of them is not hate. Optional per language.
   */
  individualTarget: z.array(Term).default([]),
  patterns: z.array(PatternSchema),
});

export type LexiconFile = z.infer<typeof LexiconSchema>;
export type Slur = z.infer<typeof SlurSchema>;

export interface CompiledPattern {
  id: string;
  /** The part of the id after the family ("against_group"). */
  name: string;
  rule: CompiledRule;
  weight: number;
  explanation: string;
  negatable: boolean;
  elements: Element[];
  /** Classes that must appear in the post for the pattern to be tried. */
  requires: string[];
}

type CompiledRule = LexiconFile['patterns'][number]['rule'];

export type Element =
  | { kind: 'words'; words: ReadonlySet<string> }
  | { kind: 'class'; name: string; cls: WordClass }
  | { kind: 'gap'; max: number };

/** A class of single words and multi-word phrases. */
export interface WordClass {
  words: Set<string>;
  /** Phrases by their first word. */
  phrases: Map<string, string[][]>;
}

export interface Lexicon {
  language: string;
  name: string;
  sources: LexiconFile['sources'];
  detect: Set<string>;
  /** Canonical slur term by every folded spelling. */
  slurs: Map<string, Slur>;
  /** Identity term → characteristic. */
  identityGroup: Map<string, string>;
  classes: Map<string, WordClass>;
  profanity: Set<string>;
  negators: Set<string>;
  counterSpeech: WordClass;
  reporting: WordClass;
  victimReport: WordClass;
  attribution: Set<string>;
  individualTarget: WordClass;
  patterns: CompiledPattern[];
  /** Every single word this lexicon knows (for normalisation). */
  known: Set<string>;
  /** For each word: the classes it belongs to, or starts a phrase of (to skip patterns quickly). */
  wordClasses: Map<string, string[]>;
}

/** A word and its plural forms ("muslim" → "muslims"), so every lexicon reads plurals alike. */
export function inflections(word: string): string[] {
  if (word.length < 3 || !/[a-z]$/.test(word)) return [word];
  if (/(s|x|z|ch|sh)$/.test(word)) return [word, `${word}es`];
  return [word, `${word}s`];
}

function makeClass(entries: readonly string[], inflect = false): WordClass {
  const cls: WordClass = { words: new Set(), phrases: new Map() };
  for (const entry of entries) {
    const words = foldTerm(entry).split(' ');
    if (words.length === 1) for (const w of inflect ? inflections(words[0]!) : words) cls.words.add(w);
    else {
      const list = cls.phrases.get(words[0]!) ?? [];
      list.push(words);
      cls.phrases.set(words[0]!, list);
    }
  }
  return cls;
}

function mergeClass(into: WordClass, from: WordClass): void {
  for (const w of from.words) into.words.add(w);
  for (const [first, list] of from.phrases)
    into.phrases.set(first, [...(into.phrases.get(first) ?? []), ...list]);
}

/** Compiles one lexicon file; throws an Error naming the pattern when a pattern is malformed. */
export function compileLexicon(file: LexiconFile): Lexicon {
  const classes = new Map<string, WordClass>();
  const identityGroup = new Map<string, string>();
  const identity = makeClass([]);
  for (const [group, terms] of Object.entries(file.identity)) {
    const cls = makeClass(terms, true);
    mergeClass(identity, cls);
    classes.set(`identity_${group}`, cls);
    for (const t of terms) {
      const folded = foldTerm(t);
      for (const form of folded.includes(' ') ? [folded] : inflections(folded))
        identityGroup.set(form, group);
    }
  }
  classes.set('identity', identity);
  const slurs = new Map<string, Slur>();
  const slurClass = makeClass([]);
  for (const slur of file.slurs) {
    for (const spelling of [slur.term, ...slur.variants]) {
      const folded = foldTerm(spelling);
      for (const form of folded.includes(' ') ? [folded] : inflections(folded)) slurs.set(form, slur);
      mergeClass(slurClass, makeClass([folded], true));
    }
  }
  classes.set('slur', slurClass);
  const groupRefs = makeClass(file.groupReferences);
  classes.set('groupref', groupRefs);
  classes.set('weakref', makeClass(file.weakGroupReferences));
  // {group}: a protected group named, a slur, or an indirect reference.
  const group = makeClass([]);
  mergeClass(group, identity);
  mergeClass(group, groupRefs);
  mergeClass(group, slurClass);
  classes.set('group', group);
  for (const [name, entries] of Object.entries(file.classes)) {
    classes.set(name, makeClass(entries, name === 'dehumanising' || name === 'trait' || name === 'place'));
  }
  classes.set('profanity', makeClass(file.profanity));
  classes.set('negator', makeClass(file.negators));

  const patterns: CompiledPattern[] = file.patterns.map((p) => {
    const elements: Element[] = [];
    const requires: string[] = [];
    for (const part of p.pattern.trim().split(/\s+/)) {
      const gap = /^~(\d)$/.exec(part);
      const cls = /^\{([a-z_]+)\}$/.exec(part);
      if (gap) elements.push({ kind: 'gap', max: Number(gap[1]) });
      else if (cls) {
        if (!classes.has(cls[1]!)) {
          throw new Error(`pattern ${p.id}: unknown class {${cls[1]}} in "${p.pattern}"`);
        }
        elements.push({ kind: 'class', name: cls[1]!, cls: classes.get(cls[1]!)! });
        requires.push(cls[1]!);
      } else elements.push({ kind: 'words', words: new Set(part.split('|').map(foldTerm)) });
    }
    if (elements[0]?.kind === 'gap' || elements.at(-1)?.kind === 'gap') {
      throw new Error(`pattern ${p.id}: cannot start or end with a gap in "${p.pattern}"`);
    }
    return {
      id: p.id,
      name: p.id.slice(p.id.indexOf('.') + 1),
      rule: p.rule,
      weight: p.weight,
      explanation: p.explanation,
      negatable: p.negatable,
      elements,
      requires,
    };
  });

  const wordClasses = new Map<string, string[]>();
  for (const [name, cls] of classes) {
    for (const w of [...cls.words, ...cls.phrases.keys()]) {
      const list = wordClasses.get(w) ?? [];
      if (!list.includes(name)) list.push(name);
      wordClasses.set(w, list);
    }
  }
  const known = new Set<string>();
  for (const cls of classes.values()) {
    for (const w of cls.words) known.add(w);
    for (const list of cls.phrases.values()) for (const words of list) for (const w of words) known.add(w);
  }
  return {
    language: file.language,
    name: file.name,
    sources: file.sources,
    detect: new Set(file.detect.map(foldTerm)),
    slurs,
    identityGroup,
    classes,
    profanity: new Set(file.profanity.map(foldTerm)),
    negators: new Set(file.negators.map(foldTerm)),
    counterSpeech: makeClass(file.counterSpeech),
    reporting: makeClass(file.reporting),
    victimReport: makeClass(file.victimReport),
    attribution: new Set(file.attribution.map(foldTerm)),
    individualTarget: makeClass(file.individualTarget),
    patterns,
    known,
    wordClasses,
  };
}

/** Plural and informal suffixes tried when a word is not known as written. */
function stems(word: string): string[] {
  const out: string[] = [];
  if (word.endsWith("'s")) out.push(word.slice(0, -2));
  if (word.endsWith('ies')) out.push(`${word.slice(0, -3)}y`);
  if (word.endsWith('es')) out.push(word.slice(0, -2));
  if (word.endsWith('s') || word.endsWith('z')) out.push(word.slice(0, -1));
  if (word.endsWith('en') || word.endsWith('ers')) out.push(word.slice(0, -2)); // Dutch plural "-en"
  if (word.endsWith('x')) out.push(word.slice(0, -1)); // French plural "-x"
  return out;
}

/** How many unknown words the index remembers before starting afresh (memory stays bounded). */
const RESOLVED_MAX = 200_000;

/** A seen word with the low bits of its hash, to pass over most other words without reading them. */
interface SeenEntry extends SeenWord {
  /** `hash & HASH_CHECK`: small enough to be stored in the object as is (no boxed number). */
  check: number;
}

const HASH_CHECK = 0x3fffffff;

/** FNV-1a over the UTF-16 code units of text[start, end). */
function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * Words seen so far and how they resolved, in an open-addressing table keyed by a hash of the
 * characters. Unlike a Map, it can be asked about a word straight from the post's text, without
 * cutting the word out as a new string first: nearly every word of a post has been seen before.
 */
class SeenWords {
  /**
   * The entries themselves by slot (undefined: empty), each holding low bits of its word's hash: a
   * look-up reads the slot and the entry, no index in between. Kept at most half full.
   */
  private slots: Array<SeenEntry | undefined> = Array.from({ length: 1 << 12 }, () => undefined);
  size = 0;

  /** The entry for text[start, end), or undefined. */
  find(text: string, start: number, end: number, hash: number): SeenWord | undefined {
    const slots = this.slots;
    const mask = slots.length - 1;
    const length = end - start;
    const check = hash & HASH_CHECK;
    for (let slot = (hash ^ (hash >>> 15)) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot];
      if (entry === undefined) return undefined;
      if (entry.check !== check) continue;
      const word = entry.word;
      if (word.length !== length) continue;
      let same = true;
      for (let k = 0; k < length && same; k++) same = word.charCodeAt(k) === text.charCodeAt(start + k);
      if (same) return entry;
    }
  }

  /** Adds a word that `find` did not find. */
  add(word: string, hash: number, resolution: Resolution | null): SeenWord {
    const entry: SeenEntry = {
      word,
      term: resolution?.term,
      data: resolution?.data,
      misspelt: resolution?.misspelt ?? false,
      check: hash & HASH_CHECK,
    };
    this.size++;
    if (this.size * 2 > this.slots.length) this.grow();
    this.place(entry, hash);
    return entry;
  }

  private place(entry: SeenEntry, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = (hash ^ (hash >>> 15)) & mask;
    while (this.slots[slot] !== undefined) slot = (slot + 1) & mask;
    this.slots[slot] = entry;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = Array.from({ length: old.length * 2 }, () => undefined);
    for (const entry of old) if (entry) this.place(entry, hashRange(entry.word, 0, entry.word.length));
  }
}

/** The words every lexicon knows, with plural and suffix forms, and `*`-masked spellings. */
export class TermIndex implements KnownTerms {
  private readonly words = new Set<string>();
  private readonly byLength = new Map<number, string[]>();
  /** Extra words that carry data but are not terms to reveal (e.g. sentiment and model words). */
  private readonly vocabulary: string[];
  private readonly vocabularySet: Set<string>;
  /** Joined words already split (or not), bounded like the seen words. */
  private readonly splits = new Map<string, string[] | null>();
  /** Every word seen so far and how it resolved; bounded. */
  private seen = new SeenWords();
  private readonly dataOf: (word: string) => unknown;
  /** Misspellings of terms to undo (none without it). */
  private readonly misspellings: Misspellings | undefined;

  /**
   * @param extra more known terms (folded first)
   * @param vocabulary words that carry `data` without being terms
   * @param dataOf the data a resolved word carries (the scorer's facts about the word), looked up once per word
   */
  constructor(
    lexicons: readonly Lexicon[],
    extra: Iterable<string> = [],
    vocabulary: Iterable<string> = [],
    dataOf: (word: string) => unknown = () => undefined,
    /** Misspellings of terms to undo (none without it). */
    misspellings?: Misspellings,
  ) {
    this.dataOf = dataOf;
    this.misspellings = misspellings;
    for (const lex of lexicons) {
      for (const w of lex.known) this.add(w);
      for (const w of lex.counterSpeech.words) this.add(w);
    }
    for (const w of extra) this.add(foldTerm(w));
    this.vocabulary = [...vocabulary];
    this.vocabularySet = new Set(this.vocabulary);
    this.resetResolved();
  }

  private resetResolved(): void {
    this.seen = new SeenWords();
    for (const w of this.words)
      this.seen.add(w, hashRange(w, 0, w.length), { term: w, data: this.dataOf(w) });
    for (const w of this.vocabulary) this.resolveRange(w, 0, w.length);
  }

  private add(word: string): void {
    if (word.length === 0 || this.words.has(word)) return;
    this.words.add(word);
    const list = this.byLength.get(word.length) ?? [];
    list.push(word);
    this.byLength.set(word.length, list);
  }

  /** The known word for `word`, trying suffixes; `*` in `word` stands for any one letter. */
  lookup(word: string): string | undefined {
    return this.resolve(word)?.term;
  }

  /** The term `word` stands for (if any) and the data of that term (or of the word itself). */
  resolve(word: string): Resolution | undefined {
    const seen = this.resolveRange(word, 0, word.length);
    return seen.term === undefined && seen.data === undefined ? undefined : seen;
  }

  resolveRange(text: string, start: number, end: number): SeenWord {
    const hash = hashRange(text, start, end);
    const found = this.seen.find(text, start, end, hash);
    if (found) return found;
    const word = start === 0 && end === text.length ? text : text.slice(start, end);
    const resolution = this.compute(word);
    if (this.seen.size > this.words.size + this.vocabulary.length + RESOLVED_MAX) this.resetResolved();
    return this.seen.add(word, hash, resolution);
  }

  /** How `word` resolves, worked out afresh without the table of seen words (public for its test). */
  compute(word: string): Resolution | null {
    let found: string | undefined;
    let misspelt = false;
    if (this.words.has(word)) found = word;
    else if (word.includes('*')) found = this.masked(word);
    else {
      for (const stem of stems(word)) {
        if (stem.length >= 2 && this.words.has(stem)) {
          found = stem;
          break;
        }
      }
    }
    // A word the model knows as written is a word of the data, not a misspelling.
    if (found === undefined && this.misspellings && this.dataOf(word) === undefined) {
      found = this.misspellings.find(word);
      misspelt = found !== undefined;
    }
    const data = this.dataOf(found ?? word);
    if (found === undefined && data === undefined) return null;
    return misspelt ? { term: found, data, misspelt } : { term: found, data };
  }

  /**
   * The two or three words a run of joined letters stands for ("killallmuslims": kill, all,
   * muslims), when every part is a known word and one is a term looked for when misspelt. Never for
   * an ordinary English word ("transport" is not "trans port").
   */
  split(word: string): string[] | undefined {
    const misspellings = this.misspellings;
    if (!misspellings || !/^[a-z]+$/.test(word) || misspellings.isOrdinary(word)) return undefined;
    const cached = this.splits.get(word);
    if (cached !== undefined) return cached ?? undefined;
    const parts = this.splitParts(word, 2);
    const found = parts?.some((p) => misspellings.terms().has(p)) ? parts : null;
    if (this.splits.size >= RESOLVED_MAX) this.splits.clear();
    this.splits.set(word, found);
    return found ?? undefined;
  }

  private isWord(word: string): boolean {
    return this.words.has(word) || this.vocabularySet.has(word);
  }

  /** Longest known first word, then the rest as one known word or (with `more` left) split again. */
  private splitParts(word: string, more: number): string[] | undefined {
    for (let i = word.length - 2; i >= 2; i--) {
      const head = word.slice(0, i);
      if (!this.isWord(head)) continue;
      const rest = word.slice(i);
      if (this.isWord(rest)) return [head, rest];
      if (more > 1 && rest.length >= 4) {
        const tail = this.splitParts(rest, more - 1);
        if (tail) return [head, ...tail];
      }
    }
    return undefined;
  }

  private masked(word: string): string | undefined {
    const letters = word.replace(/\*/g, '').length;
    if (letters < 2 || letters * 2 < word.length || word[0] === '*') return undefined;
    const tryLen = (w: string): string | undefined => {
      for (const candidate of this.byLength.get(w.length) ?? []) {
        let ok = true;
        for (let i = 0; i < w.length && ok; i++) if (w[i] !== '*' && w[i] !== candidate[i]) ok = false;
        if (ok) return candidate;
      }
      return undefined;
    };
    const direct = tryLen(word);
    if (direct) return direct;
    for (const stem of stems(word)) {
      const hit = tryLen(stem);
      if (hit) return hit;
    }
    return undefined;
  }
}
