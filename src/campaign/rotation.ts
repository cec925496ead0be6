/**
 * Which message a slot posts. Every message is used once per round before any repeats, and a
 * round never starts with the message the previous round ended on, so the same text never goes
 * out twice in a row. Pure: slot index in, message index out.
 */

import { mulberry32 } from '../random.ts';

/** FNV-1a, for seeding: stable across runs and platforms. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function shuffledRound(size: number, seed: string): number[] {
  const order = Array.from({ length: size }, (_, i) => i);
  const next = mulberry32(hash(seed));
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** The message index for a slot. With fewer than 3 messages, shuffling cannot help: in order. */
export function messageIndexFor(
  slotIndex: number,
  poolSize: number,
  rotation: 'in-order' | 'shuffle',
  seed: string,
): number {
  if (poolSize <= 0) throw new Error('empty message pool');
  if (rotation === 'in-order' || poolSize < 3) return slotIndex % poolSize;
  const round = Math.floor(slotIndex / poolSize);
  const order = shuffledRound(poolSize, `${seed}:${round}`);
  if (round > 0) {
    // Swapping the first two never changes the last (pool ≥ 3), so the previous round's last is raw.
    const previousLast = shuffledRound(poolSize, `${seed}:${round - 1}`)[poolSize - 1];
    if (order[0] === previousLast) [order[0], order[1]] = [order[1]!, order[0]!];
  }
  return order[slotIndex % poolSize]!;
}
