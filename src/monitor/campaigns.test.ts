import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../campaign/load.ts';
import { monitoredCampaign } from './campaigns.ts';
import { ownPostMatcher } from './own-posts.ts';

describe('monitored campaign', () => {
  const campaign = loadCampaign('campaigns/westandtogether.yaml');
  const monitored = monitoredCampaign(campaign, { now: new Date('2026-03-23T12:00:00Z') });

  it('watches the monitor hashtags, lower-case', () => {
    expect(monitored.hashtags).toEqual(['westandtogether', 'standwithbelgium', 'prayforbrussels']);
    expect(monitored.scoreOptions.threshold).toBe(0.5);
  });

  it("scores with every setting of the campaign's scoring block, as `solidarity score --campaign` does", () => {
    const tuned = monitoredCampaign(
      { ...campaign, scoring: { threshold: 0.7, language: 'fr', never_flag: ['queer'] } },
      { now: new Date('2026-03-23T12:00:00Z') },
    );
    expect(tuned.scoreOptions).toMatchObject({ threshold: 0.7, lang: 'fr', neverFlag: ['queer'] });
  });

  it("recognises the campaign's posts, date variables included, and copies of them", () => {
    const own = ownPostMatcher(monitored.ownMessages, []);
    expect(
      own.isOwnText(
        'We stand with Belgium. Whatever happens, we will always stand together. #WeStandTogether #StandWithBelgium',
      ),
    ).toBe(true);
    expect(
      own.isOwnText(
        'RT @bot: London stands together with the people of Brussels today, 23 March 2026. Look out for each other. #WeStandTogether',
      ),
    ).toBe(true);
    expect(
      own.isOwnText(
        'London stands together with the people of Brussels today, 23 March 2026. Look out for each other. #WeStandTogether except for the migrants',
      ),
    ).toBe(false);
  });
});
