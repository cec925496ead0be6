import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { textLines } from './lines.ts';

async function all(chunks: Array<Buffer | string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of textLines(Readable.from(chunks))) out.push(line);
  return out;
}

describe('textLines', () => {
  it('ends lines at \\n only: U+2028 and U+2029 stay inside the line', async () => {
    const line = JSON.stringify({ id: 1, text: 'one\u2028two\u2029three' });
    expect(await all([`${line}\n{"id":2}\r\n`])).toEqual([line, '{"id":2}']);
  });

  it('joins a character split across chunks, and yields a last line without newline', async () => {
    const bytes = Buffer.from('héllo\nwörld', 'utf8');
    expect(await all([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual([
      'héllo',
      'wörld',
    ]);
  });
});
