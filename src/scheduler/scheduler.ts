/**
 * Turns slots into posts. `tick()` is the whole decision (pure but for the adapters it calls):
 * which slots fell due since the last tick, for which platforms, with which text. node-cron only
 * wakes it once a minute; tests call `tick()` with a manual clock and never wait.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { type PostDraft, renderPost } from '../campaign/render.ts';
import type { Campaign, Platform } from '../campaign/schema.ts';
import { nextSlots, type Slot, slotsBetween } from '../campaign/slots.ts';
import type { Logger } from '../logger.ts';
import type { PlatformAdapter, Post } from '../platforms/types.ts';
import type { Clock } from './clock.ts';
import { type Outcome, type Publisher, requestFor } from './publish.ts';

export type Adapters = Partial<Record<Platform, PlatformAdapter>>;

export interface TickResult {
  draft: PostDraft;
  post?: Post;
  error?: string;
  /** With a publisher: what happened to the slot (posted, skipped, waiting…). */
  outcome?: Outcome;
}

export interface SchedulerOptions {
  campaigns: Campaign[];
  adapters: Adapters;
  clock: Clock;
  logger: Logger;
  /**
   * Exactly-once posting through the journal (pause, stop-all, grace window, retries). Without
   * one, slots are posted directly (one-shot local use).
   */
  publisher?: Publisher;
  /** Re-reads campaign files that changed (e.g. `paused: true`) before each tick. */
  reloadCampaigns?: () => Campaign[];
  /** Where the time of the last tick is kept, so a restart knows which slots it missed. */
  cursor?: { get(): string | undefined; set(value: string): Promise<void> };
}

const CURSOR_EVERY_MS = 10 * 60_000;

/** Longest a missed slot is looked back for at start without a saved cursor. */
const FIRST_RUN_LOOKBACK_MS = 60 * 60_000;

export class Scheduler {
  private lastTick: Date;
  private task: ScheduledTask | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private cursorSavedAt = Number.NEGATIVE_INFINITY;
  private readonly log: Logger;

  constructor(private readonly options: SchedulerOptions) {
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
    const saved = this.options.cursor?.get();
    const from = saved ? new Date(saved) : new Date(now.getTime() - FIRST_RUN_LOOKBACK_MS);
    this.lastTick = new Date(Math.min(from.getTime(), now.getTime()));
    return this.tick();
  }

  /** Posts every slot that fell due in (last tick, now]. Returns what it did. */
  async tick(): Promise<TickResult[]> {
    const now = this.options.clock.now();
    const from = this.lastTick;
    this.lastTick = now;
    const publisher = this.options.publisher;
    if (this.options.reloadCampaigns) this.options.campaigns = this.options.reloadCampaigns();
    if (publisher) {
      const results: TickResult[] = [];
      const record = (r: Awaited<ReturnType<Publisher['publish']>>) =>
        results.push({
          draft: r.draft,
          outcome: r.outcome,
          ...(r.post ? { post: r.post } : {}),
          ...(r.error || r.reason ? { error: r.error?.message ?? r.reason } : {}),
        });
      for (const r of await publisher.retryDue(this.options.campaigns)) record(r);
      for (const campaign of this.options.campaigns) {
        for (const slot of slotsBetween(campaign, from, now)) {
          for (const platform of campaign.platforms) {
            record(await publisher.publish(campaign, renderPost(campaign, slot, platform)));
          }
        }
      }
      // The cursor only bounds the look-back after a restart; slots already handled have journal
      // entries, so saving it every few minutes (or when something happened) is enough.
      if (results.length > 0 || now.getTime() - this.cursorSavedAt >= CURSOR_EVERY_MS) {
        await this.options.cursor?.set(now.toISOString());
        this.cursorSavedAt = now.getTime();
      }
      return results;
    }
    const results: TickResult[] = [];
    for (const campaign of this.options.campaigns) {
      const due = slotsBetween(campaign, from, now);
      if (due.length === 0) continue;
      if (campaign.paused) {
        for (const slot of due)
          this.log.info({ campaign: campaign.id, slot: slot.key }, 'slot skipped: campaign paused');
        continue;
      }
      for (const slot of due) results.push(...(await this.postSlot(campaign, slot)));
    }
    return results;
  }

  async postSlot(campaign: Campaign, slot: Slot, platforms: readonly Platform[] = campaign.platforms) {
    const results: TickResult[] = [];
    for (const platform of platforms) {
      const draft = renderPost(campaign, slot, platform);
      const adapter = this.options.adapters[platform];
      const context = { campaign: campaign.id, slot: slot.key, platform };
      if (!adapter) {
        this.log.error(context, 'no adapter for platform');
        results.push({ draft, error: `no adapter for ${platform}` });
        continue;
      }
      try {
        const post = await adapter.post(requestFor(campaign, draft));
        this.log.info({ ...context, remoteId: post.remoteId, url: post.url }, 'posted');
        results.push({ draft, post });
      } catch (error) {
        this.log.error({ ...context, err: error }, 'post failed');
        results.push({ draft, error: (error as Error).message });
      }
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
