import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../tests/_cleanups.ts';
import { tempDir } from '../../tests/_util.ts';
import type { PlatformLengthSettings } from '../campaign/limits.ts';
import { loadCampaign } from '../campaign/load.ts';
import { silentLogger } from '../logger.ts';
import { campaignReloader } from './reload.ts';

const { cleanups } = cleanupAfterEach();

/** A Mastodon campaign whose messages are `length` characters long. */
function writeCampaign(file: string, length: number, extra: string[] = [], mtimeSeconds = 0): void {
  writeFileSync(
    file,
    [
      'id: long-toot',
      'name: Long toot',
      'timezone: Europe/London',
      'start: 2026-03-22T00:00',
      'platforms: [mastodon]',
      'schedules:',
      '  - cron: "0 9 * * *"',
      `messages: ["${'a'.repeat(length)}", "${'b'.repeat(length)}"]`,
      ...extra,
    ].join('\n'),
  );
  utimesSync(file, new Date(), new Date(Date.now() + mtimeSeconds * 1000));
}

function setUp(length: number, limits: PlatformLengthSettings) {
  const dir = tempDir('solidarity-reload-');
  cleanups.push(dir.cleanup);
  const file = join(dir.path, 'long-toot.yaml');
  writeCampaign(file, length);
  const initial = loadCampaign(file, { limits });
  return { file, reload: campaignReloader([initial], silentLogger(), { limits }) };
}

describe('campaign files edited while the bot runs keep the configured length limits', () => {
  it('an instance allowing 1,000 characters: an edited 600-character toot is reloaded', () => {
    const { file, reload } = setUp(600, { mastodon: { maxCharacters: 1000 } });
    writeCampaign(file, 600, ['paused: true'], 10);
    // Against the default 500 this edit would be refused and the campaign would keep posting.
    expect(reload()[0]?.paused).toBe(true);
  });

  it('an instance allowing 100 characters: an edit to a 200-character toot is refused', () => {
    const { file, reload } = setUp(50, { mastodon: { maxCharacters: 100 } });
    writeCampaign(file, 200, [], 10);
    expect(reload()[0]?.messages[0]?.text.length).toBe(50);
  });
});
