/**
 * `solidarity start` in local mode, end to end: the real CLI process replays the bundled sample
 * stream through the real scorer into the real file store; flags are announced within seconds,
 * and after Ctrl-C the store holds what the terminal said.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MonitorStatus } from '../src/monitor/monitor.ts';
import { openStore } from '../src/store/index.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { startCliProcess } from './_util.ts';

const { dataDir } = cleanupAfterEach();

describe('npm start in local mode', () => {
  it('replays the sample stream: flags appear on the terminal and wait in the review queue', async () => {
    const dir = dataDir();
    const data = join(dir, 'data');
    const child = startCliProcess(['start'], {
      env: { SOLIDARITY_DATA_DIR: data, SOLIDARITY_MODE: 'local', SOLIDARITY_SAMPLE_INTERVAL_MS: '20' },
    });
    // Five flags announced: the sample stream is being scored (no timing threshold: the test's
    // own timeout is the only limit).
    await child.waitFor((out) => (out.match(/flagged for review/g) ?? []).length >= 5);
    expect((await child.stop('SIGINT')).code, child.stderr()).toBe(0);
    const stdout = child.stdout();

    const flagLines = stdout.split('\n').filter((l) => l.includes('flagged for review'));
    const summary = /Mentions: (\d+) seen, (\d+) flagged, (\d+) in the review queue, (\d+) dropped\./.exec(
      stdout,
    );
    expect(summary, stdout).not.toBeNull();
    const [, seen, flagged, queued, dropped] = summary!.map(Number);
    expect(flagged).toBe(queued);
    expect(flagLines).toHaveLength(queued!);
    expect(dropped).toBe(0);
    // The hateful posts are announced by id and rule, never by their text.
    expect(stdout).toContain('[local:sample-005#westandtogether]');
    expect(stdout).not.toContain('Muslims are vermin');
    expect(stdout).not.toContain('Burn their mosques');

    const store = await openStore({ backend: 'file', dir: data }, { use: 'read' });
    try {
      let stored = 0;
      for await (const e of store.events({ types: ['mention.seen'] }))
        if (e.type === 'mention.seen') stored += 1;
      expect(stored).toBe(seen);
      const open = await store.queuePage({ state: 'open', limit: 100 });
      expect(open.total).toBe(queued);
      for (const line of flagLines) {
        const id = /\[([^\]]+)\]$/.exec(line)![1]!;
        expect((await store.getFlag(id))?.state).toBe('open');
      }
      const status = await store.getState<MonitorStatus>('monitor.status');
      expect(status).toMatchObject({ running: false, counts: { seen, flagged, queued, dropped: 0 } });
    } finally {
      await store.close();
    }
  });
});
