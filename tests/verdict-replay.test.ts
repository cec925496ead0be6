/**
 * One verdict path: the bundled sample stream replayed through a running bot (local mode) and
 * through `solidarity score --campaign` gives byte-identical verdicts for every (campaign, mention).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaigns } from '../src/campaign/load.ts';
import { openStore } from '../src/store/index.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { runCliProcess, startCliProcess } from './_util.ts';

const { dataDir } = cleanupAfterEach();
const SAMPLE = 'campaigns/sample-mentions.jsonl';

interface Compared {
  flagged: boolean;
  score: number;
  severity: string;
  sentiment: number;
  rules: string[];
}

const round = (x: number) => Math.round(x * 1000) / 1000;

describe('one verdict path', () => {
  it('the running bot and `score --campaign` agree on every sample mention', async () => {
    const lines = readFileSync(SAMPLE, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '').length;
    const data = join(dataDir(), 'data');
    const bot = startCliProcess(['start'], {
      env: { SOLIDARITY_DATA_DIR: data, SOLIDARITY_MODE: 'local', SOLIDARITY_SAMPLE_INTERVAL_MS: '0' },
    });
    // The bot prints its summary on stop; wait until the whole stream was replayed first.
    await bot.waitFor('campaign(s)');
    const cursor = `monitor.local:${resolve(SAMPLE)}`;
    for (;;) {
      const reader = await openStore({ backend: 'file', dir: data }, { use: 'read' });
      const done = Number((await reader.getCursor(cursor)) ?? '0');
      await reader.close();
      if (done >= lines) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await bot.stop('SIGINT')).code, bot.stderr()).toBe(0);

    const fromBot = new Map<string, Compared>();
    const store = await openStore({ backend: 'file', dir: data }, { use: 'read' });
    try {
      for await (const e of store.events({ types: ['mention.seen'] })) {
        if (e.type !== 'mention.seen') continue;
        const v = e.verdict;
        fromBot.set(`${e.campaign}/${e.mention.id}`, {
          flagged: v.flagged,
          score: v.score,
          severity: v.severity,
          sentiment: round(v.sentiment),
          rules: v.rules,
        });
      }
    } finally {
      await store.close();
    }

    const input = readFileSync(SAMPLE, 'utf8');
    let compared = 0;
    let flagged = 0;
    for (const campaign of loadCampaigns('campaigns')) {
      const result = await runCliProcess(['score', '--campaign', campaign.file], { input });
      expect(result.code, result.stderr).toBe(0);
      for (const line of result.stdout.trim().split('\n')) {
        const out = JSON.parse(line) as Compared & { id: string; reasons: Array<{ rule: string }> };
        const key = `${campaign.id}/${out.id}`;
        const stored = fromBot.get(key);
        if (!stored) continue; // not routed to this campaign by its hashtags
        const cli: Compared = {
          flagged: out.flagged,
          score: out.score,
          severity: out.severity,
          sentiment: out.sentiment,
          rules: [...new Set(out.reasons.map((r) => r.rule))],
        };
        expect(JSON.stringify(cli), key).toBe(JSON.stringify(stored));
        compared++;
        if (stored.flagged) flagged++;
      }
    }
    // Every stored verdict was compared, and the stream holds hate to flag.
    expect(compared).toBe(fromBot.size);
    expect(flagged).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
