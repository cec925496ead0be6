import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from './_cleanups.ts';
import { runCliProcess, startCliProcess } from './_util.ts';

const { cleanups, dataDir } = cleanupAfterEach();

describe('the terminal of a running bot', () => {
  it('shows one plain line per flag and state change, a marked preview, and no per-mention detail', async () => {
    const data = dataDir();
    // The whole sample stream at once (76 mentions), with the log level that shows everything in the file.
    const env = {
      SOLIDARITY_DATA_DIR: data,
      SOLIDARITY_MODE: 'local',
      SOLIDARITY_SAMPLE_INTERVAL_MS: '0',
      DASHBOARD_PORT: '0',
      LOG_LEVEL: 'info',
    };
    const bot = startCliProcess(['start'], { env });
    cleanups.push(() => bot.stop('SIGKILL'));
    await bot.waitFor((out) => (out.match(/flagged for review/g) ?? []).length >= 6);
    expect((await runCliProcess(['pause', 'westandtogether'], { env })).code).toBe(0);
    await bot.waitFor('paused  westandtogether');
    expect((await bot.stop('SIGINT')).code).toBe(0);

    const stdout = bot.stdout();
    const lines = `${stdout}${bot.stderr()}`.split('\n').filter(Boolean);
    expect(lines.length, lines.join('\n')).toBeLessThanOrEqual(40);
    expect(stdout).toMatch(/^Preview, not posted yet \(westandtogether → x, \d+\/280\): /m);
    // One line per flag: as many as the bot's closing count says it flagged (the sample holds several).
    const flagged = Number(/Mentions: \d+ seen, (\d+) flagged/.exec(stdout)?.[1]);
    expect(flagged).toBeGreaterThanOrEqual(6);
    expect(stdout.match(/flagged for review/g)).toHaveLength(flagged);
    expect(stdout.match(/^ {2}paused {2}westandtogether/gm)).toHaveLength(1);
    // Per-mention detail is in the log file only.
    expect(lines.join('\n')).not.toMatch(/mention scored|"level"/);
    expect(bot.stderr()).toBe('');
  });
});
