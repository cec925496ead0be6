import { createHash } from 'node:crypto';

const S32 = '234567abcdefghijklmnopqrstuvwxyz';

/**
 * A valid TID record key derived only from the post key and slot instant, so a retry after a crash
 * writes to the same record and can never create a second post. The timestamp part is the slot
 * time (plus up to 999 µs from the hash) and the 10-bit clock id comes from the hash, so two
 * campaigns with the same slot instant get different keys.
 */
export function recordKeyFor(key: string, slotAt: Date): string {
  const digest = createHash('sha256').update(key).digest();
  const micros = BigInt(slotAt.getTime()) * 1000n + BigInt(digest.readUInt16BE(0) % 1000);
  const clockId = BigInt(digest.readUInt16BE(2) & 0x3ff);
  let value = (micros << 10n) | clockId;
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = S32[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}
