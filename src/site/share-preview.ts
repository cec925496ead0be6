/** What `preview --share` prints: every share URL of a campaign page, per language and message. */

import type { Campaign, ShareNetwork } from '../campaign/schema.ts';
import { SHARE_LIMITS, sharesText } from '../campaign/share.ts';
import { pageUrl } from './build.ts';
import { networkLabel, shareUrl } from './share-urls.ts';

export interface ShareRow {
  lang: string;
  message: number;
  network: string;
  text: string;
  length: number;
  limit: number;
  url: string;
}

export function shareRows(campaign: Campaign, baseUrl: string): ShareRow[] {
  const page = pageUrl(baseUrl, campaign.id);
  const rows: ShareRow[] = [];
  for (const language of campaign.share?.languages ?? []) {
    language.messages.forEach((text, i) => {
      for (const network of campaign.share!.networks) {
        const m = SHARE_LIMITS[network].measure(sharesText(network) ? text : '');
        rows.push({
          lang: language.lang,
          message: i + 1,
          network,
          text: sharesText(network) ? text : '',
          length: m.length,
          limit: m.limit,
          url: shareUrl(network, text, page, language.name),
        });
      }
    });
  }
  return rows;
}

/** Plain lines for the terminal: a heading per message, then one line per network. */
export function shareLines(campaign: Campaign, baseUrl: string): string[] {
  const lines = [`Page: ${pageUrl(baseUrl, campaign.id)}`];
  let heading = '';
  for (const row of shareRows(campaign, baseUrl)) {
    const key = `${row.lang} ${row.message}`;
    if (key !== heading) {
      heading = key;
      lines.push('', `[${row.lang}] message ${row.message}: ${row.text.replace(/\n/g, ' ')}`);
    }
    const fits = row.text ? `${row.length}/${row.limit}` : 'link only';
    lines.push(`  ${networkLabel(row.network as ShareNetwork).padEnd(9)} ${fits.padEnd(10)} ${row.url}`);
  }
  return lines;
}
