import { describe, expect, it } from 'vitest';
import { estimateXCost } from './cost.ts';

describe('estimateXCost', () => {
  const prices = { perPost: 0.01, perPostWithUrl: 0.2 };

  it('bills posts with a URL at the URL price and the rest at the post price', () => {
    const estimate = estimateXCost(
      [
        'Report hate on 101 #NoToHateCrime',
        'Report online at https://www.report-it.org.uk/',
        'Or at report-it.org.uk',
      ],
      prices,
    );
    // twitter-text also counts a bare domain as a URL, as X does.
    expect(estimate).toEqual({ posts: 3, postsWithUrl: 2, usd: 0.41 });
  });

  it('uses the prices it is given', () => {
    expect(estimateXCost(['a', 'b'], { perPost: 0.5, perPostWithUrl: 1 }).usd).toBe(1);
    expect(estimateXCost([], prices)).toEqual({ posts: 0, postsWithUrl: 0, usd: 0 });
  });
});
