/**
 * The plain text of the HTML a Mastodon instance serves (pure; the length rules are in
 * src/campaign/limits.ts with the other networks').
 */

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return whole;
      // A lone surrogate is no character: shown as the replacement character, as a browser does.
      return code >= 0xd800 && code <= 0xdfff ? '\ufffd' : String.fromCodePoint(code);
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * One piece of HTML: a comment, a tag (quoted attribute values may hold `>`), text, or a `<` that
 * opens no tag (kept as text, as a browser does). Each character of a tag has one way to match,
 * and a tag never spans a `<` outside quotes, so hostile input cannot make the scan slow.
 */
const TOKEN =
  /<!--[\s\S]*?(?:-->|$)|<([/]?)([a-z][a-z0-9-]*)((?:[^<>=]|=\s*"[^"]*"|=\s*'[^']*'|=(?!\s*["']))*)>|[^<]+|</gi;
/** Elements whose content is never shown. */
const HIDDEN_ELEMENTS = new Set(['script', 'style', 'template', 'noscript', 'title']);
/** Elements whose end starts a new line. */
const BLOCK_ELEMENTS = new Set([
  'blockquote',
  'li',
  'pre',
  'div',
  'ul',
  'ol',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
]);

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(
    attributes,
  );
  return match ? decodeEntities(match[1] ?? match[2] ?? match[3] ?? '') : undefined;
}

/**
 * The plain text of a status's HTML content, for scoring and comparison: the text a reader sees.
 * Paragraphs become blank lines, <br> a newline. A link Mastodon shortens (its "invisible" spans
 * hold the parts it hides) reads as its full address; text in an invisible span that does not
 * spell out its link's address, or outside a link, is not seen and not read. Scripts, styles and
 * comments are dropped with what they hold.
 */
export function htmlToText(html: string): string {
  let out = '';
  /** One entry per open span: whether it hides its content. */
  const spans: boolean[] = [];
  let link: { href: string | undefined; all: string; shown: string } | undefined;
  const closeLink = () => {
    if (!link) return;
    // Mastodon's shortened link: the hidden and shown parts together spell the address.
    out += link.href !== undefined && link.all.trim() === link.href ? link.all.trim() : link.shown;
    link = undefined;
  };
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(html); match; match = TOKEN.exec(html)) {
    const [token, slash, rawName, attributes = ''] = match;
    if (token.startsWith('<!--')) continue;
    if (rawName === undefined) {
      const text = decodeEntities(token);
      const hidden = spans.includes(true);
      if (link) {
        link.all += text;
        if (!hidden) link.shown += text;
      } else if (!hidden) out += text;
      continue;
    }
    const name = rawName.toLowerCase();
    const closing = slash === '/';
    if (!closing && HIDDEN_ELEMENTS.has(name)) {
      // Skip to the element's end tag; one never closed hides the rest.
      const end = new RegExp(`</${name}\\s*>`, 'gi');
      end.lastIndex = TOKEN.lastIndex;
      const found = end.exec(html);
      TOKEN.lastIndex = found ? end.lastIndex : html.length;
      continue;
    }
    const newline = (text: string) => {
      if (link) {
        link.all += text;
        link.shown += text;
      } else out += text;
    };
    if (name === 'br') newline('\n');
    else if (name === 'p') {
      closeLink();
      out += '\n\n';
    } else if (closing && BLOCK_ELEMENTS.has(name)) {
      closeLink();
      // Nested blocks ending together (</li></ul>) end one line.
      if (!out.endsWith('\n')) out += '\n';
    } else if (name === 'span') {
      if (closing) spans.pop();
      else spans.push(/(?:^|\s)invisible(?:\s|$)/i.test(attribute(attributes, 'class') ?? ''));
    } else if (name === 'a') {
      closeLink();
      if (!closing) link = { href: attribute(attributes, 'href'), all: '', shown: '' };
    }
  }
  closeLink();
  return out
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Text as sent and as served, reduced to the same form (to recognise our own status). */
export function comparableStatusText(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\s+/g, ' ')
    .trim();
}
