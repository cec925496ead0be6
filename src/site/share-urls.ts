/**
 * The compose screen of each network, with the message filled in. Every value goes through
 * encodeURIComponent, so emoji, accents, "#", "&" and newlines reach the network as written.
 * A network without a central compose screen (Mastodon, `share.perInstance`) gets its link built
 * in the browser from the supporter's own server (see assets/share.js), from the template returned
 * here.
 */
import type { OtherShareNetwork, ShareNetwork } from '../campaign/schema.ts';
import { isPlatform, platformInfo } from '../platforms/registry.ts';

export interface ShareTarget {
  network: ShareNetwork;
  /** The button label. */
  label: string;
  /** The compose URL; with `perInstance`, a template with "{instance}" in place of the server. */
  url: string;
  /** The supporter names their own server (Mastodon): the page shows a form, not a link. */
  perInstance: boolean;
}

const OTHER_LABELS: Record<OtherShareNetwork, string> = {
  threads: 'Threads',
  facebook: 'Facebook',
  linkedin: 'LinkedIn',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  email: 'Email',
  sms: 'SMS',
};

/** The button label: the platform's own label for networks the bot posts to. */
export function networkLabel(network: ShareNetwork): string {
  return isPlatform(network) ? platformInfo(network).label : OTHER_LABELS[network];
}

const e = encodeURIComponent;

/** The compose URL for one network. `pageUrl` is the absolute URL of the campaign page. */
export function shareUrl(network: ShareNetwork, text: string, pageUrl: string, subject: string): string {
  if (isPlatform(network)) {
    const share = platformInfo(network).share;
    if (!share) throw new Error(`${network} has no share button`);
    return share.compose(text, pageUrl);
  }
  switch (network) {
    case 'threads':
      return `https://www.threads.net/intent/post?text=${e(text)}`;
    case 'facebook':
      return `https://www.facebook.com/sharer/sharer.php?u=${e(pageUrl)}`;
    case 'linkedin':
      return `https://www.linkedin.com/feed/?shareActive=true&text=${e(text)}`;
    case 'whatsapp':
      return `https://wa.me/?text=${e(text)}`;
    case 'telegram':
      return `https://t.me/share/url?url=${e(pageUrl)}&text=${e(text)}`;
    case 'email':
      // RFC 6068: line breaks in a mailto body are CRLF.
      return `mailto:?subject=${e(subject)}&body=${e(`${text}\n\n${pageUrl}`.replace(/\r?\n/g, '\r\n'))}`;
    case 'sms':
      // "?&body=" is read by both Android and iOS.
      return `sms:?&body=${e(text)}`;
  }
}

export function shareTargets(
  networks: readonly ShareNetwork[],
  text: string,
  pageUrl: string,
  subject: string,
): ShareTarget[] {
  return networks.map((network) => ({
    network,
    label: networkLabel(network),
    url: shareUrl(network, text, pageUrl, subject),
    perInstance: isPlatform(network) && platformInfo(network).share?.perInstance === true,
  }));
}
