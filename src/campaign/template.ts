/**
 * Message templates: `{name}` is a variable, `{{` and `}}` are literal braces. An unknown
 * variable is an error at validation time, never posted as-is.
 */

export const TEMPLATE_VARIABLES = {
  campaign: 'the campaign name',
  hashtags: 'the campaign hashtags, e.g. "#WeStandTogether #StandWithBelgium"',
  date: 'the post date in the campaign language, e.g. "22 March 2026"',
  weekday: 'the weekday, e.g. "Sunday"',
  time: 'the post time, 24-hour HH:MM',
  day: 'the day of the campaign, 1 on the start date',
  'link.NAME': 'the link called NAME in `links`',
} as const;

export interface TemplateProblem {
  /** Offset of the problem in the template. */
  index: number;
  message: string;
}

type Token = { kind: 'text'; value: string } | { kind: 'var'; name: string; index: number };

function tokenize(template: string): { tokens: Token[]; problems: TemplateProblem[] } {
  const tokens: Token[] = [];
  const problems: TemplateProblem[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '{' && template[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (ch === '}' && template[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (ch === '{') {
      const close = template.indexOf('}', i);
      if (close === -1) {
        problems.push({ index: i, message: 'a "{" is never closed (write "{{" for a literal brace)' });
        text += template.slice(i);
        break;
      }
      if (text) tokens.push({ kind: 'text', value: text });
      text = '';
      tokens.push({ kind: 'var', name: template.slice(i + 1, close).trim(), index: i });
      i = close + 1;
    } else if (ch === '}') {
      problems.push({ index: i, message: 'a "}" has no opening "{" (write "}}" for a literal brace)' });
      text += ch;
      i++;
    } else {
      text += ch;
      i++;
    }
  }
  if (text) tokens.push({ kind: 'text', value: text });
  return { tokens, problems };
}

/** Problems in a template: unknown variables, unknown links, unbalanced braces. */
export function checkTemplate(template: string, linkNames: readonly string[]): TemplateProblem[] {
  const { tokens, problems } = tokenize(template);
  for (const token of tokens) {
    if (token.kind !== 'var') continue;
    if (token.name.startsWith('link.')) {
      const link = token.name.slice(5);
      if (!linkNames.includes(link)) {
        const known = linkNames.length ? linkNames.join(', ') : 'none defined';
        problems.push({ index: token.index, message: `unknown link {${token.name}} (links: ${known})` });
      }
    } else if (!(token.name in TEMPLATE_VARIABLES)) {
      const known = Object.keys(TEMPLATE_VARIABLES)
        .map((v) => `{${v}}`)
        .join(', ');
      problems.push({ index: token.index, message: `unknown variable {${token.name}}; known: ${known}` });
    }
  }
  return problems;
}

export function usesVariable(template: string, name: string): boolean {
  return tokenize(template).tokens.some((t) => t.kind === 'var' && t.name === name);
}

/** Fills a checked template; throws on an unknown variable (validation should have caught it). */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const { tokens } = tokenize(template);
  return tokens
    .map((token) => {
      if (token.kind === 'text') return token.value;
      const value = values[token.name];
      if (value === undefined) throw new Error(`template variable {${token.name}} has no value`);
      return value;
    })
    .join('');
}
