import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from './_cleanups.ts';
import { runCliProcess, startCliProcess } from './_util.ts';

const { cleanups, dataDir } = cleanupAfterEach();

describe('solidarity status tells whether a bot runs', () => {
  it('names the running bot by PID with its uptime and live monitoring, and says when it is gone (even after SIGKILL)', async () => {
    const data = dataDir();
    const env = { SOLIDARITY_DATA_DIR: data, SOLIDARITY_MODE: 'local', DASHBOARD_PORT: '0' };
    const bot = startCliProcess(['start'], { env });
    cleanups.push(() => bot.stop('SIGKILL'));
    await bot.waitFor('Press Ctrl-C');

    const running = await runCliProcess(['status'], { env });
    expect(running.code, running.stderr).toBe(0);
    expect(running.stdout.split('\n')[0]).toMatch(
      new RegExp(`^Bot: running on .*, PID ${bot.pid} on .*, up \\d+ s; monitoring live\\.$`),
    );
    const json = JSON.parse((await runCliProcess(['status', '--json'], { env })).stdout);
    expect(json.bot).toMatchObject({ running: true, pid: bot.pid, monitoring: 'live' });
    expect(json.ok).toBe(true);

    await bot.stop('SIGKILL');
    const after = await runCliProcess(['status', '--json'], { env });
    expect(JSON.parse(after.stdout).bot).toMatchObject({ running: false });
    expect((await runCliProcess(['status'], { env })).stdout).toMatch(/^Bot: not running on /);
  });
});
