/**
 * A small in-memory Store for monitor tests (named apart from the review tests' memory store),
 * with knobs for a slow or failing store. Not used by the bot.
 */
import type { Flag, ReviewEvent } from '../src/core/review.ts';
import type {
  ActivityEvent,
  ActivityType,
  JournalEntry,
  Moderator,
  PruneReport,
  QueuePage,
  QueueQuery,
  Stats,
  StatsRange,
  Store,
  StoreEntry,
  StoreTx,
} from '../src/store/types.ts';

export interface MemoryStoreOptions {
  /** Delay of every write, in ms (a slow disk). */
  writeDelayMs?: number;
  /** Called before every append; throw to simulate a failing store. */
  beforeAppend?: (event: ActivityEvent) => void;
}

export class MemoryStore implements Store {
  readonly backend = 'file' as const;
  readonly location = '(memory)';
  readonly access = 'owner' as const;
  readonly log: ActivityEvent[] = [];
  readonly flagsById = new Map<string, Flag>();
  readonly cursors = new Map<string, string>();
  readonly state = new Map<string, unknown>();
  private readonly journal = new Map<string, JournalEntry>();
  private readonly moderators = new Map<string, Moderator>();
  options: MemoryStoreOptions;

  constructor(options: MemoryStoreOptions = {}) {
    this.options = options;
  }

  private async delay(): Promise<void> {
    if (this.options.writeDelayMs) await new Promise((r) => setTimeout(r, this.options.writeDelayMs));
  }

  async append(event: ActivityEvent): Promise<void> {
    await this.delay();
    this.options.beforeAppend?.(event);
    this.log.push(structuredClone(event));
  }

  async *events(
    options: { since?: string; until?: string; types?: ActivityType[] } = {},
  ): AsyncIterable<ActivityEvent> {
    for (const e of [...this.log].sort((a, b) => a.at.localeCompare(b.at))) {
      if (options.since && e.at < options.since) continue;
      if (options.until && e.at >= options.until) continue;
      if (options.types && !options.types.includes(e.type)) continue;
      yield e;
    }
  }

  /** All or nothing, like the file store: a throwing beforeAppend leaves nothing written. */
  async commit(tx: StoreTx): Promise<void> {
    await this.delay();
    for (const event of tx.events ?? []) this.options.beforeAppend?.(event);
    for (const event of tx.events ?? []) this.log.push(structuredClone(event));
    for (const entry of tx.journal ?? []) this.journal.set(entry.key, entry);
    for (const flag of tx.flags ?? [])
      if (!this.flagsById.has(flag.id)) this.flagsById.set(flag.id, structuredClone(flag));
    for (const { key, value } of tx.cursors ?? []) this.cursors.set(key, value);
    for (const { key, value } of tx.state ?? []) this.state.set(key, structuredClone(value));
  }

  async getCursor(key: string): Promise<string | undefined> {
    return this.cursors.get(key);
  }

  async setCursor(key: string, value: string): Promise<void> {
    await this.delay();
    this.cursors.set(key, value);
  }

  async getJournal(key: string): Promise<JournalEntry | undefined> {
    return this.journal.get(key);
  }

  async putJournal(entry: JournalEntry): Promise<void> {
    this.journal.set(entry.key, entry);
  }

  async listJournal(
    filter: { campaign?: string; state?: JournalEntry['state'] } = {},
  ): Promise<JournalEntry[]> {
    return [...this.journal.values()].filter(
      (j) =>
        (!filter.campaign || j.campaign === filter.campaign) && (!filter.state || j.state === filter.state),
    );
  }

  async addFlag(flag: Flag): Promise<void> {
    await this.delay();
    if (!this.flagsById.has(flag.id)) this.flagsById.set(flag.id, structuredClone(flag));
  }

  async getFlag(id: string): Promise<Flag | undefined> {
    return this.flagsById.get(id);
  }

  async queuePage(query: QueueQuery): Promise<QueuePage> {
    const items = [...this.flagsById.values()].filter(
      (f) => (!query.campaign || f.campaign === query.campaign) && (!query.state || f.state === query.state),
    );
    return { items: items.slice(0, query.limit), total: items.length };
  }

  async addReviewEvent(event: ReviewEvent): Promise<Flag> {
    const flag = this.flagsById.get(event.flagId);
    if (!flag) throw new Error(`no flag ${event.flagId}`);
    flag.events.push(event);
    return flag;
  }

  async getModerator(name: string): Promise<Moderator | undefined> {
    return this.moderators.get(name);
  }

  async putModerator(moderator: Moderator): Promise<void> {
    this.moderators.set(moderator.name, moderator);
  }

  async listModerators(): Promise<Moderator[]> {
    return [...this.moderators.values()];
  }

  async getState<T>(key: string): Promise<T | undefined> {
    return this.state.get(key) as T | undefined;
  }

  async listState(): Promise<Array<StoreEntry<unknown>>> {
    return [...this.state].map(([key, value]) => ({ key, value }));
  }

  async listCursors(): Promise<Array<StoreEntry<string>>> {
    return [...this.cursors].map(([key, value]) => ({ key, value }));
  }

  async *flags(): AsyncIterable<Flag> {
    yield* this.flagsById.values();
  }

  async prune(): Promise<PruneReport> {
    throw new Error('MemoryStore does not prune');
  }

  async refresh(): Promise<void> {}

  async setState<T>(key: string, value: T): Promise<void> {
    this.state.set(key, structuredClone(value));
  }

  async stats(_range: StatsRange): Promise<Stats> {
    const seen = this.log.filter((e) => e.type === 'mention.seen');
    return {
      posts: 0,
      mentionsSeen: seen.length,
      mentionsFlagged: seen.filter((e) => e.type === 'mention.seen' && e.verdict.flagged).length,
      alerts: this.log.filter((e) => e.type === 'alert.hijack').length,
      hourly: [],
    };
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}

  /** mention.seen events, for assertions. */
  mentionsSeen(): Array<Extract<ActivityEvent, { type: 'mention.seen' }>> {
    return this.log.filter(
      (e): e is Extract<ActivityEvent, { type: 'mention.seen' }> => e.type === 'mention.seen',
    );
  }
}
