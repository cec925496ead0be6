/**
 * An in-memory Store for dashboard and review tests: the same contract as the file store, no files.
 * Keeps the queue sorted per order so a page is a binary search plus a short scan, like an index.
 */
import { deriveState } from '../src/moderation/review.ts';
import type { Flag, ReviewEvent, ReviewState } from '../src/moderation/types.ts';
import type {
  ActivityEvent,
  ActivityType,
  JournalEntry,
  Moderator,
  QueuePage,
  QueueQuery,
  Stats,
  StatsRange,
  Store,
} from '../src/store/types.ts';

function cursorOf(flag: Flag, sort: 'newest' | 'score'): string {
  const key = sort === 'score' ? String(flag.verdict.score) : flag.createdAt;
  return Buffer.from(JSON.stringify([key, flag.id])).toString('base64url');
}

/** A copy callers may keep: the events list is the part that changes. */
function copy(flag: Flag): Flag {
  return { ...flag, events: flag.events.map((e) => ({ ...e })) };
}

function compare(a: Flag, b: Flag, sort: 'newest' | 'score'): number {
  if (sort === 'score' && a.verdict.score !== b.verdict.score) return b.verdict.score - a.verdict.score;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export class MemoryStore implements Store {
  readonly log: ActivityEvent[] = [];
  private readonly cursors = new Map<string, string>();
  private readonly journal = new Map<string, JournalEntry>();
  private readonly flags = new Map<string, Flag>();
  private readonly moderators = new Map<string, Moderator>();
  private readonly state = new Map<string, unknown>();
  private sorted: { newest: Flag[]; score: Flag[] } | undefined;
  /** Match counts per filter, dropped on every change (like a count index). */
  private readonly totals = new Map<string, number>();

  async append(event: ActivityEvent): Promise<void> {
    this.log.push(structuredClone(event));
  }

  async *events(options: { since?: string; until?: string; types?: ActivityType[] } = {}) {
    for (const event of this.log) {
      if (options.since && event.at < options.since) continue;
      if (options.until && event.at >= options.until) continue;
      if (options.types && !options.types.includes(event.type)) continue;
      yield event;
    }
  }

  getCursor(key: string) {
    return this.cursors.get(key);
  }
  async setCursor(key: string, value: string) {
    this.cursors.set(key, value);
  }
  getJournal(key: string) {
    return this.journal.get(key);
  }
  async putJournal(entry: JournalEntry) {
    this.journal.set(entry.key, entry);
  }
  listJournal(filter: { campaign?: string; state?: JournalEntry['state'] } = {}) {
    return [...this.journal.values()].filter(
      (e) =>
        (!filter.campaign || e.campaign === filter.campaign) && (!filter.state || e.state === filter.state),
    );
  }

  async addFlag(flag: Flag): Promise<void> {
    if (this.flags.has(flag.id)) return;
    this.flags.set(flag.id, structuredClone({ ...flag, state: deriveState(flag.events) }));
    this.sorted = undefined;
    this.totals.clear();
  }

  getFlag(id: string): Flag | undefined {
    const flag = this.flags.get(id);
    return flag ? copy(flag) : undefined;
  }

  queuePage(query: QueueQuery): QueuePage {
    const sort = query.sort ?? 'newest';
    if (!this.sorted) {
      const all = [...this.flags.values()];
      this.sorted = {
        newest: [...all].sort((a, b) => compare(a, b, 'newest')),
        score: [...all].sort((a, b) => compare(a, b, 'score')),
      };
    }
    const list = this.sorted[sort];
    const states =
      query.state === undefined ? undefined : Array.isArray(query.state) ? query.state : [query.state];
    const matches = (f: Flag) =>
      (!query.campaign || f.campaign === query.campaign) &&
      (!query.platform || f.mention.platform === query.platform) &&
      (!query.severity || f.verdict.severity === query.severity) &&
      (!states || states.includes(f.state)) &&
      (!query.hashtag || f.mention.hashtags.includes(query.hashtag.toLowerCase().replace(/^#/, ''))) &&
      (!query.rule || f.verdict.reasons.some((r) => r.rule === query.rule));
    let start = 0;
    if (query.after) {
      const [key, id] = JSON.parse(Buffer.from(query.after, 'base64url').toString()) as [string, string];
      const probe = {
        id,
        createdAt: sort === 'newest' ? key : (this.flags.get(id)?.createdAt ?? ''),
        verdict: { score: Number(key) },
      } as Flag;
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compare(list[mid]!, probe, sort) <= 0) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const items: Flag[] = [];
    const totalKey = JSON.stringify([
      query.campaign,
      query.platform,
      query.severity,
      states,
      query.hashtag,
      query.rule,
    ]);
    let total = this.totals.get(totalKey);
    if (total === undefined) {
      total = 0;
      for (const f of list) if (matches(f)) total++;
      this.totals.set(totalKey, total);
    }
    let next: string | undefined;
    for (let i = start; i < list.length; i++) {
      const f = list[i]!;
      if (!matches(f)) continue;
      if (items.length === query.limit) {
        next = cursorOf(items[items.length - 1]!, sort);
        break;
      }
      items.push(copy(f));
    }
    return next ? { items, total, next } : { items, total };
  }

  async addReviewEvent(event: ReviewEvent): Promise<Flag> {
    const flag = this.flags.get(event.flagId);
    if (!flag) throw new Error(`no flag ${event.flagId}`);
    flag.events.push(structuredClone(event));
    flag.state = deriveState(flag.events);
    this.totals.clear();
    this.log.push({ type: 'review.event', at: event.at, event });
    return structuredClone(flag);
  }

  getModerator(name: string) {
    const m = this.moderators.get(name);
    return m ? { ...m } : undefined;
  }
  async putModerator(moderator: Moderator) {
    this.moderators.set(moderator.name, { ...moderator });
  }
  listModerators() {
    return [...this.moderators.values()].map((m) => ({ ...m }));
  }

  getState<T>(key: string): T | undefined {
    return this.state.get(key) as T | undefined;
  }
  async setState<T>(key: string, value: T) {
    this.state.set(key, value);
  }

  async stats(range: StatsRange): Promise<Stats> {
    const hours = new Map<string, { hour: string; posts: number; seen: number; flagged: number }>();
    const stats: Stats = { posts: 0, mentionsSeen: 0, mentionsFlagged: 0, alerts: 0, hourly: [] };
    for (const event of this.log) {
      if (event.at < range.from || event.at >= range.to) continue;
      if (range.campaign && 'campaign' in event && event.campaign !== range.campaign) continue;
      const hour = `${event.at.slice(0, 13)}:00:00.000Z`;
      const h = hours.get(hour) ?? { hour, posts: 0, seen: 0, flagged: 0 };
      hours.set(hour, h);
      if (event.type === 'post.confirmed') {
        stats.posts++;
        h.posts++;
      } else if (event.type === 'mention.seen') {
        stats.mentionsSeen++;
        h.seen++;
        if (event.verdict.flagged) {
          stats.mentionsFlagged++;
          h.flagged++;
        }
      } else if (event.type === 'alert.hijack') stats.alerts++;
    }
    stats.hourly = [...hours.values()].sort((a, b) => (a.hour < b.hour ? -1 : 1));
    return stats;
  }

  async flush() {}
  async close() {}

  /** Test helper: how many flags are in each state. */
  countByState(): Record<ReviewState, number> {
    const out: Record<ReviewState, number> = {
      open: 0,
      acknowledged: 0,
      escalated: 0,
      resolved: 0,
      dismissed: 0,
    };
    for (const f of this.flags.values()) out[f.state]++;
    return out;
  }
}
