import { describe, expect, it } from 'vitest';
import { measureMastodon } from './platform.ts';
import { comparableStatusText, htmlToText } from './text.ts';

describe('htmlToText', () => {
  it('reads Mastodon content as the text a person sees, links in full', () => {
    const html =
      '<p><span class="h-card" translate="no"><a href="https://a.example/@sam" class="u-url mention">@<span>sam</span></a></span> ' +
      'Solidarity &amp; love &lt;3 don&#39;t give up<br />Report: <a href="https://example.org/report/hate-crime-online" rel="nofollow noopener" target="_blank">' +
      '<span class="invisible">https://</span><span class="ellipsis">example.org/report/hate-cri</span><span class="invisible">me-online</span></a></p>' +
      '<p><a href="https://a.example/tags/WeStandTogether" class="mention hashtag" rel="tag">#<span>WeStandTogether</span></a> &#x1F49B;</p>';
    expect(htmlToText(html)).toBe(
      "@sam Solidarity & love <3 don't give up\nReport: https://example.org/report/hate-crime-online\n\n#WeStandTogether 💛",
    );
  });

  it('leaves unknown entities and plain text alone', () => {
    expect(htmlToText('a &bogus; b &#0; c')).toBe('a &bogus; b &#0; c');
    expect(comparableStatusText('x  https://a.example/1\n y')).toBe('x <url> y');
  });
});

describe('measureMastodon', () => {
  it('counts graphemes, every URL at the reserved length and a remote mention by its local part', () => {
    expect(measureMastodon('👩‍👩‍👧 ok')).toMatchObject({ length: 4, limit: 500, fits: true });
    const url = `https://example.org/${'a'.repeat(200)}`;
    expect(measureMastodon(`see ${url}.`).length).toBe(4 + 23 + 1);
    expect(measureMastodon('hi @sam@mastodon.social').length).toBe('hi @sam'.length);
    expect(measureMastodon(`see ${url}`, { maxCharacters: 20, charactersReservedPerUrl: 10 })).toMatchObject({
      length: 14,
      limit: 20,
      fits: true,
    });
    expect(measureMastodon('x'.repeat(501)).fits).toBe(false);
  });
});
