import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../tests/_csv.ts';
import { HOSTILE_TEXTS, makeFlag } from '../../tests/_review-fixtures.ts';
import {
  csvCell,
  evidenceCsv,
  evidenceExport,
  REPORTING_GUIDANCE,
  REPORTING_GUIDANCE_CHECKED,
  reportingGuidanceText,
} from './evidence.ts';

const meta = { exportedAt: '2026-11-25T22:00:00.000Z', exportedBy: 'sam' };

describe('evidence export', () => {
  const flag = makeFlag({ n: 4 });
  flag.events.push({
    id: 'e1',
    flagId: flag.id,
    action: 'escalate',
    by: 'sam',
    at: '2026-11-25T21:00:00.000Z',
    note: 'for the police',
  });

  it('JSON holds every field the police need, and the hash of the captured text', () => {
    const out = evidenceExport([flag], meta);
    const r = out.records[0]!;
    expect(r).toMatchObject({
      postUrl: flag.mention.url,
      platform: flag.mention.platform,
      postId: flag.mention.id,
      authorId: flag.mention.authorId,
      authorHandle: flag.mention.authorHandle,
      text: flag.mention.text,
      createdAt: flag.mention.createdAt,
      capturedAt: flag.mention.capturedAt,
      state: 'escalated',
    });
    expect(r.textSha256).toBe(createHash('sha256').update(flag.mention.text).digest('hex'));
    expect(r.verdict.reasons[0]!.span).toEqual(flag.verdict.reasons[0]!.span);
    expect(r.decisions).toHaveLength(1);
    expect(out.guidanceChecked).toBe(REPORTING_GUIDANCE_CHECKED);
  });

  it('CSV round-trips hostile text exactly, except formula-looking cells get an apostrophe', () => {
    const flags = Object.values(HOSTILE_TEXTS).map((text, i) => makeFlag({ n: 100 + i, text }));
    flags.push(makeFlag({ n: 200, text: '=HYPERLINK("http://evil.example","click")' }));
    const rows = parseCsv(evidenceCsv(flags));
    expect(rows).toHaveLength(flags.length + 1);
    const textCol = rows[0]!.indexOf('text');
    const hashCol = rows[0]!.indexOf('text_sha256');
    for (let i = 0; i < flags.length - 1; i++) {
      // Lone surrogates cannot be written as UTF-8; compare what a UTF-8 file holds.
      const expected = Buffer.from(flags[i]!.mention.text, 'utf8').toString('utf8');
      expect(Buffer.from(rows[i + 1]![textCol]!, 'utf8').toString('utf8')).toBe(expected);
      expect(rows[i + 1]![hashCol]).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(rows[flags.length]![textCol]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(csvCell('-1')).toBe(`"'-1"`);
    expect(csvCell(-1)).toBe('"-1"');
  });

  it('every row of an export of hostile texts verifies with sha256sum, from its own cells', () => {
    const flags = Object.values(HOSTILE_TEXTS).map((text, i) => makeFlag({ n: 100 + i, text }));
    flags.push(makeFlag({ n: 200, text: '=HYPERLINK("http://evil.example","click")' }));
    flags.push(makeFlag({ n: 201, text: '+1 -2 @here\ttab' }));
    const rows = parseCsv(evidenceCsv(flags));
    const hex = rows[0]!.indexOf('text_utf8_hex');
    const hash = rows[0]!.indexOf('text_sha256');
    expect(hex).toBeGreaterThan(0);
    for (const row of rows.slice(1)) {
      // What the documentation tells a police officer to run.
      const printed = execFileSync(
        'sh',
        ['-c', `printf '%s' "$1" | basenc --base16 -d | sha256sum`, 'sh', row[hex]!],
        {
          encoding: 'utf8',
        },
      );
      expect(printed.split(' ')[0]).toBe(row[hash]);
    }
  });

  it('the reporting guidance names 101, 999, the Anti-Terrorist Hotline and True Vision with its checked date', () => {
    const text = reportingGuidanceText();
    for (const needle of [
      '101',
      '999',
      '0800 789 321',
      'https://www.report-it.org.uk/',
      REPORTING_GUIDANCE_CHECKED,
    ]) {
      expect(text).toContain(needle);
    }
    expect(REPORTING_GUIDANCE).toHaveLength(4);
    expect(REPORTING_GUIDANCE_CHECKED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
