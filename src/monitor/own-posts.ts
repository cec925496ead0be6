/**
 * Recognising the campaign's own posts, and reposts or plain copies of them: supporters are asked
 * to post the same message together, so a copy of it is support, never hate. A copy with words
 * added is not "own": it is scored like any other mention.
 */

const URL = /\bhttps?:\/\/\S+/giu;
/** Stands for a template variable whose value changes per post ({date}, {time}…). */
export const OWN_TEXT_WILDCARD = 'xxownvariablexx';
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function ownPostMatcher(messages: readonly string[], accounts: readonly string[]): OwnPostMatcher {
  const comparable = messages.map(comparableText).filter((m) => m.length > 0);
  const own = comparable.filter((m) => !m.includes(OWN_TEXT_WILDCARD));
  const ownSet = new Set(own);
  // Messages with variables: each variable matches a few words, nothing else changes.
  const patterns = comparable
    .filter((m) => m.includes(OWN_TEXT_WILDCARD))
    .map(
      (m) =>
        new RegExp(`^${m.split(OWN_TEXT_WILDCARD).map(escapeRegExp).join('[\\p{L}\\p{N} ]{1,40}?')}$`, 'u'),
    );
  const ids = new Set(accounts.map((a) => a.replace(/^@/, '').toLowerCase()));
  return {
    isOwnText(text) {
      const truncated = TRUNCATION.test(text);
      const candidate = comparableText(text.replace(TRUNCATION, ''));
      if (candidate.length === 0) return false;
      if (ownSet.has(candidate)) return true;
      if (patterns.some((p) => p.test(candidate))) return true;
      // X shortens long reposts with "…": a prefix of at least 40 characters of a message counts.
      return truncated && candidate.length >= 40 && own.some((m) => m.startsWith(candidate));
    },
    isOwnAuthor(authorId, authorHandle) {
      return ids.has(authorId.toLowerCase()) || ids.has(authorHandle.replace(/^@/, '').toLowerCase());
    },
  };
}
