/**
 * Turns slots into posts. `tick()` decides which slots fell due since the last tick, for which
 * platforms, with which text, and hands each to the publisher (journal, exactly once). node-cron
 * only wakes it once a minute; tests call `tick()` with a manual clock and never wait.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { type PostDraft, renderPost } from '../campaign/render.ts';
import type { Campaign } from '../campaign/schema.ts';
import { nextSlots, slotsBetween } from '../campaign/slots.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../logger.ts';
import type { Post } from '../platforms/types.ts';
import type { Outcome, Publisher } from './publish.ts';

export interface TickResult {
  draft: PostDraft;
  post?: Post;
  error?: string;
  /** What happened to the slot (posted, skipped, waiting…). */
  outcome: Outcome;
}

export interface SchedulerOptions {
  campaigns: Campaign[];
  clock: Clock;
  logger: Logger;
  /** Exactly-once posting through the journal (pause, stop-all, grace window, retries). */
  publisher: Publisher;
  /** Re-reads campaign files that changed (e.g. `paused: true`) before each tick. */
  reloadCampaigns?: () => Campaign[];
  /** Where the time of the last tick is kept, so a restart knows which slots it missed. */
  cursor?: { get(): Promise<string | undefined>; set(value: string): Promise<void> };
  /** Aborted when the bot stops: a tick (or the catch-up at start) ends after the post in hand. */
  signal?: AbortSignal;
}

const CURSOR_EVERY_MS = 10 * 60_000;

/**
 * How far back a first start (no saved cursor) looks for missed slots: the longest grace window
 * of the campaigns (at least an hour), so every slot that may still be posted late is, and every
 * other one in that window is skipped with its reason.
 */
export function firstRunLookbackMs(campaigns: readonly Campaign[]): number {
  return Math.max(60, ...campaigns.map((c) => c.graceMinutes)) * 60_000;
}

export class Scheduler {
  private lastTick: Date;
  private task: ScheduledTask | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private cursorSavedAt = Number.NEGATIVE_INFINITY;
  private readonly log: Logger;

  private readonly options: SchedulerOptions;

  constructor(options: SchedulerOptions) {
    this.options = options;
    this.lastTick = options.clock.now();
    this.log = options.logger.child({ name: 'scheduler' });
  }

  /** Drafts of the next `count` posts of each campaign (what `npm start` prints). */
  upcoming(count: number): PostDraft[] {
    const now = this.options.clock.now();
    const drafts: PostDraft[] = [];
    for (const campaign of this.options.campaigns) {
      for (const slot of nextSlots(campaign, now, count)) {
        for (const platform of campaign.platforms) drafts.push(renderPost(campaign, slot, platform));
      }
    }
    return drafts.sort((a, b) => a.slotAt.getTime() - b.slotAt.getTime());
  }

  /**
   * At start: settles unconfirmed intents left by a crash, then handles the slots that fell due
   * while the bot was down (posted late within the grace window, else skipped and logged).
   */
  async recover(): Promise<TickResult[]> {
    const now = this.options.clock.now();
    const saved = await this.options.cursor?.get();
    const from = saved
      ? new Date(saved)
      : new Date(now.getTime() - firstRunLookbackMs(this.options.campaigns));
    this.lastTick = new Date(Math.min(from.getTime(), now.getTime()));
    return this.tick();
  }

  /** Posts every slot that fell due in (last tick, now]. Returns what it did. */
  async tick(): Promise<TickResult[]> {
    const now = this.options.clock.now();
    const from = this.lastTick;
    this.lastTick = now;
    const { publisher } = this.options;
    if (this.options.reloadCampaigns) this.options.campaigns = this.options.reloadCampaigns();
    const results: TickResult[] = [];
    const record = (r: Awaited<ReturnType<Publisher['publish']>>) =>
      results.push({
        draft: r.draft,
        outcome: r.outcome,
        ...(r.post ? { post: r.post } : {}),
        ...(r.error || r.reason ? { error: r.error?.message ?? r.reason } : {}),
      });
    const stopping = () => this.options.signal?.aborted === true;
    for (const r of await publisher.retryDue(this.options.campaigns)) record(r);
    slots: for (const campaign of this.options.campaigns) {
      for (const slot of slotsBetween(campaign, from, now)) {
        for (const platform of campaign.platforms) {
          if (stopping()) break slots;
          record(await publisher.publish(campaign, renderPost(campaign, slot, platform)));
        }
      }
    }
    if (stopping()) {
      // The slots not reached stay due: the saved tick is not moved past them.
      this.lastTick = from;
      return results;
    }
    // The cursor only bounds the look-back after a restart; slots already handled have journal
    // entries, so saving it every few minutes (or when something happened) is enough.
    if (results.length > 0 || now.getTime() - this.cursorSavedAt >= CURSOR_EVERY_MS) {
      await this.options.cursor?.set(now.toISOString());
      this.cursorSavedAt = now.getTime();
    }
    return results;
  }

  /** Wakes once a minute (second 0) until stopped. */
  start(): void {
    this.lastTick = this.options.clock.now();
    this.task = cron.schedule(
      '* * * * *',
      () => {
        this.running = this.tick().catch((error) => this.log.error({ err: error }, 'tick failed'));
        return this.running;
      },
      { name: 'solidarity-scheduler', noOverlap: true },
    );
  }

  /** Stops waking and waits for a tick in progress to finish. */
  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
    await this.running;
  }
}
