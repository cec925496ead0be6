/**
 * The mention pipeline: source → de-duplication → campaign routing → scorer → store → review queue,
 * with a bounded number of mentions in flight. When the bound is reached the pipeline stops pulling
 * from the source, and the source stops reading (Jetstream pauses its socket, X and replay wait),
 * so a slow store or scorer slows the bot down instead of making it drop mentions.
 *
 * Cursors move only over mentions that are stored: a source's checkpoint runs once its mention and
 * every mention yielded before it are durable.
 */

import { matchingTags } from '../core/hashtags.ts';
import type { Checkpoint, Mention, MentionSource, SourceItem } from '../core/mention.ts';
import type { Flag } from '../core/review.ts';
import type { Verdict } from '../core/verdict.ts';
import { SolidarityError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { mentionPairKey } from '../store/consistency.ts';
import type { ActivityEvent, Store } from '../store/types.ts';
import { type HijackAlert, HijackDetector, type HijackOptions } from './hijack.ts';
import { type OwnPostMatcher, ownPostMatcher } from './own-posts.ts';
import type { MonitorCounts, MonitoredCampaign, Scorer } from './types.ts';
import { mentionVerdict } from './verdict.ts';

export interface PipelineOptions {
  store: Store;
  scorer: Scorer;
  campaigns: readonly MonitoredCampaign[];
  logger: Logger;
  /** Epoch ms; injected for tests. */
  clock?: () => number;
  /** Mentions in flight at most (scoring or being stored). */
  maxInFlight?: number;
  /** Attempts per store write before the mention counts as dropped. */
  storeAttempts?: number;
  /** Waits between store attempts (ms), injected so tests need not sleep. */
  retryDelayMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
  hijack?: Partial<HijackOptions>;
  /** How many platform ids to remember for de-duplication. */
  dedupeCapacity?: number;
  /** Told about each flag queued and each hijack alert (the `start` command prints them). */
  onFlag?: (flag: Flag) => void;
  onAlert?: (alert: HijackAlert) => void;
}

export function emptyCounts(): MonitorCounts {
  return {
    seen: 0,
    scored: 0,
    stored: 0,
    flagged: 0,
    queued: 0,
    own: 0,
    dropped: 0,
    duplicates: 0,
    unmatched: 0,
    alerts: 0,
  };
}

export function dedupeKey(mention: Pick<Mention, 'platform' | 'id'>): string {
  return `${mention.platform}:${mention.id}`;
}

/** What one campaign makes of one mention, before it is stored. */
interface Judged {
  /** The campaign's hashtags the mention carries. */
  tags: string[];
  event: Extract<ActivityEvent, { type: 'mention.seen' }>;
  flag: Flag | undefined;
}

interface RoutedCampaign {
  campaign: MonitoredCampaign;
  tags: ReadonlySet<string>;
  own: OwnPostMatcher;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class MentionPipeline {
  private readonly store: Store;
  private readonly scorer: Scorer;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly maxInFlight: number;
  private readonly storeAttempts: number;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly routes: RoutedCampaign[];
  private readonly detector: HijackDetector;
  private readonly seenIds = new Map<string, true>();
  private readonly dedupeCapacity: number;
  private readonly totals = emptyCounts();
  private readonly perCampaign = new Map<string, MonitorCounts>();
  private lastStoredAt: string | undefined;
  private readonly onFlag: ((flag: Flag) => void) | undefined;
  private readonly onAlert: ((alert: HijackAlert) => void) | undefined;

  constructor(options: PipelineOptions) {
    this.store = options.store;
    this.scorer = options.scorer;
    this.logger = options.logger;
    this.clock = options.clock ?? Date.now;
    this.maxInFlight = options.maxInFlight ?? 256;
    this.storeAttempts = options.storeAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? ((attempt) => Math.min(30_000, 250 * 4 ** (attempt - 1)));
    this.sleep = options.sleep ?? sleepFor;
    this.dedupeCapacity = options.dedupeCapacity ?? 200_000;
    this.detector = new HijackDetector(options.hijack);
    this.onFlag = options.onFlag;
    this.onAlert = options.onAlert;
    this.routes = options.campaigns.map((campaign) => ({
      campaign,
      tags: new Set(campaign.hashtags),
      own: ownPostMatcher(campaign.ownMessages, campaign.ownAccounts),
    }));
    for (const c of options.campaigns) this.perCampaign.set(c.id, emptyCounts());
  }

  /** How far back the hijack detector looks (for priming from the store). */
  get hijackHistoryMs(): number {
    return this.detector.historyMs;
  }

  counts(): MonitorCounts {
    return { ...this.totals };
  }

  campaignCounts(): Record<string, MonitorCounts> {
    return Object.fromEntries([...this.perCampaign].map(([id, c]) => [id, { ...c }]));
  }

  /** ISO time of the last mention written to the store in this run. */
  lastStored(): string | undefined {
    return this.lastStoredAt;
  }

  /**
   * Picks up where the last run left off, from the store:
   * - the ids of mentions stored since `dedupeSince`, so mentions a source delivers again after a
   *   restart (Jetstream rewinds a few seconds) are recognised as duplicates;
   * - the flagged shares per hashtag since `historySince` and the alerts already raised, so the
   *   hijack detector keeps its baseline and cooldown across restarts.
   */
  async primeFromStore(dedupeSince: string, historySince = dedupeSince): Promise<number> {
    let n = 0;
    const since = dedupeSince < historySince ? dedupeSince : historySince;
    const routes = new Map(this.routes.map((r) => [r.campaign.id, r]));
    for await (const event of this.store.events({ since, types: ['mention.seen', 'alert.hijack'] })) {
      if (event.type === 'alert.hijack') {
        this.detector.noteAlert(event.campaign, event.hashtag, Date.parse(event.at));
        continue;
      }
      if (event.type !== 'mention.seen') continue;
      if (event.at >= dedupeSince) {
        this.remember(mentionPairKey(event.campaign, event.mention));
        n += 1;
      }
      const route = routes.get(event.campaign);
      if (route && event.at >= historySince) {
        const tags = matchingTags(event.mention.hashtags, route.tags);
        this.detector.seed(event.campaign, tags, event.verdict.flagged, Date.parse(event.at));
      }
    }
    return n;
  }

  /**
   * Consumes one source until it ends or `signal` aborts, then waits for mentions in flight.
   * Rejects (after logging) when the store keeps failing: the cursor then stays before the
   * mention that could not be stored, so nothing is skipped on the next start.
   */
  async run(source: MentionSource, signal: AbortSignal): Promise<void> {
    const log = this.logger.child({ source: source.name });
    let nextSeq = 0;
    let commitSeq = 0;
    const finished = new Map<number, Checkpoint | undefined>();
    let pendingCheckpoint: Checkpoint | undefined;
    let commitChain: Promise<void> = Promise.resolve();
    let failure: unknown;
    const inFlight = new Set<Promise<void>>();

    const complete = (seq: number, checkpoint: Checkpoint | undefined) => {
      finished.set(seq, checkpoint);
      while (finished.has(commitSeq)) {
        const cp = finished.get(commitSeq);
        finished.delete(commitSeq);
        if (cp) pendingCheckpoint = cp;
        commitSeq += 1;
      }
      const cp = pendingCheckpoint;
      if (cp && failure === undefined) {
        pendingCheckpoint = undefined;
        commitChain = commitChain.then(cp).catch((error: unknown) => {
          log.error(
            { err: error },
            'could not save the source cursor; it will be saved with the next mention',
          );
        });
      }
    };

    const controller = new AbortController();
    const stop = () => controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) controller.abort();
    try {
      for await (const item of source.mentions(controller.signal)) {
        const seq = nextSeq++;
        const task = this.handle(item, log).then(
          () => complete(seq, item.checkpoint),
          (error: unknown) => {
            // Not completed: later checkpoints cannot pass this mention.
            if (failure === undefined) failure = error;
            controller.abort();
          },
        );
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
        while (inFlight.size >= this.maxInFlight) await Promise.race(inFlight);
        if (failure !== undefined) break;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      await Promise.allSettled([...inFlight]);
      await commitChain;
    }
    if (failure !== undefined) throw failure;
  }

  private remember(key: string): void {
    this.seenIds.set(key, true);
    if (this.seenIds.size > this.dedupeCapacity) {
      const oldest = this.seenIds.keys().next().value;
      if (oldest !== undefined) this.seenIds.delete(oldest);
    }
  }

  private bump(campaign: string | undefined, field: keyof MonitorCounts, by = 1): void {
    this.totals[field] += by;
    if (campaign) {
      const c = this.perCampaign.get(campaign);
      if (c) c[field] += by;
    }
  }

  /**
   * One mention: every campaign it is new for is scored, then the mention.seen events and flags of
   * all of them go to the store as one transaction (all or nothing under a crash).
   */
  private async handle(item: SourceItem, log: Logger): Promise<void> {
    const { mention } = item;
    // Flag ids are these pair keys too: one mention can carry the tags of two campaigns.
    const matching: Array<{ route: RoutedCampaign; tags: string[]; key: string }> = [];
    for (const route of this.routes) {
      const tags = matchingTags(mention.hashtags, route.tags);
      if (tags.length > 0) matching.push({ route, tags, key: mentionPairKey(route.campaign.id, mention) });
    }
    if (matching.length === 0) {
      this.bump(undefined, 'unmatched');
      return;
    }
    const fresh = matching.filter((m) => !this.seenIds.has(m.key));
    if (fresh.length === 0) {
      this.bump(undefined, 'duplicates');
      log.debug({ mention: dedupeKey(mention) }, 'duplicate mention dropped');
      return;
    }
    for (const m of fresh) this.remember(m.key);
    const judged: Judged[] = [];
    for (const m of fresh) judged.push(await this.judge(mention, m.route, m.tags, m.key, log));
    const flags = judged.flatMap((j) => (j.flag ? [j.flag] : []));
    try {
      await this.withRetries(
        () => this.store.commit({ events: judged.map((j) => j.event), flags }),
        log,
        mention.id,
      );
    } catch (error) {
      for (const j of judged) {
        this.bump(j.event.campaign, 'dropped');
        this.seenIds.delete(mentionPairKey(j.event.campaign, mention));
      }
      log.error(
        { err: error, platform: mention.platform, mention: mention.id },
        'mention dropped: the store failed; monitoring stops so the cursor stays before it',
      );
      throw error;
    }
    for (const j of judged) {
      const campaign = j.event.campaign;
      this.bump(campaign, 'stored');
      this.lastStoredAt = j.event.at;
      if (j.flag) {
        this.bump(campaign, 'queued');
        this.onFlag?.(j.flag);
      }
      for (const alert of this.detector.observe(campaign, j.tags, j.event.verdict.flagged, this.clock())) {
        await this.recordAlert(alert, log);
      }
    }
  }

  private async judge(
    mention: Mention,
    route: RoutedCampaign,
    tags: string[],
    key: string,
    log: Logger,
  ): Promise<Judged> {
    const campaign = route.campaign.id;
    this.bump(campaign, 'seen');
    let own = false;
    let verdict: Verdict;
    try {
      ({ own, verdict } = await mentionVerdict(this.scorer, mention, route));
    } catch (error) {
      // The scorer is pure and tested never to throw; if it does, keep the mention for a person.
      log.error({ err: error, mention: mention.id, campaign }, 'scorer failed; mention queued for review');
      verdict = {
        flagged: true,
        score: 1,
        severity: 'medium',
        sentiment: 0,
        reasons: [
          { rule: 'scorer-error', explanation: 'The scorer failed on this text; review it by hand.' },
        ],
      };
    }
    this.bump(campaign, 'scored');
    if (own) this.bump(campaign, 'own');
    const flagged = verdict.flagged && !own;
    const rules = [...new Set(verdict.reasons.map((r) => r.rule))];
    log.info(
      {
        campaign,
        platform: mention.platform,
        mention: mention.id,
        author: mention.authorId,
        flagged,
        score: Number(verdict.score.toFixed(3)),
        severity: verdict.severity,
        rules,
      },
      flagged ? 'mention flagged' : 'mention scored',
    );
    const at = new Date(this.clock()).toISOString();
    const event: Judged['event'] = {
      type: 'mention.seen',
      at,
      campaign,
      mention,
      verdict: {
        flagged,
        score: verdict.score,
        severity: verdict.severity,
        sentiment: verdict.sentiment,
        rules,
      },
    };
    if (flagged) this.bump(campaign, 'flagged');
    const flag: Flag | undefined = flagged
      ? {
          id: key,
          campaign,
          mention,
          verdict,
          state: 'open',
          createdAt: at,
          events: [],
        }
      : undefined;
    return { tags, event, flag };
  }

  private async recordAlert(alert: HijackAlert, log: Logger): Promise<void> {
    this.bump(alert.campaign, 'alerts');
    this.onAlert?.(alert);
    log.warn(
      {
        code: 'HIJACK_ALERT',
        campaign: alert.campaign,
        hashtag: alert.hashtag,
        windowShare: Number(alert.windowShare.toFixed(3)),
        baselineShare: Number(alert.baselineShare.toFixed(3)),
        windowMentions: alert.windowMentions,
        windowFlagged: alert.windowFlagged,
      },
      `#${alert.hashtag} may be being hijacked: ${Math.round(alert.windowShare * 100)}% of recent mentions flagged (usually ${Math.round(alert.baselineShare * 100)}%)`,
    );
    const event: ActivityEvent = {
      type: 'alert.hijack',
      at: new Date(alert.at).toISOString(),
      campaign: alert.campaign,
      hashtag: alert.hashtag,
      windowShare: alert.windowShare,
      baselineShare: alert.baselineShare,
    };
    try {
      await this.withRetries(() => this.store.append(event), log, `alert:${alert.hashtag}`);
    } catch (error) {
      log.error(
        { err: error, campaign: alert.campaign, hashtag: alert.hashtag },
        'could not store hijack alert',
      );
    }
  }

  private async withRetries(write: () => Promise<void>, log: Logger, id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return;
      } catch (error) {
        // Locks, version and corruption problems do not go away by waiting.
        const permanent =
          error instanceof SolidarityError && error.code !== 'STORE_IO' && error.code !== 'UNEXPECTED';
        if (permanent || attempt >= this.storeAttempts) throw error;
        const wait = this.retryDelayMs(attempt);
        log.warn({ err: error, mention: id, attempt, waitMs: wait }, 'store write failed; retrying');
        await this.sleep(wait);
      }
    }
  }
}
