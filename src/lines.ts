/**
 * The line reader for JSON Lines input (local replay, `solidarity score`): lines end at "\n" only
 * (a "\r" before it is dropped). Node's readline also ends a line at U+2028 and U+2029, which
 * JSON allows raw inside a string, so it would cut such a post in two. The store's own reader
 * (store/files.ts) splits at the same byte.
 */

/** Yields each line of a byte or text stream; a last line without "\n" is yielded too. */
export async function* textLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (;;) {
      // Byte 10 never occurs inside a multi-byte UTF-8 character, so splitting bytes is safe.
      const end = buf.indexOf(10, start);
      if (end === -1) break;
      pending.push(buf.subarray(start, end));
      yield decode(pending);
      pending = [];
      start = end + 1;
    }
    if (start < buf.length) pending.push(Buffer.from(buf.subarray(start)));
  }
  if (pending.length > 0) yield decode(pending);
}

function decode(parts: Buffer[]): string {
  const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
