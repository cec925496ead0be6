/** A verdict on a mention: the scorer gives it, the monitor, the store and moderation keep and show it. */

/** Why a mention was (or was not) flagged: one rule, with the span it matched in the original text. */
export interface Reason {
  rule: string;
  explanation: string;
  /** UTF-16 offsets into the original text: text.slice(start, end) is what matched. */
  span?: { start: number; end: number; text: string };
  weight?: number;
}

export type Severity = 'none' | 'low' | 'medium' | 'high';

export interface Verdict {
  flagged: boolean;
  /** 0..1 */
  score: number;
  severity: Severity;
  /** AFINN comparative score from the `sentiment` package; a signal only, never flags alone. */
  sentiment: number;
  reasons: Reason[];
  /** The language whose lexicon was used ('en', 'fr', 'nl'). */
  lang?: string;
}
