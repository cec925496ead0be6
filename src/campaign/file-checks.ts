/**
 * Checks on the bytes of a campaign file and of its images, before and beside the schema: a size
 * cap, UTF-8 only, strict JSON for .json files, and image files that really are the image type
 * their name says. Pure: the caller reads the bytes.
 */

/** A campaign file is a page of text; anything bigger is a mistake (or a log pasted in). */
export const MAX_CAMPAIGN_BYTES = 1_048_576;
/** Far more than any campaign posts; a bound on what one file can make the bot hold and check. */
export const MAX_MESSAGES = 1000;

/** The byte offset of the first byte that is not valid UTF-8, or -1 when all of it is. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return i;
    i += need + 1;
  }
  return -1;
}

/** 1-based line and column of a byte offset in bytes that are valid UTF-8 up to it. */
export function lineColumnOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  const before = new TextDecoder().decode(bytes.subarray(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: [...lines.at(-1)!].length + 1 };
}

/** 1-based line and column of a character offset in a text. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/** Where and why a .json campaign file is not strict JSON (YAML would accept more), or undefined. */
export function strictJsonProblem(text: string): { offset: number; message: string } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    // V8 gives no position for an unexpected token: point at the usual culprits instead.
    const usual = /,\s*[}\]]|\/\/|\/\*|'/.exec(text);
    const offset = position ? Number(position[1]) : (usual?.index ?? Math.max(0, text.length - 1));
    return { offset, message: message.split(/, "|\s+in JSON|\s+at position/)[0]!.trim() };
  }
}

export type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp';

/** The image type the first bytes of a file announce (its magic number), or undefined. */
export function imageKind(head: Uint8Array): ImageKind | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61)
    return 'gif';
  if (
    starts(0x52, 0x49, 0x46, 0x46) &&
    head[8] === 0x57 &&
    head[9] === 0x45 &&
    head[10] === 0x42 &&
    head[11] === 0x50
  )
    return 'webp';
  return undefined;
}

/** The image kind a file name promises. */
export function kindOfName(name: string): ImageKind | undefined {
  const ext = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'png' || ext === 'gif' || ext === 'webp') return ext;
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  return undefined;
}
