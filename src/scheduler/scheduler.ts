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

export type Adapters = Partial<Record<Platform, PlatformAdapter>>;

export interface TickResult {
  draft: PostDraft;
  post?: Post;
  error?: string;
}

export interface SchedulerOptions {
  campaigns: Campaign[];
  adapters: Adapters;
  clock: Clock;
  logger: Logger;
}

export class Scheduler {
  private lastTick: Date;
  private task: ScheduledTask | undefined;
  private running: Promise<unknown> = Promise.resolve();
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

  /** Posts every slot that fell due in (last tick, now]. Returns what it did. */
  async tick(): Promise<TickResult[]> {
    const now = this.options.clock.now();
    const from = this.lastTick;
    this.lastTick = now;
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
        const post = await adapter.post(draft);
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
