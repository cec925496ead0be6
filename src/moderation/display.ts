/**
 * Preparing hostile mention text for display, pure. Mentions are written by people who want to
 * hurt or trick the reader, so before text reaches a page or a terminal it is split into plain and
 * highlighted segments (from the scorer's span offsets), and characters that could change how the
 * surrounding page or terminal looks are made visible instead of being obeyed.
 * The evidence export keeps the exact captured text; only what is shown is changed.
 */
import type { Reason } from '../core/verdict.ts';

export interface Segment {
  text: string;
  /** The rules whose matched span covers this segment (empty for plain text). */
  rules: string[];
}

/**
 * English function words (articles, pronouns, prepositions, conjunctions, auxiliaries). A matched
 * span made only of these is not shown as evidence: "the" or "they are" says nothing by itself,
 * even when a model feature included it.
 */
const FUNCTION_WORDS = new Set(
  (
    'a an the this that these those some any each every all both no not ' +
    'i me my mine we us our ours you your yours he him his she her hers it its they them their theirs ' +
    'who whom whose which what there here ' +
    'of to in on at by for from with without about into onto over under as than like ' +
    'and or but nor so yet if then because while when where ' +
    'is am are was were be been being do does did have has had will would shall should can could may might must ' +
    "'s 's s re ve ll d t"
  ).split(' '),
);

/** True when every word of `text` is a function word (or it has no word at all). */
export function onlyFunctionWords(text: string): boolean {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  return words.every((w) => FUNCTION_WORDS.has(w) || FUNCTION_WORDS.has(w.replace(/'.*$/, '')));
}

/**
 * Splits `text` at the reasons' span offsets (UTF-16, as the scorer reports them). Spans that are
 * out of range, empty, or do not match their recorded text are ignored rather than trusted.
 * Overlapping spans are merged, listing every rule that covers a segment.
 */
export function highlightSegments(text: string, reasons: readonly Reason[]): Segment[] {
  const cuts = new Set<number>([0, text.length]);
  const spans: Array<{ start: number; end: number; rule: string }> = [];
  for (const reason of reasons) {
    const span = reason.span;
    if (!span) continue;
    const { start, end } = span;
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start < 0 ||
      end > text.length ||
      start >= end
    ) {
      continue;
    }
    if (typeof span.text === 'string' && text.slice(start, end) !== span.text) continue;
    if (onlyFunctionWords(text.slice(start, end))) continue;
    spans.push({ start, end, rule: reason.rule });
    cuts.add(start);
    cuts.add(end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    if (start === end) continue;
    const rules = spans.filter((s) => s.start <= start && s.end >= end).map((s) => s.rule);
    const unique = [...new Set(rules)];
    const last = segments[segments.length - 1];
    if (last && last.rules.length === 0 && unique.length === 0) last.text += text.slice(start, end);
    else segments.push({ text: text.slice(start, end), rules: unique });
  }
  return segments;
}

/** Cuts segments so their total length is at most `max` UTF-16 units; returns how much was cut. */
export function truncateSegments(
  segments: readonly Segment[],
  max: number,
): { segments: Segment[]; cut: number } {
  const out: Segment[] = [];
  let used = 0;
  let total = 0;
  for (const s of segments) total += s.text.length;
  for (const s of segments) {
    if (used >= max) break;
    const room = max - used;
    if (s.text.length <= room) {
      out.push(s);
      used += s.text.length;
    } else {
      let piece = s.text.slice(0, room);
      // Do not end on the first half of a surrogate pair.
      if (/[\uD800-\uDBFF]$/.test(piece)) piece = piece.slice(0, -1);
      out.push({ text: piece, rules: s.rules });
      used += piece.length;
    }
  }
  return { segments: out, cut: total - used };
}

/** Bidirectional controls (LRE..RLO, LRI..PDI, LRM/RLM/ALM): shown, not obeyed. */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** C0/C1 controls except tab and newline (terminal escapes, carriage returns, NUL). */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
/**
 * Characters that take no space and would hide inside a handle or id ("mod\u200Berator"): soft
 * hyphen, Mongolian vowel separator, zero-width space and non-joiner, word joiner and invisible
 * operators, byte-order mark, and a zero-width joiner unless it follows an emoji (where it joins
 * family and profession emoji and is what the writer meant).
 */
const INVISIBLE =
  /[\u00AD\u180E\u200B\u200C\u2060-\u2064\uFEFF]|(?<!\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}\uFE0F]?)\u200D/gu;
/** Runs of combining marks ("zalgo"): more than this many on one letter are cut. */
const MAX_MARKS = 3;
const MARK_RUN = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, 'gu');
/** Everything `displayPieces` shows as a label instead of obeying it. */
const SHOWN_AS_LABEL = new RegExp(`${BIDI.source}|${CONTROL.source}|${INVISIBLE.source}`, 'gu');
/** The same plus tab and newline: a terminal line must stay one line. */
const SHOWN_AS_LABEL_ONE_LINE = new RegExp(`${SHOWN_AS_LABEL.source}|[\\t\\n]`, 'gu');

export interface DisplayPiece {
  text: string;
  /** A made-visible control character, e.g. "U+202E", rather than text. */
  control?: boolean;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lone surrogates (invalid UTF-16) replaced by U+FFFD, as String#toWellFormed does. */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

function codePointLabel(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Makes text safe to show: lone surrogates become U+FFFD, bidirectional and control characters
 * become visible labels, and long runs of combining marks are cut to three.
 * Returns pieces so a page can style the labels differently from the text.
 */
export function displayPieces(text: string, oneLine = false): DisplayPiece[] {
  const wellFormed = toWellFormed(text).replace(MARK_RUN, '$1');
  const pieces: DisplayPiece[] = [];
  let last = 0;
  const pattern = new RegExp(oneLine ? SHOWN_AS_LABEL_ONE_LINE : SHOWN_AS_LABEL);
  for (const match of wellFormed.matchAll(pattern)) {
    const at = match.index;
    if (at > last) pieces.push({ text: wellFormed.slice(last, at) });
    pieces.push({ text: codePointLabel(match[0]), control: true });
    last = at + match[0].length;
  }
  if (last < wellFormed.length) pieces.push({ text: wellFormed.slice(last) });
  return pieces;
}

/**
 * The one escape for text on a terminal: control, bidi and invisible characters shown as
 * ⟦U+202E⟧, so a hostile handle can neither ring the bell, colour or move the cursor, reverse the
 * line, nor start a new line that looks like the bot's own. `multiline` keeps newlines (a mention's
 * full text in `review show`); every other line stays one line.
 */
export function terminalText(text: string, options: { multiline?: boolean } = {}): string {
  return displayPieces(text, !options.multiline)
    .map((p) => (p.control ? `⟦${p.text}⟧` : p.text))
    .join('');
}
