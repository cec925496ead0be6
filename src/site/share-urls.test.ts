import { describe, expect, it } from 'vitest';
import { SHARE_NETWORKS } from '../campaign/schema.ts';
import { shareUrl } from './share-urls.ts';

const TRICKY = 'Ensemble 🇧🇪 & unis: #WeStandTogether\nçà ü — 100% “quotes” ?a=1&b=2 +plus';
const PAGE = 'https://example.org/stand/westandtogether/';

/** The text a network's compose screen receives, decoded as a browser does. */
function received(url: string, param: string): string | null {
  if (url.startsWith('mailto:') || url.startsWith('sms:')) {
    const query = url.slice(url.indexOf('?') + 1);
    return new URLSearchParams(query.replace(/\+/g, '%2B')).get(param);
  }
  return new URL(url.replace('{instance}', 'mastodon.example')).searchParams.get(param);
}

describe('share URLs', () => {
  it('carry the exact text to every network that takes text', () => {
    const param = {
      x: 'text',
      bluesky: 'text',
      mastodon: 'text',
      threads: 'text',
      linkedin: 'text',
      whatsapp: 'text',
      telegram: 'text',
      sms: 'body',
    } as const;
    for (const [network, name] of Object.entries(param)) {
      const url = shareUrl(network as keyof typeof param, TRICKY, PAGE, 'Subject');
      expect(received(url, name), network).toBe(TRICKY);
      // Nothing the URL parser could split on is left raw.
      expect(url.split('?')[1], network).not.toMatch(/[#\s+]|&(?!(url|text|body|subject)=)/);
    }
  });

  it('give the page link where the network adds it, and only the link to Facebook', () => {
    expect(received(shareUrl('x', TRICKY, PAGE, 'S'), 'url')).toBe(PAGE);
    expect(received(shareUrl('telegram', TRICKY, PAGE, 'S'), 'url')).toBe(PAGE);
    const facebook = shareUrl('facebook', TRICKY, PAGE, 'S');
    expect(received(facebook, 'u')).toBe(PAGE);
    expect(facebook).not.toContain('Ensemble');
  });

  it('write email bodies with CRLF line breaks and the page link, and the subject', () => {
    const url = shareUrl('email', TRICKY, PAGE, 'We Stand Together & co');
    expect(received(url, 'subject')).toBe('We Stand Together & co');
    expect(received(url, 'body')).toBe(`${TRICKY.replace('\n', '\r\n')}\r\n\r\n${PAGE}`);
  });

  it('cover every network', () => {
    for (const network of SHARE_NETWORKS)
      expect(shareUrl(network, 'a', PAGE, 's')).toMatch(/^(https|mailto|sms):/);
  });
});
