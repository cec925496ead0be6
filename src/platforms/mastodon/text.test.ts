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

describe('htmlToText on hostile content', () => {
  it('decodes entities once: named, decimal, hex, double-encoded, out of range', () => {
    expect(htmlToText('<p>&amp;lt;b&amp;gt; &#60;i&#62; &#x3C;s&#X3E; &quot;q&quot; &apos;</p>')).toBe(
      '&lt;b&gt; <i> <s> "q" \'',
    );
    expect(htmlToText('&#xD83D; &#1114112; &#9999999999; &#x0;')).toBe(
      '\ufffd &#1114112; &#9999999999; &#x0;',
    );
  });

  it('keeps text written with < and > (served escaped, or a stray < that opens no tag)', () => {
    expect(htmlToText('<p>1 &lt; 2 &gt; 0</p>')).toBe('1 < 2 > 0');
    expect(htmlToText('a < b and c > d')).toBe('a < b and c > d');
  });

  it('drops scripts, styles and comments with what they hold, even with > in them', () => {
    expect(htmlToText('<p>ok<script>if (a > b) alert("<p>x</p>")</script> go</p>')).toBe('ok go');
    expect(htmlToText('<STYLE type="text/css">p > a {}</STYLE>kept')).toBe('kept');
    expect(htmlToText('a<!-- <p>hidden</p> -> > -->b')).toBe('ab');
    expect(htmlToText('a<script>never closed')).toBe('a');
  });

  it('does not leak attribute text when an attribute holds > or quotes', () => {
    expect(htmlToText('<a href="https://x.example/?a>b" title=\'1 > 2\'>link</a> text')).toBe('link text');
    expect(htmlToText('<span data-x="&quot;>&lt;b&gt;">seen</span>')).toBe('seen');
  });

  it('turns <br> in every spelling and nested paragraphs into line breaks', () => {
    expect(htmlToText('a<br>b<BR/>c<br />d<br class="x">e')).toBe('a\nb\nc\nd\ne');
    expect(htmlToText('<p>one</p><p class="x">two</p>\n<p><b><i>three</i></b></p>')).toBe(
      'one\n\ntwo\n\nthree',
    );
    expect(htmlToText('<blockquote><p>quoted</p></blockquote><p>reply</p>')).toBe('quoted\n\nreply');
    expect(htmlToText('<ul><li>one</li><li>two</li></ul>after')).toBe('one\ntwo\nafter');
  });

  it('shows a shortened link in full, but text hidden in an invisible span only where it is that link', () => {
    const shortened =
      '<a href="https://example.org/report/hate-crime-online?a=1&amp;b=2"><span class="invisible">https://</span>' +
      '<span class="ellipsis">example.org/report/hate-cri</span><span class="invisible">me-online?a=1&amp;b=2</span></a>';
    expect(htmlToText(`<p>Report: ${shortened}</p>`)).toBe(
      'Report: https://example.org/report/hate-crime-online?a=1&b=2',
    );
    // Text a reader never sees, outside a link or not spelling the link's address, is not read.
    expect(htmlToText('<p>kind words<span class="invisible"> hidden slur</span></p>')).toBe('kind words');
    expect(
      htmlToText('<a href="https://x.example/">click <span class="invisible">hidden slur</span>here</a>'),
    ).toBe('click here');
    expect(htmlToText('<span class="foo invisible bar"><span>deep</span> hidden</span>shown')).toBe('shown');
    // A mention and a hashtag read as shown.
    expect(
      htmlToText(
        '<a href="https://a.example/@sam" class="u-url mention">@<span>sam</span></a> <a href="https://a.example/tags/Tag" class="mention hashtag" rel="tag">#<span>Tag</span></a>',
      ),
    ).toBe('@sam #Tag');
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
