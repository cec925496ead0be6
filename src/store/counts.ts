/** Hourly counts per campaign: what the overview charts read, and what retention keeps forever. */
import type { CountsTable, HourCounts } from './schema.ts';
import type { ActivityEvent } from './types.ts';

/** "2026-11-25T14": the UTC hour an instant falls in. */
export function hourKey(at: string): string {
  return new Date(at).toISOString().slice(0, 13);
}

export function counter(table: CountsTable, hour: string, campaign: string): HourCounts {
  let byCampaign = table[hour];
  if (!byCampaign) {
    byCampaign = {};
    table[hour] = byCampaign;
  }
  let counts = byCampaign[campaign];
  if (!counts) {
    counts = { posts: 0, seen: 0, flagged: 0, alerts: 0 };
    byCampaign[campaign] = counts;
  }
  return counts;
}

/** Adds one event to a table: confirmed posts, mentions seen and flagged, hijack alerts. */
export function countEvent(table: CountsTable, event: ActivityEvent): void {
  let kind: 'posts' | 'seen' | 'alerts' | undefined;
  if (event.type === 'post.confirmed') kind = 'posts';
  else if (event.type === 'mention.seen') kind = 'seen';
  else if (event.type === 'alert.hijack') kind = 'alerts';
  if (!kind) return;
  const campaign = 'campaign' in event && event.campaign ? event.campaign : '';
  const counts = counter(table, hourKey(event.at), campaign);
  counts[kind]++;
  if (event.type === 'mention.seen' && event.verdict.flagged) counts.flagged++;
}

export function mergeCounts(into: CountsTable, from: CountsTable): void {
  for (const [hour, campaigns] of Object.entries(from)) {
    for (const [campaign, c] of Object.entries(campaigns)) {
      const t = counter(into, hour, campaign);
      t.posts += c.posts;
      t.seen += c.seen;
      t.flagged += c.flagged;
      t.alerts += c.alerts;
    }
  }
}
