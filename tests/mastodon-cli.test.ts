/**
 * Mastodon from the command line, against the local fake instance: `validate` against the
 * configured limit offline and the instance's own limit live, `preview` with the measured length
 * (URLs at 23), `post-now --platform mastodon` and `status` (login check, rate limit, last post).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeMastodon,
  fakeMastodonEnv,
  mastodonCampaignLines,
  startFakeMastodon,
} from './_fake-mastodon.ts';
import { runCliInProcess, runCliProcess, startCliProcess, tempDir } from './_util.ts';

let fake: FakeMastodon;
let wide: FakeMastodon;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  [fake, wide] = await Promise.all([startFakeMastodon(), startFakeMastodon({ maxCharacters: 1000 })]);
});
afterAll(async () => {
  await Promise.allSettled([fake?.close(), wide?.close()]);
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A campaign folder with one Mastodon campaign; its messages are `text` and `text (2)`. */
function setup(
  text: string,
  extra: Partial<Pick<Parameters<typeof mastodonCampaignLines>[0], 'id' | 'platforms' | 'mastodon'>> = {},
): { dir: string; file: string; env: Record<string, string> } {
  const temp = tempDir('solidarity-mastodon-cli-');
  cleanups.push(temp.cleanup);
  const campaigns = join(temp.path, 'campaigns');
  mkdirSync(campaigns);
  const file = join(campaigns, `${extra.id ?? 'fedi'}.yaml`);
  const lines = mastodonCampaignLines({
    id: 'fedi',
    start: '2026-01-01T00:00',
    schedule: 'cron: "0 9 * * *"',
    messages: [text, `${text} (2)`],
    ...extra,
  });
  writeFileSync(file, lines.join('\n'));
  return {
    dir: temp.path,
    file,
    env: { SOLIDARITY_DATA_DIR: join(temp.path, 'data'), SOLIDARITY_CAMPAIGNS_DIR: campaigns },
  };
}

// 470 letters + a 60-character URL: 470 + 1 + 23 (the URL) + 17 (" #WeStandTogether") + 10
// ("Hate crime", the content warning) = 521 counted, over the default 500.
const LONG = `${'a'.repeat(470)} https://example.org/${'r'.repeat(40)}`;

describe('Mastodon on the command line', () => {
  it('validate checks the default limit offline and the configured one', async () => {
    const { file, env } = setup(LONG);
    const offline = await runCliInProcess(['validate', file], { ...env, SOLIDARITY_MODE: 'local' });
    expect(offline.code).toBe(3);
    expect(offline.stderr).toMatch(/too long for mastodon: 521\/500 characters/);
    const configured = await runCliInProcess(['validate', file], {
      ...env,
      SOLIDARITY_MODE: 'local',
      MASTODON_MAX_CHARACTERS: '600',
    });
    expect(configured.code, configured.stderr).toBe(0);
  });

  it("validate live uses the instance's own limit, or says it could not ask", async () => {
    const { file, env } = setup(LONG);
    const live = await runCliInProcess(['validate', file], { ...env, ...fakeMastodonEnv(wide) });
    expect(live.code, live.stderr).toBe(0);
    expect(live.stderr).toContain(
      'note: Mastodon limits from the instance: 1000 characters, a URL counts 23',
    );
    const strict = await runCliInProcess(['validate', file], { ...env, ...fakeMastodonEnv(fake) });
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(/521\/500 characters/);
    const down = await runCliInProcess(['validate', file], {
      ...env,
      MASTODON_URL: 'http://127.0.0.1:9',
      MASTODON_ACCESS_TOKEN: 'x',
      MASTODON_MAX_CHARACTERS: '600',
    });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/could not read Mastodon's own limits .*checked against the configured ones/);
  });

  it("start checks the campaign files against the instance's own limit, as validate does", {
    timeout: 60_000,
  }, async () => {
    const { env } = setup(LONG);
    const base = { ...env, SOLIDARITY_MODE: 'live', DASHBOARD_PORT: '0', SITE_PORT: '0' };
    // 521 counted: too long for the default 500, within this instance's 1,000.
    const bot = startCliProcess(['start'], { env: { ...base, ...fakeMastodonEnv(wide) } });
    try {
      await bot.waitFor('Running.');
      expect(bot.stderr()).toContain('note: Mastodon limits from the instance: 1000 characters');
    } finally {
      expect((await bot.stop('SIGTERM')).code).toBe(0);
    }
    const strict = await runCliProcess(['start'], { env: { ...base, ...fakeMastodonEnv(fake) } });
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(/521\/500 characters/);
  });

  it('preview shows Mastodon posts with their measured length (URL at 23, warning included)', async () => {
    const text = `Report hate: https://example.org/${'x'.repeat(80)}`;
    const { file, env } = setup(text);
    const run = await runCliInProcess(
      ['preview', file, '--runs', '2', '--from', '2026-03-01T00:00:00Z'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    // "Report hate: " 13 + URL 23 + " #WeStandTogether" 17 + "Hate crime" 10 = 63.
    expect(run.stdout).toMatch(/mastodon 63\/500 characters/);
    expect(run.stdout).toContain('[content warning, counted in the length: Hate crime]');
    expect(run.stdout).toContain('[visibility: unlisted]');
    const json = await runCliInProcess(
      ['preview', file, '--runs', '2', '--json', '--from', '2026-03-01T00:00:00Z'],
      env,
    );
    const rows = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { length: number });
    expect(rows.map((r) => r.length).sort()).toEqual([63, 67]);
    expect(rows[0]).toMatchObject({ platform: 'mastodon', limit: 500, unit: 'characters', fits: true });
  });

  it('overrides.mastodon: its hashtags, visibility and content warning apply on Mastodon only', async () => {
    const mastodon = [
      'hashtags: [WeStandTogether, FediSolidarity]',
      'visibility: private',
      'spoiler_text: About hate',
    ];
    const both = setup('Solidarity with Brussels.', { platforms: ['x', 'mastodon'], mastodon });
    const shown = await runCliInProcess(
      ['preview', both.file, '--runs', '2', '--json', '--from', '2026-03-01T00:00:00Z'],
      both.env,
    );
    expect(shown.code, shown.stderr).toBe(0);
    const rows = shown.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { platform: string; text: string; length: number });
    expect(rows.find((r) => r.platform === 'x')?.text).toMatch(
      /^Solidarity with Brussels\.( \(2\))? #WeStandTogether$/,
    );
    const toot = rows.find((r) => r.platform === 'mastodon')!;
    expect(toot.text).toMatch(/^Solidarity with Brussels\.( \(2\))? #WeStandTogether #FediSolidarity$/);
    // The content warning counts: the text (ASCII, no URL) and "About hate".
    expect(toot.length).toBe(toot.text.length + 'About hate'.length);

    // Its own id: the same slot of the same campaign would carry the same Idempotency-Key.
    const only = setup('Solidarity with Brussels.', { id: 'fedi-overrides', mastodon });
    const live = { ...only.env, ...fakeMastodonEnv(fake), SOLIDARITY_MODE: 'live' };
    const posted = await runCliInProcess(['post-now', only.file, '--platform', 'mastodon'], live);
    expect(posted.code, posted.stderr).toBe(0);
    expect(fake.statuses.at(-1)).toMatchObject({
      visibility: 'private',
      spoilerText: 'About hate',
      tags: ['westandtogether', 'fedisolidarity'],
    });
  });

  it('post-now --platform mastodon posts, and status shows the login, rate limit and last post', async () => {
    const { file, env } = setup('We stand together. Report hate on 101.');
    const live = { ...env, ...fakeMastodonEnv(fake), SOLIDARITY_MODE: 'live' };
    const posted = await runCliInProcess(['post-now', file, '--platform', 'mastodon'], live);
    expect(posted.code, posted.stderr).toBe(0);
    const status = fake.statuses.at(-1)!;
    expect(status.text).toMatch(/^We stand together\. Report hate on 101\.( \(2\))? #WeStandTogether$/);
    expect(status).toMatchObject({ visibility: 'unlisted', spoilerText: 'Hate crime', language: 'en' });
    const url = `${fake.url}/@westandtogether/${status.id}`;
    expect(posted.stdout).toContain(`mastodon: posted ${url}`);

    const shown = await runCliInProcess(['status'], live);
    expect(shown.stdout).toContain(
      `credentials:      ok — authorised as @westandtogether@${new URL(fake.url).host}`,
    );
    expect(shown.stdout).toMatch(/rate limit now: {3}\d+\/300 requests left, window resets \d{4}-/);
    // The status just made is the last post, by its web address.
    const lastPost = shown.stdout.split('\n').filter((l) => l.trim().startsWith('last post:'));
    expect(lastPost).toHaveLength(1);
    expect(lastPost[0]).toContain(`  ${url}  (slot `);

    const wrong = await runCliInProcess(['status'], { ...live, MASTODON_ACCESS_TOKEN: 'wrong' });
    expect(wrong.stdout).toMatch(/credentials: {6}PROBLEM — Mastodon answered 401/);
    expect(wrong.stdout).toContain('MASTODON_ACCESS_TOKEN');
  });
});
