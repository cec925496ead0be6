/**
 * The campaign page, its posters and the site index: plain HTML, every campaign text escaped.
 * Everything works without JavaScript except copy, Web Share and the Mastodon server field
 * (assets/share.js reveals those where the browser can do them).
 */
import type { Campaign, ShareLanguage, ShareReport } from '../campaign/schema.ts';
import { type Html, html, raw } from '../dashboard/html.ts';
import { shareTargets } from './share-urls.ts';
import { direction, fill, formatDay, languageName, type SiteStrings, stringsFor } from './strings.ts';

/** The page's own policy, for hosts that send no header: nothing but this site. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'";

export interface PageLinks {
  /** Absolute URL of the campaign page (QR code, share links, Open Graph). */
  pageUrl: string;
  /** Relative path from the page to the site root ("../"). */
  root: string;
  /** Where taps are counted, relative to the page; absent: not counted. */
  countUrl?: string;
}

function head(input: { lang: string; title: string; description: string; root: string; extra?: Html }): Html {
  return html`<!doctype html>
<html lang="${input.lang}" dir="${direction(input.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<title>${input.title}</title>
<meta name="description" content="${input.description}">
${input.extra ?? ''}<link rel="stylesheet" href="${input.root}site.css">
</head>
`;
}

function reportBlock(report: ShareReport, lang: string, s: SiteStrings, level: 2 | 3): Html {
  const heading = raw(`h${level}`);
  return html`<section class="report" aria-labelledby="report-${lang}">
<${heading} id="report-${lang}">${report.title ?? s.report}</${heading}>
${report.intro ? html`<p>${report.intro}</p>` : ''}
${
  report.numbers.length > 0
    ? html`<ul class="numbers">${report.numbers.map(
        (n) =>
          html`<li><a href="tel:${n.number.replace(/[^+0-9]/g, '')}">${n.number}</a> <span>${n.label}</span></li>`,
      )}</ul>`
    : ''
}
${report.links.length > 0 ? html`<ul class="links">${report.links.map((l) => html`<li><a href="${l.url}">${l.label}</a></li>`)}</ul>` : ''}
<p class="checked">${fill(s.checked, { date: '\u0000' })
    .split('\u0000')
    .map((part, i) =>
      i === 0
        ? part
        : html`<time datetime="${report.checked}">${formatDay(report.checked, lang)}</time>${part}`,
    )}</p>
</section>`;
}

function messageBlock(
  campaign: Campaign,
  language: ShareLanguage,
  index: number,
  links: PageLinks,
  s: SiteStrings,
): Html {
  const text = language.messages[index]!;
  const id = `m-${language.lang}-${index}`;
  const targets = shareTargets(campaign.share!.networks, text, links.pageUrl, language.name);
  return html`<article class="message" aria-labelledby="${id}-h">
<h3 id="${id}-h">${fill(s.message, { n: String(index + 1) })}</h3>
<p class="text" id="${id}" dir="auto">${text}</p>
<p class="tools"><button type="button" class="copy" data-copy="${id}" data-done="${s.copied}" hidden>${s.copy}</button>
<button type="button" class="webshare" data-text="${id}" data-title="${language.name}" data-url="${links.pageUrl}" hidden>${s.webShare}</button></p>
<ul class="networks">${targets
    .filter((t) => !t.perInstance)
    .map(
      (t) =>
        html`<li><a href="${t.url}" data-network="${t.network}" target="_blank" rel="noopener noreferrer" aria-label="${fill(s.shareOn, { network: t.label })}">${t.label}</a></li>`,
    )}</ul>
${targets
  .filter((t) => t.perInstance)
  .map(
    (t) =>
      html`<div class="mastodon"><form data-template="${t.url}" data-network="mastodon" hidden><label>${s.mastodonServer} <input name="instance" type="text" inputmode="url" autocomplete="off" spellcheck="false" placeholder="mastodon.social" required></label> <button type="submit">${fill(s.shareOn, { network: t.label })}</button></form><noscript><p class="note">${s.mastodonNoScript}</p></noscript></div>`,
  )}
${campaign.share!.networks.includes('facebook') ? html`<p class="note">${s.facebookNote}</p>` : ''}
</article>`;
}

function languageSection(
  campaign: Campaign,
  language: ShareLanguage,
  first: boolean,
  links: PageLinks,
): Html {
  const s = stringsFor(language.lang);
  return html`<section class="language" id="${language.lang}" lang="${language.lang}" dir="${direction(language.lang)}" aria-labelledby="h-${language.lang}">
<h2 id="h-${language.lang}">${first ? s.send : html`${language.name}: ${s.send.toLocaleLowerCase(language.lang)}`}</h2>
<p class="lead">${s.lead}</p>
${language.messages.map((_, i) => messageBlock(campaign, language, i, links, s))}
${language.report ? reportBlock(language.report, language.lang, s, 3) : ''}
</section>`;
}

/** The Open Graph and Twitter card tags of a campaign page. */
export function previewTags(campaign: Campaign, pageUrl: string, imageUrl: string, imageAlt: string): Html {
  const main = campaign.share!.languages[0]!;
  const description = main.messages[0] ?? campaign.name;
  const locale = main.lang.replace('-', '_');
  return html`<link rel="canonical" href="${pageUrl}">
<meta property="og:type" content="website">
<meta property="og:title" content="${campaign.name}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${pageUrl}">
<meta property="og:locale" content="${locale}">
<meta property="og:image" content="${imageUrl}">
<meta property="og:image:type" content="image/png">
<meta property="og:image:width" content="1200">
<meta property="og:image:height" content="630">
<meta property="og:image:alt" content="${imageAlt}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="${campaign.name}">
<meta name="twitter:description" content="${description}">
<meta name="twitter:image" content="${imageUrl}">
<meta name="twitter:image:alt" content="${imageAlt}">
`;
}

/** The alt text of the link-preview image: what it shows, in words. */
export function previewImageAlt(campaign: Campaign): string {
  const main = campaign.share!.languages[0]!;
  return `${campaign.name}: ${main.messages[0] ?? ''}`.trim();
}

export function campaignPage(campaign: Campaign, links: PageLinks): string {
  const share = campaign.share!;
  const main = share.languages[0]!;
  const s = stringsFor(main.lang);
  const imageUrl = new URL('og.png', links.pageUrl).href;
  const others = share.languages.slice(1);
  return html`${head({
    lang: main.lang,
    title: campaign.name,
    description: main.messages[0] ?? campaign.name,
    root: links.root,
    extra: html`${previewTags(campaign, links.pageUrl, imageUrl, previewImageAlt(campaign))}<script src="${links.root}share.js" defer></script>
`,
  })}<body${links.countUrl ? html` data-campaign="${campaign.id}" data-count="${links.countUrl}"` : ''}>
<header>
<h1>${campaign.name}</h1>
${
  others.length > 0
    ? html`<nav class="langs" aria-label="${s.languages}"><ul>${share.languages.map(
        (l) =>
          html`<li><a href="#${l.lang}" hreflang="${l.lang}" lang="${l.lang}">${languageName(l.lang)}</a></li>`,
      )}</ul></nav>`
    : ''
}
</header>
<main>
${share.languages.map((l, i) => languageSection(campaign, l, i === 0, links))}
<section class="pass-on" aria-labelledby="pass-on">
<h2 id="pass-on">${s.passOn}</h2>
<p>${s.passOnText}</p>
<img class="qr" src="qr.svg" width="240" height="240" alt="${fill(s.qrAlt, { url: links.pageUrl })}">
<ul class="downloads">
<li><a href="qr.svg" download="${campaign.id}-qr.svg">${s.qrSvg}</a></li>
<li><a href="qr.png" download="${campaign.id}-qr.png">${s.qrPng}</a></li>
<li><a href="poster.html">${s.posterA4}</a></li>
<li><a href="poster-a5.html">${s.posterA5}</a></li>
</ul>
</section>
</main>
<footer><p>${s.privacy}${links.countUrl ? html` ${s.privacyCounted}` : ''}</p></footer>
</body>
</html>
`.value;
}

/** A print-ready poster: name, first message, QR code and the reporting block. */
export function posterPage(campaign: Campaign, links: PageLinks, size: 'A4' | 'A5'): string {
  const main = campaign.share!.languages[0]!;
  const s = stringsFor(main.lang);
  return html`${head({ lang: main.lang, title: `${campaign.name} (${size})`, description: main.messages[0] ?? campaign.name, root: links.root })}<body class="poster poster-${size.toLowerCase()}">
<main>
<h1>${campaign.name}</h1>
<p class="text" dir="auto">${main.messages[0] ?? ''}</p>
<figure>
<img class="qr" src="qr.svg" alt="${fill(s.qrAlt, { url: links.pageUrl })}">
<figcaption>${s.scan}<br><span class="url">${links.pageUrl}</span></figcaption>
</figure>
${main.report ? reportBlock(main.report, main.lang, s, 2) : ''}
</main>
</body>
</html>
`.value;
}

/** The site's front page: one link per campaign. */
export function indexPage(campaigns: Campaign[], lang: string): string {
  const s = stringsFor(lang);
  return html`${head({ lang, title: s.campaigns, description: campaigns.map((c) => c.name).join(', '), root: '' })}<body>
<header><h1>${s.campaigns}</h1></header>
<main>
<ul class="campaigns">${campaigns.map(
    (c) =>
      html`<li lang="${c.share!.languages[0]!.lang}"><a href="${c.id}/">${c.name}</a><p dir="auto">${c.share!.languages[0]!.messages[0] ?? ''}</p></li>`,
  )}</ul>
</main>
<footer><p>${s.privacy}</p></footer>
</body>
</html>
`.value;
}
