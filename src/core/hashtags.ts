/**
 * Hashtags: read from text the way the platforms do (a '#' not preceded by a word character,
 * then letters, marks, digits or '_', at least one of them not a digit), compared lower-case.
 */

const HASHTAG = /(?<![\p{L}\p{M}\p{N}_&/#＃])[#＃]([\p{L}\p{M}\p{N}_]+)/gu;

/** A hashtag as stored and compared: NFC, lower-case, no leading '#'. */
export function normaliseHashtag(tag: string): string {
  return tag
    .replace(/^[#＃]/, '')
    .normalize('NFC')
    .toLowerCase();
}

/** Every hashtag in the text, normalised, in order, without repeats. */
export function hashtagsInText(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(HASHTAG)) {
    const tag = match[1]!;
    if (/^\p{N}+$/u.test(tag)) continue;
    found.add(normaliseHashtag(tag));
  }
  return [...found];
}

/** The union of tags the platform reported (facets, entities) and tags read from the text. */
export function mergeHashtags(reported: readonly string[], text: string): string[] {
  const all = new Set(reported.map(normaliseHashtag));
  for (const tag of hashtagsInText(text)) all.add(tag);
  return [...all].filter((t) => t.length > 0);
}

/** The monitored tags among `tags` (both already normalised). */
export function matchingTags(tags: readonly string[], monitored: ReadonlySet<string>): string[] {
  return tags.filter((t) => monitored.has(t));
}
