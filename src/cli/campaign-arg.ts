/** One way to name a campaign in every command: its id (from the campaigns folder) or its file. */
import { extname } from 'node:path';
import { CAMPAIGN_EXTENSIONS, loadCampaign, loadCampaigns } from '../campaign/load.ts';
import type { Campaign } from '../campaign/schema.ts';
import { loadEnv } from '../config/env.ts';
import { SolidarityError } from '../errors.ts';

/** Whether a command-line word names a campaign file rather than an id. */
export function isCampaignPath(name: string): boolean {
  return (
    name.includes('/') || name.includes('\\') || CAMPAIGN_EXTENSIONS.includes(extname(name).toLowerCase())
  );
}

/** The campaign a command names, by id or file; CAMPAIGN_UNKNOWN lists the ids there are. */
export function campaignByName(name: string, env: NodeJS.ProcessEnv): Campaign {
  if (isCampaignPath(name)) return loadCampaign(name);
  const dir = loadEnv(env).SOLIDARITY_CAMPAIGNS_DIR;
  const campaigns = loadCampaigns(dir);
  const campaign = campaigns.find((c) => c.id === name);
  if (!campaign) {
    throw new SolidarityError('CAMPAIGN_UNKNOWN', `No campaign in ${dir} has the id "${name}".`, {
      hint: `Known ids: ${campaigns.map((c) => c.id).join(', ') || '(none)'}; or give the campaign's file.`,
    });
  }
  return campaign;
}
