/**
 * The words of the campaign page around the campaign's own text, per language. A language not
 * here gets English; the campaign name, messages and reporting block always come from the file.
 */

export interface SiteStrings {
  send: string;
  lead: string;
  message: string;
  copy: string;
  copied: string;
  shareOn: string;
  webShare: string;
  mastodonServer: string;
  mastodonNoScript: string;
  facebookNote: string;
  report: string;
  checked: string;
  passOn: string;
  passOnText: string;
  qrAlt: string;
  qrSvg: string;
  qrPng: string;
  posterA4: string;
  posterA5: string;
  languages: string;
  privacy: string;
  privacyCounted: string;
  scan: string;
  campaigns: string;
}

const en: SiteStrings = {
  send: 'Send the message',
  lead: 'Send it from your own accounts, or pass it on to friends and family. Each button opens the message ready to send; nothing is sent until you send it.',
  message: 'Message {n}',
  copy: 'Copy the message',
  copied: 'Copied',
  shareOn: 'Share on {network}',
  webShare: 'Share with an app on this device',
  mastodonServer: 'Your Mastodon server',
  mastodonNoScript: 'Mastodon: copy the message and paste it on your server.',
  facebookNote: 'Facebook shares the link to this page, with the message in its preview.',
  report: 'How to report',
  checked: 'Numbers and links checked on {date}.',
  passOn: 'Pass it on',
  passOnText: 'Print the poster or show the QR code: it opens this page.',
  qrAlt: 'QR code that opens this page, {url}',
  qrSvg: 'QR code (SVG)',
  qrPng: 'QR code (PNG)',
  posterA4: 'Poster to print (A4)',
  posterA5: 'Poster to print (A5)',
  languages: 'Languages',
  privacy: 'This page sets no cookies, loads nothing from other sites and does not track you.',
  privacyCounted:
    'It counts taps on its share buttons per day and network, with no address and no cookie, and nothing else.',
  scan: 'Scan to send the message',
  campaigns: 'Campaigns',
};

const fr: SiteStrings = {
  send: 'Envoyer le message',
  lead: 'Envoyez-le depuis vos propres comptes, ou transmettez-le à vos proches. Chaque bouton ouvre le message prêt à envoyer ; rien ne part tant que vous ne l’envoyez pas.',
  message: 'Message {n}',
  copy: 'Copier le message',
  copied: 'Copié',
  shareOn: 'Partager sur {network}',
  webShare: 'Partager avec une application de cet appareil',
  mastodonServer: 'Votre serveur Mastodon',
  mastodonNoScript: 'Mastodon : copiez le message et collez-le sur votre serveur.',
  facebookNote: 'Facebook partage le lien de cette page, avec le message dans son aperçu.',
  report: 'Comment signaler',
  checked: 'Numéros et liens vérifiés le {date}.',
  passOn: 'Faites passer',
  passOnText: 'Imprimez l’affiche ou montrez le code QR : il ouvre cette page.',
  qrAlt: 'Code QR qui ouvre cette page, {url}',
  qrSvg: 'Code QR (SVG)',
  qrPng: 'Code QR (PNG)',
  posterA4: 'Affiche à imprimer (A4)',
  posterA5: 'Affiche à imprimer (A5)',
  languages: 'Langues',
  privacy: 'Cette page ne dépose aucun cookie, ne charge rien d’autres sites et ne vous suit pas.',
  privacyCounted:
    'Elle compte les appuis sur ses boutons de partage par jour et par réseau, sans adresse ni cookie.',
  scan: 'Scannez pour envoyer le message',
  campaigns: 'Campagnes',
};

const nl: SiteStrings = {
  send: 'Stuur het bericht',
  lead: 'Stuur het vanaf je eigen accounts, of geef het door aan familie en vrienden. Elke knop opent het bericht klaar om te versturen; er wordt niets verstuurd tot jij het verstuurt.',
  message: 'Bericht {n}',
  copy: 'Kopieer het bericht',
  copied: 'Gekopieerd',
  shareOn: 'Delen op {network}',
  webShare: 'Delen met een app op dit toestel',
  mastodonServer: 'Je Mastodon-server',
  mastodonNoScript: 'Mastodon: kopieer het bericht en plak het op je server.',
  facebookNote: 'Facebook deelt de link naar deze pagina, met het bericht in de voorvertoning.',
  report: 'Zo meld je het',
  checked: 'Nummers en links gecontroleerd op {date}.',
  passOn: 'Geef het door',
  passOnText: 'Druk de affiche af of toon de QR-code: die opent deze pagina.',
  qrAlt: 'QR-code die deze pagina opent, {url}',
  qrSvg: 'QR-code (SVG)',
  qrPng: 'QR-code (PNG)',
  posterA4: 'Affiche om af te drukken (A4)',
  posterA5: 'Affiche om af te drukken (A5)',
  languages: 'Talen',
  privacy: 'Deze pagina zet geen cookies, laadt niets van andere sites en volgt je niet.',
  privacyCounted:
    'Ze telt per dag en per netwerk hoe vaak op de deelknoppen wordt getikt, zonder adres en zonder cookie.',
  scan: 'Scan om het bericht te sturen',
  campaigns: 'Campagnes',
};

const STRINGS: Record<string, SiteStrings> = { en, fr, nl };

/** The strings for a BCP 47 tag ("fr-BE" gets French), English when the language is not here. */
export function stringsFor(lang: string): SiteStrings {
  return STRINGS[lang.split('-')[0]!.toLowerCase()] ?? en;
}

export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

const RTL = new Set(['ar', 'he', 'fa', 'ur', 'ps', 'sd', 'yi', 'dv', 'ckb', 'ug']);

export function direction(lang: string): 'rtl' | 'ltr' {
  return RTL.has(lang.split('-')[0]!.toLowerCase()) ? 'rtl' : 'ltr';
}

/** The language's name in itself ("Français"), for the language menu. */
export function languageName(lang: string): string {
  try {
    const name = new Intl.DisplayNames([lang], { type: 'language' }).of(lang) ?? lang;
    return name.charAt(0).toLocaleUpperCase(lang) + name.slice(1);
  } catch {
    return lang;
  }
}

/** "22 March 2026" in the language, for the checked date (YYYY-MM-DD, a calendar day). */
export function formatDay(day: string, lang: string): string {
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(
      new Date(`${day}T12:00:00Z`),
    );
  } catch {
    return day;
  }
}
