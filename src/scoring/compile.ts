/**
 * Compiling the scoring data (lexicons, models, AFINN) into the tables score() reads: every word
 * gets a number, and what each language knows about it goes into typed arrays by that number.
 */
import type { Lexicon } from './lexicon.ts';
import type { Model } from './model.ts';
import type { ScoringData } from './score.ts';
import {
  AFINN_NEGATOR,
  CUE,
  GATE,
  GATE_CLASSES,
  IDENTITY,
  IDENTITY_PHRASE,
  type Language,
  type LexWord,
  languageWords,
  PAIR_BASE,
  PairTable,
  QUANTIFIER,
  QUANTIFIERS,
  REPORTING,
  TAG_NAMES,
  TARGET,
  WEAKREF,
  type WordInfo,
  type WordTable,
} from './tables.ts';

const DEFAULT_LANGUAGE = 'en';

/** The compiled tables of one set of scoring data. */
export interface CompiledTables {
  languages: Language[];
  byCode: Map<string, Language>;
  /** Word numbers (1, 2, ...) by word; the number is what the normaliser attaches to a token. */
  ids: Map<string, number>;
  table: WordTable;
}

/** Compiles scoring data into tables; English first (the default, and the fallback for slurs). */
export function compileTables(data: ScoringData): CompiledTables {
  const builder = new TableBuilder();
  const lexicons = [...data.lexicons.values()].sort((a, b) =>
    a.language === DEFAULT_LANGUAGE
      ? -1
      : b.language === DEFAULT_LANGUAGE
        ? 1
        : a.language < b.language
          ? -1
          : 1,
  );
  for (const lex of lexicons) builder.addLanguage(lex, data.models.get(lex.language));
  for (const [word, score] of data.afinn) builder.info(word).afinn = score;
  for (const word of data.afinnNegators) builder.info(word).afinnNegator = true;
  for (const word of QUANTIFIERS) builder.info(word).quantifier = true;
  builder.compileTable();
  return { languages: builder.languages, byCode: builder.byCode, ids: builder.ids, table: builder.table };
}

class TableBuilder {
  readonly languages: Language[] = [];
  readonly byCode = new Map<string, Language>();
  /** Everything known about each word, while the tables are built. */
  readonly words = new Map<string, WordInfo>();
  readonly ids = new Map<string, number>();
  table: WordTable = {
    afinn: new Float64Array(1),
    flags: new Uint8Array(1),
    langVote: new Int32Array(1),
  };

  compileTable(): void {
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

  info(word: string): WordInfo {
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

  addLanguage(lex: Lexicon, model: Model | undefined): void {
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
      counterSpeech: {
        judgement: lex.counterSpeech,
        reporting: lex.reporting,
        victim: lex.victimReport,
        attribution: lex.attribution,
        pronouns: lex.classes.get('weakref')!.words,
      },
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
}
