/**
 * What posting a campaign to X costs. X bills the API per post, more for a post that carries a
 * URL; the unit prices come from the environment (X_PRICE_PER_POST_USD,
 * X_PRICE_PER_POST_WITH_URL_USD) because X changes them. Pure.
 */
import twitterText from 'twitter-text';

export interface XPrices {
  perPost: number;
  perPostWithUrl: number;
}

export interface XCostEstimate {
  posts: number;
  postsWithUrl: number;
  usd: number;
}

export function hasUrl(text: string): boolean {
  return twitterText.extractUrls(text).length > 0;
}

export function estimateXCost(texts: Iterable<string>, prices: XPrices): XCostEstimate {
  let posts = 0;
  let postsWithUrl = 0;
  for (const text of texts) {
    posts++;
    if (hasUrl(text)) postsWithUrl++;
  }
  const usd = (posts - postsWithUrl) * prices.perPost + postsWithUrl * prices.perPostWithUrl;
  return { posts, postsWithUrl, usd: Math.round(usd * 10_000) / 10_000 };
}

export function formatUsd(value: number): string {
  return `$${value.toFixed(value < 1 ? 3 : 2)}`;
}

/** One line for a person: "12 posts (4 with a URL): $0.880 at $0.01 / $0.20 per post". */
export function describeXCost(estimate: XCostEstimate, prices: XPrices): string {
  return (
    `${estimate.posts} post(s), ${estimate.postsWithUrl} with a URL: ${formatUsd(estimate.usd)} ` +
    `at ${formatUsd(prices.perPost)} per post and ${formatUsd(prices.perPostWithUrl)} per post with a URL`
  );
}
