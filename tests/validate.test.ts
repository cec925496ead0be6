/** `solidarity validate` catches what would make `start` refuse or misbehave, naming where. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invalidUtf8Offset } from '../src/campaign/file-checks.ts';
import { cleanupAfterEach } from './_cleanups.ts';
import { runCliInProcess } from './_util.ts';

const { dataDir } = cleanupAfterEach();

const BASE = `id: base
name: Base
timezone: Europe/London
start: 2026-03-22T09:00
platforms: [x]
schedules:
  - cron: "0 9 * * *"
hashtags: [WeStand]
messages:
  - "one message"
  - "two message"
`;

function folder(files: Record<string, string | Buffer>): (name: string) => string {
  const dir = dataDir();
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return (name) => join(dir, name);
}

async function validate(...files: string[]) {
  // An empty campaigns folder, so only the files given can clash.
  return runCliInProcess(['validate', ...files], { SOLIDARITY_CAMPAIGNS_DIR: dataDir() });
}

describe('validate', () => {
  it('a .json file must be strict JSON (a trailing comma is named at its line and column)', async () => {
    const path = folder({
      'c.json':
        '{\n  "id": "js", "name": "J", "timezone": "Europe/London", "start": "2026-03-22T09:00",\n  "platforms": ["x"], "schedules": [{"cron": "0 9 * * *"}],\n  "messages": ["a", "b",]\n}\n',
    });
    const r = await validate(path('c.json'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/c\.json:4:24 error \(file\): not valid JSON: Unexpected token/);
  });

  it('only UTF-8: a Latin-1 byte is named by its offset, line and column', async () => {
    const latin = Buffer.from(BASE.replace('one message', 'caf\u00e9 message'), 'latin1');
    const path = folder({ 'latin.yaml': latin });
    const r = await validate(path('latin.yaml'));
    expect(r.code).toBe(3);
    const offset = BASE.indexOf('one message') + 'caf'.length; // all ASCII before it: bytes = characters
    expect(r.stderr).toMatch(
      new RegExp(`latin\\.yaml:10:9 error \\(file\\): not UTF-8: byte ${offset} \\(0xe9\\)`),
    );
    expect(invalidUtf8Offset(Buffer.from('ok \u00e9 \u{1f600}'))).toBe(-1);
    expect(invalidUtf8Offset(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong
    expect(invalidUtf8Offset(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
  });

  it('the same id in two files is named in the second', async () => {
    const path = folder({ 'a.yaml': BASE, 'b.yaml': BASE.replace('name: Base', 'name: Other') });
    const r = await validate(path('a.yaml'), path('b.yaml'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/b\.yaml:1:1 error id: the id "base" is also the id of .*a\.yaml/);
  });

  it('a campaign that will never post says why: quiet hours, past `at` times, an end gone by', async () => {
    const path = folder({
      'quiet.yaml': `${BASE}quiet_hours: { from: "08:00", to: "10:00" }\n`,
      'past.yaml': BASE.replace('  - cron: "0 9 * * *"', '  - at: ["2026-03-22T10:00", "2026-03-23T10:00"]'),
      'ended.yaml': `${BASE}end: 2026-03-25T09:00\n`,
    });
    const quiet = await validate(path('quiet.yaml'));
    expect(quiet.stderr).toMatch(/never post: every slot falls inside quiet_hours/);
    expect((await validate(path('past.yaml'))).stderr).toMatch(/never post: every `at` time is in the past/);
    expect((await validate(path('ended.yaml'))).stderr).toMatch(
      /never post: the campaign ended at 2026-03-25/,
    );
    expect(quiet.code).toBe(3);
  });

  it('a hashtag listed twice (in two cases) is named', async () => {
    const path = folder({ 'tags.yaml': BASE.replace('hashtags: [WeStand]', 'hashtags: [WeStand, westand]') });
    const r = await validate(path('tags.yaml'));
    expect(r.stderr).toMatch(
      /tags\.yaml:8:\d+ error hashtags\[1\]: "westand" is the same hashtag as hashtags\[0\]/,
    );
  });

  it('caps the file at 1 MB and the messages at 1,000', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `  - "message number ${i}"`).join('\n');
    const path = folder({
      'big.yaml': `${BASE}# ${'x'.repeat(1_100_000)}\n`,
      'many.yaml': `${BASE.split('messages:')[0]}messages:\n${many}\n`,
    });
    const big = await validate(path('big.yaml'));
    expect(big.code).toBe(3);
    expect(big.stderr).toMatch(
      /big\.yaml:1:1 error \(file\): the file is \d+ bytes; a campaign file is at most 1048576/,
    );
    expect((await validate(path('many.yaml'))).stderr).toMatch(
      /1001 messages; a campaign holds at most 1000/,
    );
  });

  it('an image must really be a PNG, JPEG, GIF or WebP, of the type its name says', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const withImage = (file: string) =>
      `${BASE}  - text: "three"\n    image: { file: ${file}, alt: "a candle" }\n`;
    const path = folder({
      'text.png': 'not an image',
      'real.png': png,
      'real.jpg': png,
      'a.yaml': withImage('text.png'),
      'b.yaml': withImage('real.jpg').replace('id: base', 'id: b'),
      'c.yaml': withImage('real.png').replace('id: base', 'id: c'),
    });
    expect((await validate(path('a.yaml'))).stderr).toMatch(
      /a\.yaml:13:\d+ error messages\[2\]\.image\.file: "text\.png" is not a PNG, JPEG, GIF or WebP image/,
    );
    expect((await validate(path('b.yaml'))).stderr).toMatch(/"real\.jpg" is a PNG image named as JPEG/);
    expect((await validate(path('c.yaml'))).code).toBe(0);
  });
});
