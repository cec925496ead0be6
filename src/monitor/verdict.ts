/**
 * The one verdict on a mention for a campaign. The running bot (the mention pipeline),
 * `solidarity score --campaign` and `solidarity review false-positives` all call `mentionVerdict`
 * with the same inputs (the mention's text and declared language, the campaign's scoring context),
 * so they give the same verdict on the same post.
 */
import type { Campaign } from '../campaign/schema.ts';
import type { Verdict } from '../core/verdict.ts';
import type { ScoreOptions } from '../scoring/types.ts';
import { type MonitoredCampaignOptions, monitoredCampaign } from './campaigns.ts';
import { type OwnPostMatcher, ownPostMatcher } from './own-posts.ts';
import type { MonitoredCampaign, Scorer } from './types.ts';

export const OWN_POST_VERDICT: Verdict = {
  flagged: false,
  score: 0,
  severity: 'none',
  sentiment: 0,
  reasons: [{ rule: 'own-post', explanation: "The campaign's own message, or a repost or copy of it." }],
};

/** What a verdict reads of a mention. */
export interface MentionText {
  text: string;
  /** The language the platform declared for the post (a hint: the scorer wants evidence in the text). */
  lang?: string | undefined;
  authorId?: string;
  authorHandle?: string;
}

/** A campaign ready to judge mentions: its scoring context and its own-post matcher. */
export interface VerdictContext {
  campaign: MonitoredCampaign;
  own: OwnPostMatcher;
}

export function verdictContext(campaign: MonitoredCampaign): VerdictContext {
  return { campaign, own: ownPostMatcher(campaign.ownMessages, campaign.ownAccounts) };
}

/** The verdict context of a campaign file, as the bot builds it (`threshold` overrides the file's). */
export function campaignVerdictContext(
  campaign: Campaign,
  options: MonitoredCampaignOptions & { threshold?: number } = {},
): VerdictContext {
  const monitored = monitoredCampaign(campaign, options);
  if (options.threshold !== undefined)
    monitored.scoreOptions = { ...monitored.scoreOptions, threshold: options.threshold };
  return verdictContext(monitored);
}

/** The verdict context without a campaign: no own messages, no campaign hashtags. */
export function plainVerdictContext(scoreOptions: ScoreOptions = {}): VerdictContext {
  return verdictContext({ id: '', hashtags: [], ownMessages: [], ownAccounts: [], scoreOptions });
}

/** Whether the mention is the campaign's own post, and the verdict on it. */
export async function mentionVerdict(
  scorer: Scorer,
  mention: MentionText,
  context: VerdictContext,
): Promise<{ own: boolean; verdict: Verdict }> {
  const own =
    (mention.authorId !== undefined &&
      context.own.isOwnAuthor(mention.authorId, mention.authorHandle ?? '')) ||
    context.own.isOwnText(mention.text);
  if (own) return { own, verdict: OWN_POST_VERDICT };
  const options = context.campaign.scoreOptions;
  const verdict = await scorer(
    mention.text,
    mention.lang ? { ...options, declaredLang: mention.lang } : options,
  );
  return { own, verdict };
}
