/** `solidarity status`, as a person runs it, on a real data folder. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MONITOR_STATUS_KEY, type MonitorStatus } from '../src/monitor/monitor.ts';
import { emptyCounts } from '../src/monitor/pipeline.ts';
import { budgetStateKey, type XBudgetState } from '../src/platforms/x/mentions.ts';
import { openStore } from '../src/store/index.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { runCliProcess } from './_util.ts';

const { dataDir } = cleanupAfterEach();

describe('solidarity status', () => {
  it('says there is no data yet on a fresh install', async () => {
    const dir = dataDir();
    const { code, stdout } = await runCliProcess(['status'], {
      env: { SOLIDARITY_DATA_DIR: join(dir, 'data') },
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/No data yet/);
  });

  it('shows counts, open flags, hijack alerts and an exhausted X budget', async () => {
    const dir = dataDir();
    const data = join(dir, 'data');
    const now = new Date();
    const at = new Date(now.getTime() - 3_600_000).toISOString();
    const store = await openStore({ backend: 'file', dir: data }, { use: 'change' });
    const mention = (i: number) => ({
      platform: 'x' as const,
      id: String(1000 + i),
      url: `https://x.com/i/web/status/${1000 + i}`,
      authorId: '42',
      authorHandle: 'someone',
      text: `text ${i} #WeStandTogether`,
      createdAt: at,
      capturedAt: at,
      hashtags: ['westandtogether'],
    });
    for (let i = 0; i < 5; i++) {
      const flagged = i < 2;
      await store.append({
        type: 'mention.seen',
        at,
        campaign: 'westandtogether',
        mention: mention(i),
        verdict: {
          flagged,
          score: flagged ? 0.9 : 0.1,
          severity: flagged ? 'high' : 'none',
          sentiment: 0,
          rules: flagged ? ['r'] : [],
        },
      });
      if (flagged) {
        await store.addFlag({
          id: `x:${1000 + i}#westandtogether`,
          campaign: 'westandtogether',
          mention: mention(i),
          verdict: {
            flagged: true,
            score: 0.9,
            severity: 'high',
            sentiment: 0,
            reasons: [{ rule: 'r', explanation: 'e' }],
          },
          state: 'open',
          createdAt: at,
          events: [],
        });
      }
    }
    await store.append({
      type: 'alert.hijack',
      at,
      campaign: 'westandtogether',
      hashtag: 'westandtogether',
      windowShare: 0.4,
      baselineShare: 0.04,
    });
    const budget: XBudgetState = {
      campaign: 'westandtogether',
      day: now.toISOString().slice(0, 10),
      reads: 1000,
      limit: 1000,
      costUsd: 5,
      exhaustedAt: at,
    };
    await store.setState(budgetStateKey('westandtogether'), budget);
    const status: MonitorStatus = {
      updatedAt: at,
      running: false,
      startedAt: at,
      counts: { ...emptyCounts(), seen: 5, scored: 5, stored: 5, flagged: 2, queued: 2 },
      campaigns: { westandtogether: { ...emptyCounts(), seen: 5, flagged: 2 } },
      sources: [{ name: 'x:westandtogether', stats: { malformed: 0, reconnects: 1, backfilled: 0 } }],
    };
    await store.setState(MONITOR_STATUS_KEY, status);
    await store.close();

    const text = await runCliProcess(['status'], { env: { SOLIDARITY_DATA_DIR: data } });
    // The two high-severity flags have waited an hour, past the default alert_after (60 minutes).
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toMatch(/Needs attention:\n {2}- 2 high-severity flag\(s\) open for longer than/);
    expect(text.stdout).toMatch(
      /westandtogether: 0 posts, 5 mentions seen, 2 flagged, 1 hijack alerts; 2 open in the review queue/,
    );
    expect(text.stdout).toMatch(/westandtogether\s+#westandtogether: 40% of mentions flagged \(usually 4%\)/);
    expect(text.stdout).toMatch(/mentions: 5 seen, 5 scored, 5 stored, 2 flagged, 2 queued/);
    expect(text.stdout).toMatch(
      /X reads today for westandtogether: 1000\/1000 \(about \$5\.00\), EXHAUSTED .*X_READ_BUDGET_EXHAUSTED/,
    );

    const json = await runCliProcess(['status', '--json'], { env: { SOLIDARITY_DATA_DIR: data } });
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.xBudgetExhausted).toEqual(['westandtogether']);
    expect(parsed.campaigns.find((c: { id: string }) => c.id === 'westandtogether')).toMatchObject({
      openFlags: 2,
      last24h: { seen: 5, flagged: 2, alerts: 1 },
    });
  });
});
