import { describe, expect, it } from 'vitest';
import { checkTemplate, renderTemplate, usesVariable } from './template.ts';

describe('templates', () => {
  it('fills known variables and links', () => {
    expect(
      renderTemplate('{campaign} on {date}: {link.report}', { campaign: 'C', date: 'D', 'link.report': 'U' }),
    ).toBe('C on D: U');
  });

  it('keeps doubled braces as literal braces', () => {
    expect(renderTemplate('{{not a variable}} {campaign}', { campaign: 'C' })).toBe('{not a variable} C');
    expect(checkTemplate('{{literal}}', [])).toEqual([]);
  });

  it('reports unknown variables with their position', () => {
    const [problem] = checkTemplate('Hello {name}!', []);
    expect(problem?.index).toBe(6);
    expect(problem?.message).toMatch(/unknown variable \{name\}/);
  });

  it('reports unknown links, naming the known ones', () => {
    const [problem] = checkTemplate('{link.police}', ['report']);
    expect(problem?.message).toBe('unknown link {link.police} (links: report)');
  });

  it('reports unbalanced braces', () => {
    expect(checkTemplate('oops {campaign', [])[0]?.message).toMatch(/never closed/);
    expect(checkTemplate('oops } here', [])[0]?.message).toMatch(/no opening/);
  });

  it('knows whether a template places the hashtags itself', () => {
    expect(usesVariable('a {hashtags} b', 'hashtags')).toBe(true);
    expect(usesVariable('a {{hashtags}} b', 'hashtags')).toBe(false);
  });

  it('refuses to render an unknown variable', () => {
    expect(() => renderTemplate('{nope}', {})).toThrow(/nope/);
  });
});
