import { describe, expect, it } from 'vitest';
import { messageIndexFor } from './rotation.ts';

describe.each(['in-order', 'shuffle'] as const)('rotation %s', (rotation) => {
  for (const size of [2, 3, 4, 5, 7, 12]) {
    it(`uses all ${size} messages before repeating and never repeats back to back`, () => {
      const picks = Array.from({ length: size * 40 }, (_, k) =>
        messageIndexFor(k, size, rotation, 'seed-campaign'),
      );
      for (let round = 0; round < 40; round++) {
        const slice = picks.slice(round * size, (round + 1) * size);
        expect(new Set(slice).size, `round ${round}`).toBe(size);
      }
      for (let k = 1; k < picks.length; k++) expect(picks[k], `slot ${k}`).not.toBe(picks[k - 1]);
    });
  }

  it('is deterministic: the preview and the scheduler agree', () => {
    const a = Array.from({ length: 50 }, (_, k) => messageIndexFor(k, 6, rotation, 'x'));
    const b = Array.from({ length: 50 }, (_, k) => messageIndexFor(k, 6, rotation, 'x'));
    expect(a).toEqual(b);
  });
});

describe('shuffle', () => {
  it('varies the order between rounds and campaigns', () => {
    const round = (seed: string, r: number) =>
      Array.from({ length: 8 }, (_, k) => messageIndexFor(r * 8 + k, 8, 'shuffle', seed)).join(',');
    const rounds = new Set(Array.from({ length: 10 }, (_, r) => round('a', r)));
    expect(rounds.size).toBeGreaterThan(5);
    expect(round('a', 0)).not.toBe(round('b', 0));
  });

  it('posts a single message pool in order', () => {
    expect(messageIndexFor(5, 1, 'shuffle', 'x')).toBe(0);
  });
});
