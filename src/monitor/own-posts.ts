/**
 * Recognising the campaign's own posts, and reposts or plain copies of them: supporters are asked
 * to post the same message together, so a copy of it is support, never hate. A copy with words
 * added is not "own": it is scored like any other mention.
 */

const URL = /\bhttps?:\/\/\S+/giu;
const REPOST_PREFIX = /^\s*(?:rt|repost(?:ed)?|via)\s*@[\p{L}\p{N}_.:-]+\s*:?\s*/iu;
const TRUNCATION = /(?:…|\.\.\.)\s*$/u;

/** Case-, space-, URL- and punctuation-insensitive form used for comparison. */
export function comparableText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(REPOST_PREFIX, '')
    .replace(URL, ' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}#@]+/gu, ' ')
    .trim();
}

export interface OwnPostMatcher {
  /** True when the mention is one of the campaign's messages, a repost or a truncated copy of one. */
  isOwnText(text: string): boolean;
  /** True when the author is one of the campaign's own accounts (id or handle, any case). */
  isOwnAuthor(authorId: string, authorHandle: string): boolean;
}

export function ownPostMatcher(messages: readonly string[], accounts: readonly string[]): OwnPostMatcher {
  const own = messages.map(comparableText).filter((m) => m.length > 0);
  const ownSet = new Set(own);
  const ids = new Set(accounts.map((a) => a.replace(/^@/, '').toLowerCase()));
  return {
    isOwnText(text) {
      const truncated = TRUNCATION.test(text);
      const candidate = comparableText(text.replace(TRUNCATION, ''));
      if (candidate.length === 0) return false;
      if (ownSet.has(candidate)) return true;
      // X shortens long reposts with "…": a prefix of at least 40 characters of a message counts.
      return truncated && candidate.length >= 40 && own.some((m) => m.startsWith(candidate));
    },
    isOwnAuthor(authorId, authorHandle) {
      return ids.has(authorId.toLowerCase()) || ids.has(authorHandle.replace(/^@/, '').toLowerCase());
    },
  };
}
