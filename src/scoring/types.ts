/** The scorer's options. The verdict's shape is shared with the rest of the bot (src/core/verdict.ts). */
export type { Reason, Severity, Verdict } from '../core/verdict.ts';

export interface ScoreOptions {
  /** Flag at or above this score (campaign `scoring.threshold`). */
  threshold?: number;
  /** Language of the posts ('en', 'fr', 'nl'; campaign `scoring.language`): no detection. */
  lang?: string;
  /**
   * The language the post's platform declared. A hint only: it decides between languages the
   * text itself shows evidence of, and never turns a post without such evidence away from English.
   */
  declaredLang?: string;
  /** The campaign's own message texts: never flagged. */
  ownMessages?: readonly string[];
  /** The campaign's hashtags (lower case, no '#'): not read as content words. */
  campaignHashtags?: readonly string[];
  /**
   * Protected characteristics whose groups count as targets (campaign `scoring.protect`; default all):
   * the identity terms of the others are read like `neverFlag` words.
   */
  protect?: readonly string[];
  /** Words never counted as hate signals (campaign `scoring.never_flag`), e.g. a group's own name for itself. */
  neverFlag?: readonly string[];
}
