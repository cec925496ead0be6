/**
 * Terminal lines never hand a hostile handle's control characters to the terminal: the bot's
 * "flagged for review" line and `review list` show BEL, ESC, bidi overrides, zero-width characters
 * and newlines as ⟦U+…⟧ labels, one line per flag.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flagLine } from '../src/monitor/start.ts';
import { openStore } from '../src/store/index.ts';
import { makeFlag } from './_review-fixtures.ts';
import { runCliInProcess, tempDir } from './_util.ts';

const HOSTILE_HANDLE = 'evil\u0007\u001B[2J\u202Eeldnah\u200B\nflagged for review  fake  line\r\t';
/** What a terminal would obey: C0/C1 controls (tab and newline included), bidi, zero-width. */
const OBEYED = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/;

let dir: string;
let cleanup: () => void;

beforeEach(async () => {
  ({ path: dir, cleanup } = tempDir('solidarity-terminal-'));
  const store = await openStore({ backend: 'file', dir }, { use: 'change', fsync: false, pruneEveryMs: 0 });
  await store.addFlag(makeFlag({ n: 1, handle: HOSTILE_HANDLE }));
  await store.addFlag(makeFlag({ n: 2 }));
  await store.close();
});

afterEach(() => cleanup());

describe('terminal lines', () => {
  it("the bot's flagged-for-review line is one line with every control shown", () => {
    const line = flagLine(makeFlag({ n: 1, handle: HOSTILE_HANDLE }));
    expect(line).not.toMatch(OBEYED);
    for (const label of ['⟦U+0007⟧', '⟦U+001B⟧', '⟦U+202E⟧', '⟦U+200B⟧', '⟦U+000A⟧', '⟦U+000D⟧']) {
      expect(line).toContain(label);
    }
  });

  it('review list prints one line per flag and nothing a terminal would obey', async () => {
    const out = await runCliInProcess(['review', 'list'], {
      SOLIDARITY_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      SOLIDARITY_CAMPAIGNS_DIR: join(dir, 'none'),
    });
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n').filter((l) => l.includes(':'));
    const rows = lines.filter((l) => l.includes(makeFlag({ n: 1 }).id) || l.includes(makeFlag({ n: 2 }).id));
    expect(rows).toHaveLength(2);
    expect(out.stdout.replace(/\n/g, '')).not.toMatch(OBEYED);
    expect(rows.find((l) => l.includes(makeFlag({ n: 1 }).id))).toContain('⟦U+202E⟧');
  });
});
