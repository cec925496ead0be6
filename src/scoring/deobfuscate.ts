/**
 * De-obfuscation: spellings that hide a known term (leetspeak, symbols inside a word, letters
 * stretched or spaced out). A spelling is only undone when the result is a known term, so numbers
 * and ordinary words stay as written.
 */
import { type Folded, isLetterCode, origEnd, origStart } from './fold.ts';
import { type KnownTerms, type Token, token } from './token.ts';

const STAR = 42;

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

export function hasTriple(word: string): boolean {
  for (let i = 2; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === word.charCodeAt(i - 1) && c === word.charCodeAt(i - 2)) return true;
  }
  return false;
}

export function collapseRuns(word: string, max: number): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < word.length; i++) {
    const ch = word[i]!;
    run = i > 0 && word[i - 1] === ch ? run + 1 : 1;
    if (run <= max) out += ch;
  }
  return out;
}

interface Revealed {
  term: string;
  repeated: boolean;
  data: unknown;
}

/** Finds the term a word stands for, trying repeated-letter collapses; reports which evasion it undid. */
export function reveal(
  word: string,
  known: KnownTerms,
  direct = known.resolve(word),
  triple = hasTriple(word),
): Revealed | undefined {
  if (direct?.term) return { term: direct.term, repeated: false, data: direct.data };
  // Only deliberate stretching (a letter three or more times) is undone: "aan" is not "an".
  if (!triple) return undefined;
  const two = collapseRuns(word, 2);
  const r2 = known.resolve(two);
  if (r2?.term) return { term: r2.term, repeated: true, data: r2.data };
  const one = collapseRuns(word, 1);
  if (one !== two) {
    const r1 = known.resolve(one);
    if (r1?.term) return { term: r1.term, repeated: true, data: r1.data };
  }
  return undefined;
}

/** The obfuscated reading of a chunk (leet symbols to letters, separators dropped), if it is a known term. */
export function obfuscated(f: Folded, a: number, b: number, known: KnownTerms): Token | undefined {
  let joined = '';
  let masked = false;
  let sawLeet = false;
  let letters = 0;
  for (let i = a; i < b; i++) {
    const ch = f.s[i]!;
    const c = ch.charCodeAt(0);
    if (isLetterCode(c, ch)) {
      joined += ch;
      letters++;
    } else if (LEET[ch] !== undefined) {
      joined += LEET[ch];
      sawLeet = true;
    } else if (c === STAR || ch === '#' || ch === '%') {
      joined += '*';
      masked = true;
    }
  }
  if (letters === 0) return undefined;
  const start = origStart(f, a);
  const end = origEnd(f, b - 1);
  if (masked) {
    if (letters < 2) return undefined;
    const res = known.resolve(joined.replace(/\*+/g, '*'));
    return res?.term ? token(res.term, start, end, 'masked', false, res.data) : undefined;
  }
  const found = reveal(joined, known);
  if (!found) return undefined;
  return token(
    found.term,
    start,
    end,
    sawLeet ? 'leet' : found.repeated ? 'repeated' : 'symbols',
    false,
    found.data,
  );
}

const SPACED_GAP = /^[\s.\-_*]*$/u;

/** Joins runs of single letters ("f a g" or "f.a.g" split by spaces) when they spell a known term. */
export function joinSpaced(tokens: Token[], text: string, known: KnownTerms): Token[] {
  let singles = 0;
  for (const t of tokens) if (t.norm.length === 1) singles++;
  if (singles < 3) return tokens;
  const out: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.norm.length === 1 && isLetterCode(t.norm.charCodeAt(0), t.norm)) {
      let j = i + 1;
      while (
        j < tokens.length &&
        tokens[j]!.norm.length <= 2 &&
        isLetterCode(tokens[j]!.norm.charCodeAt(0), tokens[j]!.norm[0]!) &&
        tokens[j]!.start - tokens[j - 1]!.end <= 3 &&
        SPACED_GAP.test(text.slice(tokens[j - 1]!.end, tokens[j]!.start))
      ) {
        j++;
      }
      let matched = false;
      // Longest prefix of the run that spells a term.
      for (let k = j; k - i >= 3 && !matched; k--) {
        let word = '';
        for (let x = i; x < k; x++) word += tokens[x]!.norm;
        const found = reveal(word, known);
        if (found) {
          out.push(token(found.term, t.start, tokens[k - 1]!.end, 'spaced', false, found.data));
          i = k;
          matched = true;
        }
      }
      if (matched) continue;
    }
    out.push(t);
    i++;
  }
  return out;
}
