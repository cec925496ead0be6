import { describe, expect, it } from 'vitest';
import { formatProblem, type Problem, validateCampaignText } from './load.ts';

const VALID = `name: Test campaign
timezone: Europe/London
start: 2026-03-22T09:00
platforms: [x, bluesky]
schedules:
  - cron: "0 9 * * *"
hashtags: [WeStandTogether]
links:
  report: https://www.report-it.org.uk/
messages:
  - "We will always stand together. {hashtags}"
  - "Report hate crime on 101 or at {link.report}"
`;

function problems(yaml: string, file = 'c.yaml'): Problem[] {
  return validateCampaignText(file, yaml).problems;
}

function only(yaml: string): Problem {
  const list = problems(yaml);
  expect(list, list.map((p) => formatProblem(p)).join('\n')).toHaveLength(1);
  return list[0]!;
}

/** Replaces one line of the valid file (1-based). */
function withLine(line: number, text: string): string {
  const lines = VALID.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

describe('a valid campaign', () => {
  it('loads with defaults filled in and names normalised', () => {
    const result = validateCampaignText('campaigns/test.yaml', VALID);
    expect(result.problems).toEqual([]);
    expect(result.campaign).toMatchObject({
      id: 'test',
      language: 'en',
      paused: false,
      rotation: 'in-order',
      graceMinutes: 15,
      hashtags: ['WeStandTogether'],
      monitorHashtags: ['westandtogether'],
      scoring: { threshold: 0.5 },
    });
    expect(result.campaign?.start.toISOString()).toBe('2026-03-22T09:00:00.000Z');
  });

  it('accepts JSON too, with line numbers in its errors', () => {
    const json = JSON.stringify(
      {
        name: 'J',
        timezone: 'Europe/Brussels',
        start: '2026-03-22T09:00',
        platforms: ['bluesky'],
        schedules: [{ cron: '0 9 * * *' }],
        messages: ['Un', 'Deux'],
        grace_minutes: 'late',
      },
      null,
      2,
    );
    const p = only(json);
    const line = json.split('\n').findIndex((l) => l.includes('"grace_minutes"')) + 1;
    expect(p).toMatchObject({ line, field: 'grace_minutes' });
    expect(p.column).toBe(20);
  });
});

describe('every validation error names file, line, column and field', () => {
  it('YAML syntax errors', () => {
    const list = problems('name: ok\nmessages:\n  - "unclosed\n');
    expect(list.length).toBeGreaterThan(0);
    expect(list[0]).toMatchObject({ field: '(syntax)', file: 'c.yaml' });
    expect(list[0]?.line).toBeGreaterThanOrEqual(3);
    expect(list[0]?.hint).toMatch(/syntax/);
  });

  it('a file that is not a mapping', () => {
    expect(only('- a\n- b\n').message).toMatch(/mapping/);
  });

  it('an unknown field, at its own line', () => {
    expect(only(`${VALID}colour: red\n`)).toMatchObject({
      line: 13,
      column: 1,
      field: 'colour',
      message: 'unknown field',
    });
  });

  it('a wrong type, with what was found', () => {
    const p = only(`${VALID}grace_minutes: soon\n`);
    expect(p).toMatchObject({ line: 13, field: 'grace_minutes' });
    expect(p.message).toMatch(/expected number, got string "soon"/);
  });

  it('a missing required field', () => {
    const p = only(VALID.replace('timezone: Europe/London\n', ''));
    expect(p.field).toBe('timezone');
    expect(p.message).toMatch(/missing/);
  });

  it('an unknown platform', () => {
    const p = only(withLine(4, 'platforms: [x, threads]'));
    expect(p).toMatchObject({ line: 4, field: 'platforms[1]' });
    expect(p.message).toMatch(/local|bluesky/);
  });

  it('an unknown time zone', () => {
    expect(only(withLine(2, 'timezone: Europe/Lndon'))).toMatchObject({ line: 2, field: 'timezone' });
  });

  it('a start that is not a date-time', () => {
    expect(only(withLine(3, 'start: 22/03/2026'))).toMatchObject({ line: 3, field: 'start' });
  });

  it('an end before the start', () => {
    expect(only(`${VALID}end: 2026-03-01T00:00\n`).message).toMatch(/ends before it starts/);
  });

  it('an invalid cron expression', () => {
    const p = only(withLine(6, '  - cron: "0 25 * * *"'));
    expect(p).toMatchObject({ line: 6, field: 'schedules[0].cron' });
    const q = only(withLine(6, '  - cron: "0 9 * *"'));
    expect(q.message).toMatch(/5 fields/);
  });

  it('a bad date-time in a list of one-off posts', () => {
    const p = only(withLine(6, '  - at: ["2026-03-23T11:00", "tomorrow"]'));
    expect(p).toMatchObject({ line: 6, field: 'schedules[0].at[1]' });
  });

  it('an unknown template variable, pointing at it', () => {
    const p = only(withLine(11, '  - "We stand {togther}. {hashtags}"'));
    expect(p).toMatchObject({ line: 11, column: 15, field: 'messages[0]' });
    expect(p.message).toMatch(/unknown variable \{togther\}/);
  });

  it('an unknown link name', () => {
    expect(only(withLine(12, '  - "Report at {link.police}"')).message).toMatch(/unknown link/);
  });

  it('a message too long for X, with its measured length', () => {
    const p = only(withLine(11, `  - "${'Together. '.repeat(28)}"`));
    expect(p.field).toBe('messages[0]');
    expect(p.line).toBe(11);
    expect(p.message).toMatch(/too long for x: 296\/280 weighted characters/);
    expect(p.hint).toMatch(/Shorten it by 16 weighted characters/);
  });

  it('a message too long for Bluesky only, in graphemes', () => {
    // 145 CJK characters weigh 290 on X (fails) but are 145 graphemes on Bluesky (fits).
    const cjk = only(withLine(11, `  - "${'団'.repeat(145)}"`));
    expect(cjk.message).toMatch(/too long for x/);
    const list = problems(
      withLine(4, 'platforms: [bluesky]').replace('  - "We will', `  - "${'a'.repeat(290)} We will`),
    );
    expect(list).toHaveLength(1);
    expect(list[0]?.message).toMatch(/too long for bluesky: 338\/300 graphemes/);
  });

  it('a per-platform variant that is too long is blamed on the variant', () => {
    const yaml = VALID.replace(
      '  - "Report hate crime on 101 or at {link.report}"',
      `  - text: "Report hate crime"\n    bluesky: "${'b'.repeat(310)}"`,
    );
    expect(only(yaml)).toMatchObject({ field: 'messages[1].bluesky', line: 13 });
  });

  it('two messages with the same text', () => {
    expect(only(withLine(12, '  - "We will always stand together. {hashtags}"')).message).toMatch(
      /same text/,
    );
  });

  it('a single message for a repeating schedule', () => {
    expect(only(withLine(12, '')).message).toMatch(/only one message/);
  });

  it('slots too close together (spam)', () => {
    const p = only(withLine(6, '  - cron: "*/5 * * * *"'));
    expect(p.message).toMatch(/5 minute\(s\) apart/);
  });

  it('a hashtag with punctuation', () => {
    expect(only(withLine(7, 'hashtags: ["we-stand"]'))).toMatchObject({ field: 'hashtags[0]', line: 7 });
  });

  it('a link that is not http(s)', () => {
    expect(only(withLine(9, '  report: javascript:alert(1)'))).toMatchObject({
      field: 'links.report',
      line: 9,
    });
  });

  it('a file name that cannot be an id', () => {
    expect(problems(VALID, 'campaigns/My Campaign!.yaml')[0]?.field).toBe('id');
  });

  it('reports several problems at once: a type error on line 7 and an over-long message', () => {
    const yaml = withLine(7, 'hashtags: WeStandTogether').replace(
      '  - "Report hate crime on 101 or at {link.report}"',
      `  - "${'Report hate. '.repeat(25)}"`,
    );
    const list = problems(yaml);
    expect(list.map((p) => [p.line, p.field])).toEqual([
      [7, 'hashtags'],
      [12, 'messages[1]'],
      [12, 'messages[1]'],
    ]);
  });
});

describe('warnings', () => {
  it('warns on all-lowercase multi-word hashtags but still loads', () => {
    const result = validateCampaignText('c.yaml', withLine(7, 'hashtags: [westandtogether, Love]'));
    expect(result.campaign).toBeDefined();
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ line: 7, field: 'hashtags[0]' });
    expect(result.warnings[0]?.hint).toMatch(/CamelCase/);
  });
});
