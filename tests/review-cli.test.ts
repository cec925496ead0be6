/**
 * `solidarity moderator …` and `solidarity review …` on the real file store in a temp data folder:
 * in-process through runCli for most cases, as a child process for the end-to-end ones, and with
 * a running bot holding the folder (decisions reach it through its inbox).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Flag } from '../src/core/review.ts';
import { addModerator } from '../src/dashboard/accounts.ts';
import type { EvidenceExport } from '../src/moderation/evidence.ts';
import { openStore } from '../src/store/index.ts';
import { openBotStore } from './_dashboard.ts';
import { HOSTILE_TEXTS, makeFlag } from './_review-fixtures.ts';
import { type CliProcess, runCliInProcess, runCliProcess, startCliProcess, tempDir } from './_util.ts';

let dir: string;
let cleanup: () => void;
const flags: Flag[] = [];
const at0 = '2026-11-25T10:00:00.000Z';

beforeEach(async () => {
  ({ path: dir, cleanup } = tempDir('solidarity-review-cli-'));
  const store = await openStore({ backend: 'file', dir }, { use: 'change', fsync: false, pruneEveryMs: 0 });
  flags.length = 0;
  for (let n = 0; n < 6; n++) flags.push(makeFlag({ n }));
  flags.push(makeFlag({ n: 6, text: HOSTILE_TEXTS['terminal']!, reasons: [] }));
  for (const f of flags) await store.addFlag(f);
  await store.close();
});

afterEach(() => cleanup());

function cli(args: string[], input = '') {
  return runCliInProcess(
    args,
    { SOLIDARITY_DATA_DIR: dir, LOG_LEVEL: 'silent', SOLIDARITY_CAMPAIGNS_DIR: join(dir, 'none') },
    input,
  );
}

async function reader() {
  return openStore({ backend: 'file', dir }, { use: 'read' });
}

describe('solidarity moderator', () => {
  it('add prints a one-time password; --password-stdin reads one; list never shows hashes', async () => {
    const a = await cli(['moderator', 'add', 'Alice', '--role', 'admin']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/One-time password: [A-Za-z0-9_-]{20}\n/);
    const b = await cli(
      ['moderator', 'add', 'bob', '--role', 'viewer', '--password-stdin'],
      'a long passphrase\n',
    );
    expect(b.code).toBe(0);
    expect(b.stdout).not.toContain('One-time password');
    const list = await cli(['moderator', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'alice', role: 'admin', status: 'must-change-password' }),
      expect.objectContaining({ name: 'bob', role: 'viewer', status: 'active' }),
    ]);
    expect(list.stdout).not.toContain('scrypt');
    const store = await reader();
    expect((await store.getModerator('bob'))!.passwordHash).toMatch(/^scrypt\$/);
    await store.close();
  });

  it('refuses a bad role, a short password, a taken name, and disabling the last admin', async () => {
    expect((await cli(['moderator', 'add', 'x', '--role', 'boss'])).stderr).toContain('MODERATOR_INVALID');
    const short = await cli(['moderator', 'add', 'y', '--role', 'viewer', '--password-stdin'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 12');
    await cli(['moderator', 'add', 'root', '--role', 'admin']);
    expect((await cli(['moderator', 'add', 'ROOT', '--role', 'viewer'])).stderr).toContain('already exists');
    const last = await cli(['moderator', 'disable', 'root']);
    expect(last.code).toBe(2);
    expect(last.stderr).toContain('last enabled admin');
    await cli(['moderator', 'add', 'second', '--role', 'admin']);
    expect((await cli(['moderator', 'disable', 'root'])).code).toBe(0);
    const reset = await cli(['moderator', 'reset', 'root']);
    expect(reset.stdout).toMatch(/New one-time password for root: [A-Za-z0-9_-]{20}\n/);
    const afterReset = await reader();
    expect((await afterReset.getModerator('root'))!.mustChangePassword).toBe(true);
    await afterReset.close();
    const unknown = await cli(['moderator', 'enable', 'nobody']);
    expect([unknown.code, unknown.stderr.split(':')[0]]).toEqual([4, 'DASHBOARD_AUTH']);
    const store = await reader();
    expect((await store.getModerator('root'))!.disabled).toBe(true);
    await store.close();
  });
});

describe('solidarity review', () => {
  it('lists, shows, decides and refuses what the state does not allow', async () => {
    const list = await cli(['review', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('7 flag(s) match');
    for (const f of flags) expect(list.stdout).toContain(f.id);
    // The list never prints the (abusive) text.
    expect(list.stdout).not.toContain(flags[0]!.mention.text);

    const show = await cli(['review', 'show', flags[1]!.id]);
    const word = flags[1]!.verdict.reasons[0]!.span!.text;
    expect(show.stdout).toContain(`»${word}«`);
    expect(show.stdout).toContain('Decisions:\n  none yet');

    expect((await cli(['review', 'ack', flags[1]!.id, '--by', 'sam'])).code).toBe(0);
    const noOutcome = await cli(['review', 'resolve', flags[1]!.id]);
    expect(noOutcome.code).toBe(2);
    expect(noOutcome.stderr).toContain('--outcome');
    const resolved = await cli([
      'review',
      'resolve',
      flags[1]!.id,
      '--outcome',
      'reported-to-police',
      '--note',
      'ref 42',
    ]);
    expect(resolved.stdout).toContain('now resolved');
    const again = await cli(['review', 'escalate', flags[1]!.id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('REVIEW_NOT_ALLOWED');
    expect(again.stderr).toContain('Allowed now: comment, reopen');

    const bulk = await cli([
      'review',
      'dismiss',
      flags[2]!.id,
      flags[3]!.id,
      flags[1]!.id,
      '--reason',
      'news quote',
    ]);
    expect(bulk.code).toBe(2);
    expect(bulk.stdout.match(/dismiss recorded/g)).toHaveLength(2);

    const store = await reader();
    const f1 = (await store.getFlag(flags[1]!.id))!;
    expect(f1.state).toBe('resolved');
    expect(f1.events.map((e) => [e.action, e.by, e.outcome ?? null, e.note ?? null])).toEqual([
      ['acknowledge', 'sam', null, null],
      ['resolve', expect.stringMatching(/^cli:/), 'reported-to-police', 'ref 42'],
    ]);
    expect((await store.getFlag(flags[2]!.id))!.events[0]).toMatchObject({
      action: 'dismiss',
      note: 'news quote',
    });
    await store.close();

    const dismissed = await cli(['review', 'list', '--state', 'dismissed', '--json']);
    expect(
      dismissed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([flags[3]!.id, flags[2]!.id]);
    expect((await cli(['review', 'show', 'nope'])).stderr).toContain('FLAG_NOT_FOUND');
  });

  it('comments need a note; reopen undoes a dismissal and keeps the record', async () => {
    const id = flags[4]!.id;
    expect((await cli(['review', 'comment', id])).stderr).toContain('A comment needs a note');
    expect((await cli(['review', 'comment', id, '--note', 'seen before'])).code).toBe(0);
    await cli(['review', 'dismiss', id]);
    const reopened = await cli(['review', 'reopen', id]);
    expect(reopened.stdout).toContain('now open');
    const store = await reader();
    expect((await store.getFlag(id))!.events.map((e) => e.action)).toEqual(['comment', 'dismiss', 'reopen']);
    expect((await store.getFlag(id))!.state).toBe('open');
    await store.close();
  });

  it('false-positives re-scores dismissed flags with the current scorer, by rule and reason, without text', async () => {
    const store = await openStore({ backend: 'file', dir }, { use: 'change', fsync: false, pruneEveryMs: 0 });
    const hateful = makeFlag({ n: 40, text: 'Migrants are vermin and should all go back #westandtogether' });
    const benign = makeFlag({ n: 41, text: 'Lovely vigil tonight, thank you all #westandtogether' });
    await store.addFlag(hateful);
    await store.addFlag(benign);
    await store.close();
    await cli(['review', 'dismiss', hateful.id, '--reason', 'news quote']);
    await cli(['review', 'dismiss', benign.id]);
    const res = await cli(['review', 'false-positives', '--json']);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ dismissed: 2, stillFlagged: 1, noLongerFlagged: 1 });
    expect(out.reasons).toEqual({ 'news quote': 1, '(no reason)': 1 });
    expect(Object.keys(out.rules)).toContain('dehumanisation.group_is_vermin');
    expect(res.stdout).not.toContain('vermin and should');
    const text = await cli(['review', 'false-positives']);
    expect(text.stdout).toContain('2 dismissed flag(s); the current scorer would still flag 1.');
  });

  it('every review and moderator command has --help', async () => {
    for (const name of [
      'list',
      'show',
      'ack',
      'escalate',
      'resolve',
      'dismiss',
      'comment',
      'reopen',
      'export',
    ]) {
      const help = await cli(['review', name, '--help']);
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toMatch(/^Usage: npx solidarity review /);
    }
    for (const name of ['add', 'list', 'disable', 'enable', 'reset']) {
      expect((await cli(['moderator', name, '--help'])).stdout, name).toMatch(
        /^Usage: npx solidarity moderator /,
      );
    }
    expect((await cli(['dashboard', '--help'])).stdout).toContain('DASHBOARD_HOST:DASHBOARD_PORT');
  });

  it('shows hostile text without handing terminal escapes to the terminal', async () => {
    const show = await cli(['review', 'show', flags[6]!.id]);
    expect(show.stdout).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/);
    expect(show.stdout).toContain('⟦U+001B⟧[31mred');
  });

  it('exports evidence as JSON to a file and CSV to stdout, with where to report', async () => {
    const out = join(dir, 'evidence.json');
    const json = await cli([
      'review',
      'export',
      flags[0]!.id,
      flags[4]!.id,
      '--format',
      'json',
      '--out',
      out,
    ]);
    expect(json.code).toBe(0);
    expect(json.stderr).toContain('0800 789 321');
    const parsed = JSON.parse(readFileSync(out, 'utf8')) as EvidenceExport;
    expect(parsed.records.map((r) => r.flagId)).toEqual([flags[0]!.id, flags[4]!.id]);
    expect(parsed.records[0]!.text).toBe(flags[0]!.mention.text);
    const again = await cli(['review', 'export', flags[0]!.id, '--format', 'json', '--out', out]);
    expect(again.code).toBe(2);
    const csv = await cli(['review', 'export', flags[0]!.id]);
    expect(csv.stdout.split('\r\n')[0]).toContain('"post_url"');
    expect(csv.stdout).toContain(parsed.records[0]!.textSha256);
  });
});

describe('end to end, as separate processes', () => {
  it('a decision from the CLI reaches a running bot through its inbox', async () => {
    const bot = await openBotStore(dir);
    try {
      const res = await runCliProcess(
        ['review', 'dismiss', flags[5]!.id, '--reason', 'satire', '--by', 'kim'],
        {
          env: { SOLIDARITY_DATA_DIR: dir },
        },
      );
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect((await bot.getFlag(flags[5]!.id))!.events).toEqual([
        expect.objectContaining({ action: 'dismiss', by: 'kim', note: 'satire' }),
      ]);
      expect((await bot.getFlag(flags[5]!.id))!.state).toBe('dismissed');
      const help = await runCliProcess(['review', 'resolve', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--outcome OUTCOME');
    } finally {
      await bot.close();
    }
  });
});

/** Runs `solidarity <args>` as a child process until it prints the dashboard's address. */
async function serveDashboard(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ url: string; child: CliProcess }> {
  const child = startCliProcess(args, { env: { SOLIDARITY_DATA_DIR: dir, ...env } });
  const address = /Review dashboard: (http:\/\/127\.0\.0\.1:\d+)/;
  const url = address.exec(await child.waitFor((out) => address.test(out)))![1]!;
  return { url, child };
}

describe('the dashboard runs inside the bot', () => {
  it('npm start serves it on 127.0.0.1, behind the login', async () => {
    const { url, child: bot } = await serveDashboard(['start'], {
      DASHBOARD_PORT: '0',
      SOLIDARITY_MODE: 'local',
    });
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const queue = await fetch(`${url}/queue`, { redirect: 'manual' });
      expect(queue.status).toBe(303);
      expect(queue.headers.get('location')).toBe('/login?next=%2Fqueue');
    } finally {
      await bot.stop('SIGINT');
    }
  });
});

describe('solidarity dashboard', () => {
  const startDashboardProcess = () => serveDashboard(['dashboard', '--port', '0']);

  /** Signs in through the login form; returns the answer's status, the session cookie and the queue page. */
  async function signIn(
    url: string,
    name: string,
    password: string,
  ): Promise<{ status: number; session: string; queue: string; csrf: string }> {
    const form = await fetch(`${url}/login`);
    const loginCookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const res = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name, password, _csrf: token }).toString(),
    });
    const session = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('sb_session='))!
      .split(';')[0]!;
    const queue = await (await fetch(`${url}/queue`, { headers: { cookie: session } })).text();
    return { status: res.status, session, queue, csrf: /name="_csrf" value="([^"]+)"/.exec(queue)![1]! };
  }

  it('runs alone, holding the data folder, and shows the queue to a signed-in moderator', async () => {
    await cli(['moderator', 'add', 'mo', '--role', 'moderator', '--password-stdin'], 'a long passphrase\n');
    const d = await startDashboardProcess();
    try {
      expect(d.child.stdout()).toContain('holding the data folder');
      const { status, queue } = await signIn(d.url, 'mo', 'a long passphrase');
      expect(status).toBe(303);
      expect(queue).toContain('7 flags match');
    } finally {
      await d.child.stop();
    }
  });

  it('beside a running bot, reads its data instead of failing on the lock', async () => {
    const bot = await openBotStore(dir);
    try {
      await addModerator(bot, { name: 'mo', role: 'moderator', password: 'a long passphrase', now: at0 });
      const d = await startDashboardProcess();
      try {
        expect(d.child.stdout()).toContain('a running bot holds the data folder');
        // A decision made in this dashboard reaches the bot through its inbox.
        const { session, csrf } = await signIn(d.url, 'mo', 'a long passphrase');
        const res = await fetch(`${d.url}/decide`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            _csrf: csrf,
            id: flags[0]!.id,
            action: 'escalate',
            note: 'for the police',
          }).toString(),
        });
        expect(res.status).toBe(303);
        expect((await bot.getFlag(flags[0]!.id))!.events).toEqual([
          expect.objectContaining({ action: 'escalate', by: 'mo', note: 'for the police' }),
        ]);
      } finally {
        await d.child.stop();
      }
    } finally {
      await bot.close();
    }
  });
});
