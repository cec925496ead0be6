import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_INDEX, loadCommands } from '../src/cli/commands/index.ts';
import { readOutbox } from '../src/store/outbox.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { ROOT, runCliInProcess, runCliProcess, startCliProcess } from './_util.ts';

/** Every command, loaded (the CLI itself loads only the one it runs). */
const COMMANDS = await loadCommands();

const { dataDir: temp } = cleanupAfterEach();

const inProcess = (argv: string[]) => runCliInProcess(argv);

const BAD_CAMPAIGN = `name: Broken
timezone: Europe/London
start: 2026-03-22T09:00
platforms: [x]
schedules:
  - cron: "0 9 * * *"
grace_minutes: "fifteen"
messages:
  - "A message that fits."
  - "${'This one is much too long. '.repeat(12)}"
`;

describe('solidarity CLI', () => {
  it('lists every command in --help', async () => {
    const { code, stdout } = await runCliProcess(['--help']);
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toContain(command.name);
  });

  it('has --help on every command', async () => {
    for (const command of COMMANDS) {
      const { code, stdout } = await inProcess([...command.name.split(' '), '--help']);
      expect(code, command.name).toBe(0);
      expect(stdout, command.name).toContain(`Usage: npx solidarity ${command.name}`);
    }
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await inProcess(['fly'])).code).toBe(2);
    const bad = await inProcess(['preview', 'campaigns/westandtogether.yaml', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/USAGE/);
    expect((await inProcess(['preview', 'campaigns/westandtogether.yaml', '--runs', 'many'])).code).toBe(2);
    expect((await inProcess(['preview', 'campaigns/westandtogether.yaml', '--from', 'soon'])).code).toBe(2);
  });

  it('validates the sample campaigns (exit 0)', async () => {
    const { code, stdout, stderr } = await runCliProcess([
      'validate',
      'campaigns/westandtogether.yaml',
      'campaigns/notohatecrime.yaml',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/ok campaigns\/westandtogether.yaml/);
    expect(stdout).toMatch(/ok campaigns\/notohatecrime.yaml/);
  });

  it('names the type error on line 7 and the over-long message, exit 3, no stack trace', async () => {
    const dir = temp();
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, BAD_CAMPAIGN);
    const { code, stderr } = await runCliProcess(['validate', file]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/broken\.yaml:7:\d+ error grace_minutes: expected number, got string "fifteen"/);
    expect(stderr).toMatch(
      /broken\.yaml:10:\d+ error messages\[1\]: too long for x: \d+\/280 weighted characters/,
    );
    expect(stderr).toMatch(/^CAMPAIGN_INVALID/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 naming a missing file', async () => {
    const { code, stderr } = await inProcess(['validate', 'campaigns/nope.yaml']);
    expect(code).toBe(3);
    expect(stderr).toMatch(/CAMPAIGN_NOT_FOUND: .*campaigns\/nope\.yaml/);
  });

  it('previews 20 posts as JSON lines', async () => {
    const { code, stdout } = await runCliProcess([
      'preview',
      'campaigns/westandtogether.yaml',
      '--runs',
      '20',
      '--json',
      '--from',
      '2026-10-24T00:00:00Z',
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(20);
    const rows = lines.map((line) => JSON.parse(line));
    for (const row of rows) {
      expect(row.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
      expect(['x', 'bluesky']).toContain(row.platform);
      expect(row.text).toContain('#WeStandTogether');
      expect(row.length).toBeGreaterThan(0);
      expect(row.fits).toBe(true);
    }
    // 09:00 local on both sides of the October change.
    expect(rows[0].at).toBe('2026-10-24T09:00:00+01:00');
    expect(rows.find((r) => r.at.startsWith('2026-10-25T09'))?.at).toBe('2026-10-25T09:00:00+00:00');
  });

  it('previews readable text by default', async () => {
    const { code, stdout } = await inProcess(['preview', 'campaigns/notohatecrime.yaml', '--runs', '2']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/weighted characters/);
    expect(stdout).toMatch(/graphemes/);
  });

  it('post-now in local mode writes the outbox', async () => {
    const data = temp();
    const { code, stdout } = await runCliProcess(
      ['post-now', 'campaigns/westandtogether.yaml', '--platform', 'bluesky'],
      {
        env: { SOLIDARITY_DATA_DIR: data, SOLIDARITY_MODE: 'local' },
      },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/posted \(local outbox\) \[westandtogether → bluesky\]/);
    const records = readOutbox(data);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ campaign: 'westandtogether', platform: 'bluesky' });
    expect(records[0]?.text).toContain('#WeStandTogether');
  });

  it('start refuses an invalid campaign folder with exit 3', async () => {
    const dir = temp();
    const campaigns = join(dir, 'campaigns');
    mkdirSync(campaigns);
    writeFileSync(join(campaigns, 'broken.yaml'), BAD_CAMPAIGN);
    copyFileSync(join(ROOT, 'campaigns/westandtogether.yaml'), join(campaigns, 'ok.yaml'));
    const { code, stderr } = await runCliProcess(['start'], {
      env: { SOLIDARITY_DATA_DIR: join(dir, 'data'), SOLIDARITY_CAMPAIGNS_DIR: campaigns },
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/broken\.yaml:7/);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`start runs in local mode, prints upcoming posts and stops on ${signal} with exit 0`, async () => {
      const data = temp();
      const child = startCliProcess(['start'], {
        env: { SOLIDARITY_DATA_DIR: data, SOLIDARITY_MODE: 'auto' },
      });
      await child.waitFor('Press Ctrl-C');
      expect((await child.stop(signal)).code).toBe(0);
      const stdout = child.stdout();
      expect(stdout).toMatch(/local mode/);
      expect(stdout).toMatch(/Upcoming posts:\n {2}\d{4}-\d{2}-\d{2}T/);
      expect(stdout).toMatch(/Stopped\./);
    });
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`npm start exits 0 when the whole process group gets ${signal} (Ctrl-C, service managers)`, async () => {
      const data = temp();
      const child = spawn('npm', ['start', '--silent'], {
        cwd: ROOT,
        detached: true,
        env: { ...process.env, SOLIDARITY_DATA_DIR: data, SOLIDARITY_MODE: 'local', LOG_LEVEL: 'warn' },
      });
      let stdout = '';
      const running = new Promise<void>((resolve) => {
        child.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('Press Ctrl-C')) resolve();
        });
      });
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('close', (code, sig) => resolve([code, sig])),
      );
      await running;
      process.kill(-child.pid!, signal);
      expect(await exited).toEqual([0, null]);
      expect(stdout).toMatch(/Stopped\./);
    });
  }
});

describe('one CLI, consistent', () => {
  it('group help (store, moderator, review) is on stdout with exit 0; a bare group asks for a subcommand', async () => {
    for (const group of ['store', 'moderator', 'review']) {
      const help = await inProcess([group, '--help']);
      expect(help.code, group).toBe(0);
      expect(help.stderr).toBe('');
      for (const command of COMMANDS.filter((c) => c.name.startsWith(`${group} `)))
        expect(help.stdout, group).toContain(command.name);
      const bare = await inProcess([group]);
      expect(bare.code, group).toBe(2);
      expect(bare.stderr).toMatch(new RegExp(`Usage: npx solidarity ${group} SUBCOMMAND`));
    }
  });

  it('the command index (loaded for --help) matches the commands it loads', () => {
    expect(COMMAND_INDEX.map((e) => [e.name, e.summary])).toEqual(COMMANDS.map((c) => [c.name, c.summary]));
  });

  it('every usage line lists every option of its command', () => {
    for (const command of COMMANDS) {
      for (const [name, spec] of Object.entries(command.options ?? {})) {
        const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
        expect(command.usage, command.name).toContain(`--${name}${value}`);
      }
    }
  });

  it('names a campaign by id or by file in every command that takes one', async () => {
    for (const name of ['westandtogether', 'campaigns/westandtogether.yaml']) {
      const preview = await inProcess(['preview', name, '--runs', '1']);
      expect(preview.code, name).toBe(0);
      expect(preview.stdout).toMatch(/westandtogether|We stand/i);
    }
    const unknown = await inProcess(['preview', 'nosuchcampaign']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(
      /CAMPAIGN_UNKNOWN: .*"nosuchcampaign"[\s\S]*Known ids: notohatecrime, westandtogether/,
    );
  });

  it('an invalid option value is named with the values allowed; resume of a running campaign changes nothing', async () => {
    const env = { SOLIDARITY_DATA_DIR: temp() };
    const resolve = await runCliInProcess(['review', 'resolve', 'x:1', '--outcome', 'police'], env);
    expect(resolve.code).toBe(2);
    expect(resolve.stderr).toMatch(/--outcome "police" is not a valid outcome[\s\S]*reported-to-police/);
    const resume = await runCliInProcess(['resume', 'westandtogether'], env);
    expect(resume.code).toBe(0);
    expect(resume.stdout).toMatch(/^westandtogether is not paused: it is posting; nothing changed\./);
    expect((await runCliInProcess(['pause', 'campaigns/westandtogether.yaml'], env)).stdout).toMatch(
      /^Paused westandtogether/,
    );
    expect((await runCliInProcess(['pause', 'westandtogether'], env)).stdout).toMatch(/already paused/);
    expect((await runCliInProcess(['resume', 'westandtogether'], env)).stdout).toMatch(
      /^Resumed westandtogether/,
    );
  });
});
