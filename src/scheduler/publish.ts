/**
 * Exactly-once posting. Every post is a journal entry keyed by campaign + slot + platform:
 * written as an `intent` before the network call and `confirmed` (with the remote id and URL)
 * after it. An unconfirmed intent found later (a crash, a lost answer) is reconciled, never blindly
 * retried: the adapter looks the post up first; Bluesky writes to a record key derived from the
 * slot, so even a retry cannot make a second post; X refuses the same text twice, which the X
 * adapter turns into "already posted". When it cannot be known, the entry becomes
 * `needs-attention` and the organiser is told, rather than risking a duplicate.
 */

import { measure } from '../campaign/limits.ts';
import { type PostDraft, renderPost } from '../campaign/render.ts';
import type { Campaign, Platform } from '../campaign/schema.ts';
import { inQuietHours, slotKey, slotsBetween } from '../campaign/slots.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../logger.ts';
import { isPlatformError, PlatformError } from '../platforms/errors.ts';
import { linkCardFor, postSettingsFor, replyPolicyFor } from '../platforms/registry.ts';
import { type Adapters, type Post, type PostRequest, postKey } from '../platforms/types.ts';
import type { ActivityEvent, JournalEntry, Store } from '../store/types.ts';
import { BACKOFF, backoffDelay } from './backoff.ts';
import { holdFor } from './controls.ts';
import { messageImages } from './images.ts';
import { isStopped, type StoppedError, untilStopped } from './stop.ts';

export type Outcome =
  | 'posted'
  | 'already-posted'
  | 'skipped'
  | 'waiting'
  | 'failed'
  | 'needs-attention'
  | 'done'
  | 'platform-stopped'
  /** The bot is stopping: nothing was started, or the call was left to the next start's look-up. */
  | 'stopped';

export interface PublishResult {
  outcome: Outcome;
  key: string;
  draft: PostRequest;
  post?: Post;
  error?: PlatformError;
  reason?: string;
}

export interface PublisherOptions {
  store: Store;
  adapters: Adapters;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  /** Test seam: runs once the intent is durable, before the network call. */
  beforeCall?: (draft: PostRequest) => void | Promise<void>;
  /** Test seam: runs after the network call returned, before the confirmation is written. */
  afterCall?: (draft: PostRequest, post: Post) => void | Promise<void>;
  /** Aborted when the bot stops: no new post starts, and a hung platform call is not waited for. */
  signal?: AbortSignal;
}

/** Where rate-limit state is kept for `solidarity status`. */
export const rateLimitKey = (platform: string) => `ratelimit:${platform}`;
/** Where a stopped platform (credentials rejected) is recorded for `solidarity status`. */
export const platformStopKey = (platform: string) => `platform.stopped:${platform}`;

export function isFinal(entry: JournalEntry): boolean {
  if (entry.state === 'confirmed' || entry.state === 'skipped' || entry.state === 'needs-attention')
    return true;
  return entry.state === 'failed' && entry.attempts >= BACKOFF.maxAttempts;
}

/** The request for a draft: the campaign's reply policy, the message's image, a link card. */
export function requestFor(campaign: Campaign, draft: PostDraft): PostRequest {
  const images = messageImages(campaign, draft.messageIndex);
  // A card shows the post's first link, on the platforms whose entry builds one (X builds its own
  // card from the URL).
  const card = linkCardFor(campaign.overrides, draft.platform);
  const url = card ? /https?:\/\/\S*[^\s.,;:!?)]/.exec(draft.text)?.[0] : undefined;
  return {
    ...draft,
    // Who may reply: the campaign's per-platform override, or the platform's default.
    replyPolicy: replyPolicyFor(campaign.overrides, draft.platform),
    // Visibility and content warning, on the platforms that have them.
    ...postSettingsFor(campaign.overrides, draft.platform),
    ...(images.length ? { images } : {}),
    ...(card && url ? { link: { url, title: card.title, description: card.description } } : {}),
  };
}

/** Which message a journal entry was rendered from (its slot renders the same text), or -1. */
function messageIndexOf(campaign: Campaign, entry: JournalEntry): number {
  const at = new Date(entry.slotAt);
  const [slot] = slotsBetween(campaign, new Date(at.getTime() - 1), at);
  if (!slot) return -1;
  const draft = renderPost(campaign, slot, entry.platform as Platform);
  return draft.text === entry.text ? draft.messageIndex : -1;
}

/** Rebuilds the request of a journal entry (its text as first rendered: rotation may have moved on). */
export function requestFromEntry(campaign: Campaign, entry: JournalEntry): PostRequest {
  const platform = entry.platform as Platform;
  const slotAt = new Date(entry.slotAt);
  return requestFor(campaign, {
    campaign: campaign.id,
    slotKey: slotKey(campaign.id, slotAt),
    slotAt,
    platform,
    messageIndex: messageIndexOf(campaign, entry),
    text: entry.text,
    lang: campaign.language,
    measure: measure(entry.text, platform),
  });
}

export class Publisher {
  private readonly log: Logger;
  private readonly random: () => number;
  /** Journal key → earliest time of the next attempt (rate limit reset or backoff). */
  readonly retries = new Map<string, Date>();
  /** Platforms whose credentials were rejected: nothing more is sent to them until restart. */
  readonly stopped = new Map<Platform, PlatformError>();

  private readonly options: PublisherOptions;

  constructor(options: PublisherOptions) {
    this.options = options;
    this.log = options.logger.child({ name: 'scheduler.publish' });
    this.random = options.random ?? Math.random;
  }

  private get store(): Store {
    return this.options.store;
  }

  private now(): Date {
    return this.options.clock.now();
  }

  /**
   * Changes a journal entry and writes the activity event of that step in the same transaction:
   * after a crash the journal and the activity log hold both or neither.
   */
  private async put(
    entry: JournalEntry,
    patch: Partial<JournalEntry>,
    event?: ActivityEvent,
  ): Promise<JournalEntry> {
    const next: JournalEntry = { ...entry, ...patch, updatedAt: this.now().toISOString() };
    await this.store.commit({ journal: [next], events: event ? [event] : [] });
    return next;
  }

  private async skip(
    draft: PostRequest,
    entry: JournalEntry | undefined,
    reason: string,
  ): Promise<PublishResult> {
    const key = postKey(draft);
    const base: JournalEntry = entry ?? {
      key,
      campaign: draft.campaign,
      platform: draft.platform,
      slotAt: draft.slotAt.toISOString(),
      text: draft.text,
      state: 'skipped',
      attempts: 0,
      updatedAt: this.now().toISOString(),
    };
    await this.put(
      base,
      { state: 'skipped', note: reason },
      {
        type: 'post.skipped',
        at: this.now().toISOString(),
        campaign: draft.campaign,
        platform: draft.platform,
        slotKey: key,
        reason,
      },
    );
    this.retries.delete(key);
    this.log.info({ campaign: draft.campaign, platform: draft.platform, slot: key, reason }, 'slot skipped');
    return { outcome: 'skipped', key, draft, reason };
  }

  private async confirm(
    draft: PostRequest,
    entry: JournalEntry,
    post: Post,
    how: string,
  ): Promise<PublishResult> {
    const key = postKey(draft);
    await this.put(
      entry,
      { state: 'confirmed', remoteId: post.remoteId, url: post.url, note: how },
      {
        type: 'post.confirmed',
        at: this.now().toISOString(),
        campaign: draft.campaign,
        platform: draft.platform,
        slotKey: key,
        remoteId: post.remoteId,
        url: post.url,
      },
    );
    this.retries.delete(key);
    this.log.info(
      {
        campaign: draft.campaign,
        platform: draft.platform,
        slot: key,
        remoteId: post.remoteId,
        url: post.url,
        how,
      },
      'post confirmed',
    );
    return { outcome: post.existed ? 'already-posted' : 'posted', key, draft, post };
  }

  private async attention(draft: PostRequest, entry: JournalEntry, note: string, error?: PlatformError) {
    const key = postKey(draft);
    await this.put(
      entry,
      { state: 'needs-attention', note },
      {
        type: 'post.failed',
        at: this.now().toISOString(),
        campaign: draft.campaign,
        platform: draft.platform,
        slotKey: key,
        code: error?.code ?? 'PLATFORM_ERROR',
        message: `needs attention: ${note}`,
      },
    );
    this.retries.delete(key);
    this.log.error(
      { campaign: draft.campaign, platform: draft.platform, slot: key, note },
      'post needs attention',
    );
    return { outcome: 'needs-attention' as const, key, draft, reason: note, ...(error ? { error } : {}) };
  }

  /** Why a slot may not be posted now (beyond holds), or undefined. */
  private tooLate(campaign: Campaign, draft: PostRequest, now: Date): string | undefined {
    if (campaign.end && now.getTime() > campaign.end.getTime() + campaign.graceMinutes * 60_000) {
      return `campaign ended at ${campaign.end.toISOString()}`;
    }
    const lateMs = now.getTime() - draft.slotAt.getTime();
    if (lateMs > campaign.graceMinutes * 60_000) {
      return `missed: ${Math.round(lateMs / 60_000)} min late, beyond the ${campaign.graceMinutes} min grace window`;
    }
    if (lateMs > 0 && inQuietHours(campaign, now)) return 'quiet hours began before the slot could be posted';
    return undefined;
  }

  /** Posts one draft exactly once, or records why not. Never throws for platform failures. */
  async publish(campaign: Campaign, draftIn: PostDraft | PostRequest): Promise<PublishResult> {
    const key = postKey(draftIn);
    let entry = await this.store.getJournal(key);
    const draft = entry ? requestFromEntry(campaign, entry) : requestFor(campaign, draftIn);
    if (entry && isFinal(entry)) return { outcome: 'done', key, draft };
    if (this.options.signal?.aborted)
      return { outcome: 'stopped', key, draft, reason: 'the bot is stopping' };
    const now = this.now();
    const notBefore = this.retries.get(key);
    if (notBefore && now < notBefore)
      return { outcome: 'waiting', key, draft, reason: `retry at ${notBefore.toISOString()}` };

    const adapter = this.options.adapters[draft.platform];
    if (!adapter) {
      this.log.error({ campaign: campaign.id, platform: draft.platform }, 'no adapter for platform');
      return { outcome: 'failed', key, draft, reason: `no adapter for ${draft.platform}` };
    }
    const stopped = this.stopped.get(draft.platform);
    if (stopped) {
      await this.store.append({
        type: 'post.skipped',
        at: now.toISOString(),
        campaign: campaign.id,
        platform: draft.platform,
        slotKey: key,
        reason: `platform stopped: ${stopped.code}`,
      });
      return { outcome: 'platform-stopped', key, draft, error: stopped };
    }

    // An intent with no confirmation: the earlier call may have posted. Look before anything else.
    if (entry?.state === 'intent') {
      const reconciled = await this.reconcile(campaign, draft, entry);
      if (reconciled) return reconciled;
    }

    const hold = await holdFor(campaign, this.store);
    if (hold.held) return this.skip(draft, entry, hold.reason);
    // A slot kept for a rate-limit reset is posted late on purpose, at the reset (within the grace
    // window after it: a bot that was down long past the reset skips it like any missed slot).
    const resetAt =
      entry?.state === 'failed' ? /^rate limited until (\S+)$/.exec(entry.note ?? '')?.[1] : undefined;
    const keptForRateLimit =
      resetAt !== undefined && now.getTime() <= Date.parse(resetAt) + campaign.graceMinutes * 60_000;
    const late = keptForRateLimit ? undefined : this.tooLate(campaign, draft, now);
    if (late) return this.skip(draft, entry, late);

    const attempts = (entry?.attempts ?? 0) + 1;
    entry = await this.put(
      entry ?? {
        key,
        campaign: campaign.id,
        platform: draft.platform,
        slotAt: draft.slotAt.toISOString(),
        text: draft.text,
        state: 'intent',
        attempts: 0,
        updatedAt: now.toISOString(),
      },
      { state: 'intent', attempts, note: undefined },
      {
        type: 'post.intent',
        at: now.toISOString(),
        campaign: campaign.id,
        platform: draft.platform,
        slotKey: key,
        text: draft.text,
      },
    );
    await this.options.beforeCall?.(draft);
    let post: Post;
    try {
      post = await untilStopped(adapter.post(draft), this.options.signal, `posting to ${draft.platform}`);
    } catch (error) {
      if (isStopped(error)) return this.interrupted(draft, entry, error);
      return this.failure(campaign, draft, entry, error);
    }
    await this.options.afterCall?.(draft, post);
    return this.confirm(draft, entry, post, attempts > 1 ? `posted on attempt ${attempts}` : 'posted');
  }

  /**
   * The bot stopped while the platform call was in flight: it may have landed. The entry stays an
   * intent (the next start looks it up before anything else) and says so, with a post.failed.
   */
  private async interrupted(
    draft: PostRequest,
    entry: JournalEntry,
    error: StoppedError,
  ): Promise<PublishResult> {
    const key = postKey(draft);
    const note = `${error.message}: looked up at the next start`;
    await this.put(
      entry,
      { note },
      {
        type: 'post.failed',
        at: this.now().toISOString(),
        campaign: draft.campaign,
        platform: draft.platform,
        slotKey: key,
        code: 'STOPPED',
        message: note,
      },
    );
    this.log.warn(
      { campaign: draft.campaign, platform: draft.platform, slot: key },
      'stopped during a platform call',
    );
    return { outcome: 'stopped', key, draft, reason: note };
  }

  /** Settles an unconfirmed intent; undefined means "it was not posted: go ahead". */
  private async reconcile(
    campaign: Campaign,
    draft: PostRequest,
    entry: JournalEntry,
  ): Promise<PublishResult | undefined> {
    const adapter = this.options.adapters[draft.platform]!;
    if (!adapter.lookup) {
      if (adapter.idempotent) return undefined;
      return this.attention(
        draft,
        entry,
        'an earlier attempt may have posted and this platform cannot be searched',
      );
    }
    try {
      const found = await untilStopped(adapter.lookup(draft), this.options.signal, `looking up ${entry.key}`);
      if (found) return this.confirm(draft, entry, { ...found, existed: true }, 'found after restart');
      this.log.info(
        { campaign: campaign.id, platform: draft.platform, slot: entry.key },
        'unconfirmed intent was not posted',
      );
      return undefined;
    } catch (error) {
      // Nothing changed: the intent stays for the next start.
      if (isStopped(error)) return { outcome: 'stopped', key: entry.key, draft, reason: error.message };
      const mapped = isPlatformError(error) ? error : undefined;
      if (mapped?.kind === 'rate-limited' || mapped?.kind === 'transient') {
        // Cannot look now; try again later, the intent stays.
        const at =
          mapped.retryAt ?? new Date(this.now().getTime() + backoffDelay(entry.attempts || 1, this.random));
        this.retries.set(entry.key, at);
        return {
          outcome: 'waiting',
          key: entry.key,
          draft,
          error: mapped,
          reason: `lookup failed; retry at ${at.toISOString()}`,
        };
      }
      if (adapter.idempotent) return undefined;
      return this.attention(
        draft,
        entry,
        `cannot tell whether an earlier attempt posted: ${(error as Error).message}`,
        mapped,
      );
    }
  }

  private async failure(
    campaign: Campaign,
    draft: PostRequest,
    entry: JournalEntry,
    error: unknown,
  ): Promise<PublishResult> {
    const key = postKey(draft);
    const now = this.now();
    const pe = isPlatformError(error)
      ? error
      : new PlatformError(draft.platform, 'transient', (error as Error)?.message ?? String(error), {
          cause: error,
        });
    const context = {
      campaign: campaign.id,
      platform: draft.platform,
      slot: key,
      code: pe.code,
      status: pe.status,
    };
    const failedEvent = (retryAt?: Date): ActivityEvent => ({
      type: 'post.failed',
      at: now.toISOString(),
      campaign: campaign.id,
      platform: draft.platform,
      slotKey: key,
      code: pe.code,
      message: pe.message,
      ...(retryAt ? { retryAt: retryAt.toISOString() } : {}),
    });
    const failed = (retryAt?: Date) => this.store.append(failedEvent(retryAt));

    switch (pe.kind) {
      case 'rate-limited': {
        const retryAt = pe.retryAt ?? new Date(now.getTime() + 15 * 60_000);
        // Nothing was posted; the slot is kept until the reset the platform gave.
        await this.store.commit({
          journal: [
            {
              ...entry,
              state: 'failed',
              note: `rate limited until ${retryAt.toISOString()}`,
              updatedAt: now.toISOString(),
            },
          ],
          events: [failedEvent(retryAt)],
          state: [
            {
              key: rateLimitKey(draft.platform),
              value: { limitedUntil: retryAt.toISOString(), at: now.toISOString() },
            },
          ],
        });
        this.retries.set(key, retryAt);
        this.log.warn({ ...context, retryAt }, 'rate limited; keeping the slot until the reset');
        return {
          outcome: 'waiting',
          key,
          draft,
          error: pe,
          reason: `rate limited until ${retryAt.toISOString()}`,
        };
      }
      case 'transient': {
        if (entry.attempts >= BACKOFF.maxAttempts) {
          // Still unknown whether the last attempt landed: one last look, else tell the organiser.
          const adapter = this.options.adapters[draft.platform]!;
          try {
            const found = await adapter.lookup?.(draft);
            if (found) return this.confirm(draft, entry, { ...found, existed: true }, 'found after failures');
            if (adapter.lookup) {
              await this.put(
                entry,
                { state: 'failed', note: `gave up after ${entry.attempts} attempts: ${pe.message}` },
                failedEvent(),
              );
              this.log.error(context, 'gave up on the slot after repeated failures');
              return { outcome: 'failed', key, draft, error: pe };
            }
          } catch {
            // fall through: unknown
          }
          await failed();
          return this.attention(draft, entry, `gave up after ${entry.attempts} attempts: ${pe.message}`, pe);
        }
        const retryAt = new Date(now.getTime() + backoffDelay(entry.attempts, this.random));
        // The state stays `intent`: the call may have landed, so the retry looks first.
        await this.put(
          entry,
          { note: `attempt ${entry.attempts} failed: ${pe.message}` },
          failedEvent(retryAt),
        );
        this.retries.set(key, retryAt);
        this.log.warn({ ...context, retryAt, attempt: entry.attempts }, 'post failed; will retry');
        return { outcome: 'waiting', key, draft, error: pe, reason: `retry at ${retryAt.toISOString()}` };
      }
      case 'auth': {
        this.stopped.set(draft.platform, pe);
        await this.put(entry, { state: 'failed', note: pe.message }, failedEvent());
        await this.store.setState(platformStopKey(draft.platform), {
          code: pe.code,
          message: pe.message,
          hint: pe.hint,
          at: now.toISOString(),
        });
        await this.store.append({
          type: 'error',
          at: now.toISOString(),
          component: `platform.${draft.platform}`,
          code: pe.code,
          message: `${pe.message} ${pe.hint ?? ''}`.trim(),
        });
        this.log.error(
          { ...context, hint: pe.hint },
          'credentials rejected; this platform is stopped until restart',
        );
        return { outcome: 'failed', key, draft, error: pe };
      }
      case 'duplicate':
        return this.attention(
          draft,
          entry,
          `${pe.message} The post could not be found on the account; check it by hand.`,
          pe,
        );
      case 'rejected':
        await failed();
        return this.attention(draft, entry, `the platform refused the post: ${pe.message}`, pe);
    }
  }

  /** Journal entries that are not settled yet (intents and retryable failures). */
  async unfinished(): Promise<JournalEntry[]> {
    return [
      ...(await this.store.listJournal({ state: 'intent' })),
      ...(await this.store.listJournal({ state: 'failed' })).filter((e) => !isFinal(e)),
    ];
  }

  /** Revisits unsettled journal entries whose retry time has come (and every one after a restart). */
  async retryDue(campaigns: readonly Campaign[]): Promise<PublishResult[]> {
    const now = this.now();
    const results: PublishResult[] = [];
    for (const entry of await this.unfinished()) {
      if (this.options.signal?.aborted) break;
      const at = this.retries.get(entry.key);
      if (at && at > now) continue;
      const campaign = campaigns.find((c) => c.id === entry.campaign);
      if (!campaign) continue;
      if (this.stopped.has(entry.platform as Platform)) continue;
      results.push(await this.publish(campaign, requestFromEntry(campaign, entry)));
    }
    return results;
  }
}
