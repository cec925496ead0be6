/**
 * The review queue in memory: every flag by id, plus two orderings (newest, score) kept sorted
 * on insert, so a page is a binary search and a short walk, not a sort of the whole queue.
 */

import type { Flag, ReviewEvent } from '../core/review.ts';
import { SolidarityError } from '../errors.ts';
import { deriveState } from '../moderation/review.ts';
import type { QueuePage, QueueQuery } from './types.ts';

/** A flag's state, derived from its events by the review rules (src/moderation/review.ts). */
export { deriveState };

/** Resolved and dismissed flags are closed: retention counts from their closing event. */
export function closedAt(flag: Flag): string | undefined {
  if (flag.state !== 'resolved' && flag.state !== 'dismissed') return undefined;
  for (let i = flag.events.length - 1; i >= 0; i--) {
    const action = flag.events[i]!.action;
    if (action === 'resolve' || action === 'dismiss') return flag.events[i]!.at;
  }
  return flag.createdAt;
}

export interface Key {
  id: string;
  createdAt: string;
  score: number;
}

export type Sort = NonNullable<QueueQuery['sort']>;

function compare(sort: Sort, a: Key, b: Key): number {
  if (sort === 'score' && a.score !== b.score) return b.score - a.score;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** First index whose key sorts after `key` (or at it, when `inclusive`). */
function lowerBound(list: Key[], sort: Sort, key: Key, inclusive: boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(sort, list[mid]!, key);
    if (c < 0 || (!inclusive && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The opaque cursor of a queue page (the same on every backend). */
export function encodeCursor(sort: Sort, key: Key): string {
  return Buffer.from(JSON.stringify([sort, key.createdAt, key.score, key.id])).toString('base64url');
}

export function decodeCursor(cursor: string, sort: Sort): Key {
  try {
    const [s, createdAt, score, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (s === sort && typeof createdAt === 'string' && typeof score === 'number' && typeof id === 'string') {
      return { id, createdAt, score };
    }
  } catch {
    // Fall through to the error below.
  }
  throw new SolidarityError('USAGE', 'The queue page cursor is not valid for this query.', {
    hint: 'Start again from the first page (no cursor), keeping the same sort order.',
  });
}

export class ReviewQueue {
  readonly flags = new Map<string, Flag>();
  readonly #newest: Key[] = [];
  readonly #score: Key[] = [];
  /** Match counts per filter, valid while #version is unchanged (every add, event or removal bumps it). */
  readonly #totals = new Map<string, number>();
  #version = 0;
  #totalsVersion = 0;

  get size(): number {
    return this.flags.size;
  }

  /** Adds a flag (its state derived from its events); a flag already present is left as it is. */
  add(flag: Flag): Flag {
    const existing = this.flags.get(flag.id);
    if (existing) return existing;
    const stored: Flag = { ...flag, events: [...flag.events], state: deriveState(flag.events) };
    this.flags.set(stored.id, stored);
    this.#version++;
    const key: Key = { id: stored.id, createdAt: stored.createdAt, score: stored.verdict.score };
    this.#newest.splice(lowerBound(this.#newest, 'newest', key, true), 0, key);
    this.#score.splice(lowerBound(this.#score, 'score', key, true), 0, key);
    return stored;
  }

  /** Appends a review event; a repeated event id is ignored. Throws when the flag is unknown. */
  addEvent(event: ReviewEvent): Flag {
    const flag = this.flags.get(event.flagId);
    if (!flag) {
      throw new SolidarityError(
        'INPUT_INVALID',
        `No flag with id "${event.flagId}" is in the review queue.`,
        {
          hint: 'List the queue with "solidarity review list" to see flag ids.',
        },
      );
    }
    if (!flag.events.some((e) => e.id === event.id)) {
      flag.events.push(event);
      flag.state = deriveState(flag.events);
      this.#version++;
    }
    return flag;
  }

  remove(id: string): void {
    const flag = this.flags.get(id);
    if (!flag) return;
    this.flags.delete(id);
    this.#version++;
    const key: Key = { id, createdAt: flag.createdAt, score: flag.verdict.score };
    for (const [list, sort] of [
      [this.#newest, 'newest'],
      [this.#score, 'score'],
    ] as const) {
      const at = lowerBound(list, sort, key, true);
      if (list[at]?.id === id) list.splice(at, 1);
    }
  }

  page(query: QueueQuery): QueuePage {
    const sort: Sort = query.sort ?? 'newest';
    const list = sort === 'score' ? this.#score : this.#newest;
    const states =
      query.state === undefined ? undefined : Array.isArray(query.state) ? query.state : [query.state];
    const hashtag = query.hashtag?.replace(/^#/, '').toLowerCase();
    const matches = (flag: Flag): boolean =>
      (query.campaign === undefined || flag.campaign === query.campaign) &&
      (query.platform === undefined || flag.mention.platform === query.platform) &&
      (query.severity === undefined || flag.verdict.severity === query.severity) &&
      (states === undefined || states.includes(flag.state)) &&
      (hashtag === undefined || flag.mention.hashtags.includes(hashtag)) &&
      (query.rule === undefined || flag.verdict.reasons.some((r) => r.rule === query.rule));
    const limit = Math.max(1, Math.min(query.limit, 1000));
    const start = query.after ? lowerBound(list, sort, decodeCursor(query.after, sort), false) : 0;
    const items: Flag[] = [];
    let more = false;
    // The page itself: a walk from the cursor that stops one match after the page is full.
    for (let i = start; i < list.length; i++) {
      const flag = this.flags.get(list[i]!.id)!;
      if (!matches(flag)) continue;
      if (items.length < limit) items.push(flag);
      else {
        more = true;
        break;
      }
    }
    // The total counts every match (before the cursor too); it is cached per filter until the
    // queue changes, so paging through a large queue does not rescan it on every page.
    if (this.#totalsVersion !== this.#version) {
      this.#totals.clear();
      this.#totalsVersion = this.#version;
    }
    const totalKey = JSON.stringify([
      query.campaign,
      query.platform,
      query.severity,
      states,
      hashtag,
      query.rule,
    ]);
    let total = this.#totals.get(totalKey);
    if (total === undefined) {
      total = 0;
      for (const flag of this.flags.values()) if (matches(flag)) total++;
      if (this.#totals.size > 1000) this.#totals.clear();
      this.#totals.set(totalKey, total);
    }
    const last = items[items.length - 1];
    const page: QueuePage = { items, total };
    if (more && last)
      page.next = encodeCursor(sort, { id: last.id, createdAt: last.createdAt, score: last.verdict.score });
    return page;
  }
}
