/**
 * The compose screen of each network, with the message filled in. Every value goes through
 * encodeURIComponent, so emoji, accents, "#", "&" and newlines reach the network as written.
 * Mastodon has no central compose screen: its link is built in the browser from the supporter's
 * own server (see assets/share.js), from the template returned here.
 */
import type { ShareNetwork } from '../campaign/schema.ts';

export interface ShareTarget {
  network: ShareNetwork;
  /** The button label. */
  label: string;
  /** The compose URL; for Mastodon, a template with "{instance}" in place of the server. */
  url: string;
}

export const NETWORK_LABELS: Record<ShareNetwork, string> = {
  x: 'X',
  bluesky: 'Bluesky',
  mastodon: 'Mastodon',
  threads: 'Threads',
  facebook: 'Facebook',
  linkedin: 'LinkedIn',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  email: 'Email',
  sms: 'SMS',
};

const e = encodeURIComponent;

/** The compose URL for one network. `pageUrl` is the absolute URL of the campaign page. */
export function shareUrl(network: ShareNetwork, text: string, pageUrl: string, subject: string): string {
  switch (network) {
    case 'x':
      return `https://x.com/intent/post?text=${e(text)}&url=${e(pageUrl)}`;
    case 'bluesky':
      return `https://bsky.app/intent/compose?text=${e(text)}`;
    case 'mastodon':
      return `https://{instance}/share?text=${e(text)}`;
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
    label: NETWORK_LABELS[network],
    url: shareUrl(network, text, pageUrl, subject),
  }));
}
