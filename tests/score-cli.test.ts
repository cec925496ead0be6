/** `solidarity score` end to end: the real CLI in a child process, JSON lines in and out. */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, runCliProcess, tempDir } from './_util.ts';

const lines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('solidarity score', () => {
  it('writes one verdict per input line, in order, and an error line for each bad line', async () => {
    const input = [
      JSON.stringify({ id: 'a', text: 'Kill all muslims' }),
      'this is not json',
      '',
      JSON.stringify({ id: 'b' }),
      JSON.stringify({ text: 'no id here' }),
      '[1,2]',
      JSON.stringify({ id: 7, text: 'We stand together with Brussels tonight' }),
      JSON.stringify({ id: 'c', text: 'Les musulmans sont des rats', lang: 'fr' }),
    ].join('\n');
    const result = await runCliProcess(['score'], { input });
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out).toHaveLength(7); // the blank line is skipped
    expect(out[0]).toMatchObject({ id: 'a', flagged: true, severity: 'high' });
    expect(Object.keys(out[0]!)).toEqual(['id', 'flagged', 'score', 'severity', 'sentiment', 'reasons']);
    const reason = (out[0]!.reasons as Array<{ rule: string; span: { text: string } }>)[0]!;
    expect(reason.rule).toMatch(/^threat\./);
    expect(reason.span.text).toBe('Kill all muslims');
    expect(out[1]).toEqual({ line: 2, error: expect.stringContaining('not valid JSON') });
    expect(out[1]!.error).not.toContain('this is not json');
    expect(out[2]).toMatchObject({ id: 'b', line: 4, error: expect.stringContaining('text') });
    expect(out[3]).toMatchObject({ line: 5, error: expect.stringContaining('id') });
    expect(out[4]).toMatchObject({ line: 6, error: expect.any(String) });
    expect(out[5]).toMatchObject({ id: 7, flagged: false, severity: 'none' });
    expect(out[6]).toMatchObject({ id: 'c', flagged: true });
    expect(result.stderr).toContain('scored 3 post(s): 2 flagged; 4 bad line(s)');
  });

  it('writes nothing on empty input and exits 0', async () => {
    const result = await runCliProcess(['score'], { input: '' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('scored 0 post(s)');
  });

  it('refuses a threshold outside 0.05..1 with a usage error', async () => {
    const result = await runCliProcess(['score', '--threshold', '7'], { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('USAGE: --threshold 7');
    expect(result.stderr).not.toContain('    at ');
  });

  it('applies --threshold', async () => {
    const input = JSON.stringify({ id: 1, text: 'Immigrants are lazy' });
    const strict = lines((await runCliProcess(['score', '--threshold', '0.99'], { input })).stdout);
    const lax = lines((await runCliProcess(['score', '--threshold', '0.3'], { input })).stdout);
    expect(strict[0]!.flagged).toBe(false);
    expect(lax[0]!.flagged).toBe(true);
    expect(strict[0]!.score).toBe(lax[0]!.score);
  });

  it("uses the campaign's scoring block, messages and hashtags with --campaign", async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'c.yaml');
      writeFileSync(
        file,
        [
          'id: testcampaign',
          'name: Test',
          'timezone: Europe/Brussels',
          'start: 2026-03-22T09:00',
          'platforms: [local]',
          'schedules:',
          '  - cron: "0 9 * * *"',
          'hashtags: [DeportThemAll]',
          'messages:',
          '  - text: "Deport all hate from our streets, stand with our muslim neighbours {hashtags}"',
          '  - text: "Report hate crime: call 101, or 999 if urgent {hashtags}"',
          'scoring:',
          '  threshold: 0.95',
          '  never_flag: [queer]',
          '',
        ].join('\n'),
      );
      const input = [
        JSON.stringify({ id: 1, text: 'Immigrants are lazy' }),
        JSON.stringify({
          id: 2,
          text: 'Deport all hate from our streets, stand with our muslim neighbours #DeportThemAll',
        }),
        JSON.stringify({ id: 3, text: '#DeportThemAll' }),
      ].join('\n');
      const result = await runCliProcess(['score', '--campaign', file], { input });
      expect(result.stderr).not.toContain('CAMPAIGN');
      const out = lines(result.stdout);
      expect(out[0]!.flagged).toBe(false); // threshold 0.95 from the campaign
      // The campaign's own message, recognised as the running bot recognises it.
      expect((out[1]!.reasons as Array<{ rule: string }>).map((r) => r.rule)).toEqual(['own-post']);
      expect(out[2]!.reasons).toEqual([]); // the campaign's own hashtag is not content
      const overridden = await runCliProcess(['score', '--campaign', file, '--threshold', '0.3'], { input });
      expect(lines(overridden.stdout)[0]!.flagged).toBe(true);
    } finally {
      dir.cleanup();
    }
  });

  it('names a missing campaign file', async () => {
    const result = await runCliProcess(['score', '--campaign', 'nope/missing.yaml'], { input: '' });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('missing.yaml');
  });

  it('streams 50 MB in constant memory, in order', async () => {
    // A heap smaller than the input would need if buffered (the CLI itself keeps about 50 MB of it
    // live), and resident memory sampled as the stream goes: it must not grow with the input. The
    // young generation is kept small too: with Node's default (up to 3 x 16 MB semi-spaces, grown
    // lazily) resident memory drifts by tens of MB with no change in live data, and that drift,
    // not the scorer, decided whether this test passed.
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=96', '--max-semi-space-size=2', CLI, 'score'],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const filler = 'we stand together with our neighbours tonight and always, love not hate '.repeat(13);
    const target = 50 * 1024 * 1024;
    let written = 0;
    let sent = 0;
    // A child that dies (out of heap) must fail the test at once, not leave the writer waiting.
    const exited = new Promise<number | null>((r) => child.on('close', r));
    child.stdin.on('error', () => {});
    const writer = (async () => {
      while (written < target && child.exitCode === null) {
        const line = `${JSON.stringify({ id: sent, text: sent % 10 === 0 ? 'Kill all muslims' : filler })}\n`;
        written += line.length;
        sent++;
        if (!child.stdin.write(line))
          await Promise.race([new Promise((r) => child.stdin.once('drain', r)), exited]);
      }
      child.stdin.end();
    })();
    let received = 0;
    let inOrder = true;
    let flaggedRight = true;
    const rss: Array<{ at: number; bytes: number }> = [];
    const rssTimer = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (kb > 0) rss.push({ at: written / target, bytes: kb * 1024 });
      } catch {
        // Not Linux, or the child has exited.
      }
    }, 100);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    for await (const line of createInterface({ input: child.stdout })) {
      const verdict = JSON.parse(line) as { id: number; flagged: boolean };
      if (verdict.id !== received) inOrder = false;
      if (verdict.flagged !== (received % 10 === 0)) flaggedRight = false;
      received++;
    }
    await writer;
    const code = await exited;
    clearInterval(rssTimer);
    expect(stderr).not.toContain('heap');
    expect(code).toBe(0);
    expect(written).toBeGreaterThanOrEqual(target);
    expect(received).toBe(sent);
    expect(inOrder).toBe(true);
    expect(flaggedRight).toBe(true);
    const early = rss.filter((r) => r.at > 0.1 && r.at <= 0.35).map((r) => r.bytes);
    const late = rss.filter((r) => r.at > 0.75).map((r) => r.bytes);
    if (early.length > 0 && late.length > 0) {
      // 50 MB went through; memory at the end is within 40 MB of memory a quarter of the way in.
      expect(Math.max(...late)).toBeLessThan(Math.max(...early) + 40 * 1024 * 1024);
      expect(Math.max(...late)).toBeLessThan(300 * 1024 * 1024);
    }
  }, 120_000);
});
