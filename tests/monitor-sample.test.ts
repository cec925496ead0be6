/** The bundled sample stream: valid, on the sample campaigns' tags, own copies recognised. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCampaigns } from '../src/campaign/load.ts';
import { monitoredCampaign } from '../src/monitor/campaigns.ts';
import { ownPostMatcher } from '../src/monitor/own-posts.ts';
import { LOCAL_MENTION_SCHEMA, localMention } from '../src/platforms/local/replay.ts';

const lines = readFileSync('campaigns/sample-mentions.jsonl', 'utf8').trim().split('\n');
const campaigns = loadCampaigns('campaigns').map((c) => monitoredCampaign(c));

describe('campaigns/sample-mentions.jsonl', () => {
  const mentions = lines.map((l, i) => {
    const parsed = LOCAL_MENTION_SCHEMA.safeParse(JSON.parse(l));
    if (!parsed.success) throw new Error(`line ${i + 1}: ${parsed.error.message}`);
    return localMention(parsed.data, '2026-11-25T00:00:00.000Z');
  });

  it('has 60-100 valid lines with unique ids, each mentioning a sample campaign tag', () => {
    expect(mentions.length).toBeGreaterThanOrEqual(60);
    expect(mentions.length).toBeLessThanOrEqual(100);
    expect(new Set(mentions.map((m) => m.id)).size).toBe(mentions.length);
    const tags = new Set(campaigns.flatMap((c) => c.hashtags));
    for (const m of mentions)
      expect(
        m.hashtags.some((t) => tags.has(t)),
        m.id,
      ).toBe(true);
    for (const tag of ['westandtogether', 'notohatecrime', 'lovenothate', 'standwithbelgium']) {
      expect(
        mentions.some((m) => m.hashtags.includes(tag)),
        tag,
      ).toBe(true);
    }
  });

  it("holds copies of the campaigns' own messages, recognised as own; a copy with abuse added is not", () => {
    const own = mentions.filter((m) =>
      campaigns.some(
        (c) =>
          m.hashtags.some((t) => c.hashtags.includes(t)) &&
          ownPostMatcher(c.ownMessages, []).isOwnText(m.text),
      ),
    );
    expect(own.map((m) => m.authorHandle).sort()).toEqual([
      'belgian_in_leeds',
      'community_hub_ldn',
      'nadia_r',
    ]);
  });
});
