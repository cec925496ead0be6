/**
 * Deep verification: do the parts of the data folder agree with each other? `store verify`
 * checks that every file reads; this checks what the files say:
 * - every flagged mention.seen has its flag in the review queue, and every flag its mention.seen;
 * - each (campaign, mention) pair is seen once;
 * - every confirmed journal entry has its post.confirmed event and every post.confirmed event a
 *   confirmed entry; every skipped entry its post.skipped; each attempt its post.intent;
 * - cursors are not ahead of the stored events (checks a caller adds, see CursorCheck).
 * Each finding says what is wrong and, when the missing part can be derived from the other, the
 * transaction that repairs it.
 */

import type { Mention } from '../core/mention.ts';
import type { Flag } from '../core/review.ts';
import type { ActivityEvent, JournalEntry, StoreTx } from './types.ts';

/** The (campaign, mention) pair: also the id of the flag a flagged pair gets. */
export function mentionPairKey(campaign: string, mention: Pick<Mention, 'platform' | 'id'>): string {
  return `${mention.platform}:${mention.id}#${campaign}`;
}

export type FindingKind =
  | 'flag-missing'
  | 'flag-without-event'
  | 'mention-repeated'
  | 'confirmed-event-missing'
  | 'journal-not-confirmed'
  | 'confirmed-repeated'
  | 'skipped-event-missing'
  | 'intent-events-missing'
  | 'intent-events-extra'
  | 'cursor-ahead';

export interface Finding {
  kind: FindingKind;
  message: string;
  /** The change that repairs it, when the missing part can be derived; else a person decides. */
  repair?: StoreTx;
}

export interface ConsistencyReport {
  pairs: number;
  flaggedPairs: number;
  flags: number;
  journal: { confirmed: number; skipped: number; intent: number; other: number };
  postEvents: { intent: number; confirmed: number; skipped: number; failed: number };
  findings: Finding[];
}

/** What the check reads: a store (writer or reader). */
export interface ConsistencySource {
  events(): AsyncIterable<ActivityEvent>;
  listJournal(): Promise<JournalEntry[]>;
  flags(): AsyncIterable<Flag>;
  /** Mentions counted by retention only (their lines are gone): pair checks are then partial. */
  prunedMentions?: number;
}

/** A check of one source's cursor against the pairs stored (the monitor supplies them). */
export type CursorCheck = (pairs: ReadonlySet<string>) => Promise<Finding[]>;

const MAX_PER_KIND = 50;

export async function checkConsistency(
  source: ConsistencySource,
  cursorChecks: readonly CursorCheck[] = [],
): Promise<ConsistencyReport> {
  // Only flagged events are kept whole (a repair may need them); the rest by key, to bound memory.
  const seen = new Map<string, Extract<ActivityEvent, { type: 'mention.seen' }> | null>();
  const repeated = new Map<string, number>();
  const intents = new Map<string, Array<Extract<ActivityEvent, { type: 'post.intent' }>>>();
  const confirmed = new Map<string, Array<Extract<ActivityEvent, { type: 'post.confirmed' }>>>();
  const skipped = new Set<string>();
  const report: ConsistencyReport = {
    pairs: 0,
    flaggedPairs: 0,
    flags: 0,
    journal: { confirmed: 0, skipped: 0, intent: 0, other: 0 },
    postEvents: { intent: 0, confirmed: 0, skipped: 0, failed: 0 },
    findings: [],
  };
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for await (const event of source.events()) {
    switch (event.type) {
      case 'mention.seen': {
        const key = mentionPairKey(event.campaign, event.mention);
        if (seen.has(key)) repeated.set(key, (repeated.get(key) ?? 1) + 1);
        else seen.set(key, event.verdict.flagged ? event : null);
        break;
      }
      case 'post.intent':
        report.postEvents.intent++;
        push(intents, event.slotKey, event);
        break;
      case 'post.confirmed':
        report.postEvents.confirmed++;
        push(confirmed, event.slotKey, event);
        break;
      case 'post.skipped':
        report.postEvents.skipped++;
        skipped.add(event.slotKey);
        break;
      case 'post.failed':
        report.postEvents.failed++;
        break;
      default:
        break;
    }
  }
  const findings: Finding[] = [];
  const perKind = new Map<FindingKind, number>();
  const add = (finding: Finding) => {
    const n = (perKind.get(finding.kind) ?? 0) + 1;
    perKind.set(finding.kind, n);
    if (n <= MAX_PER_KIND) findings.push(finding);
  };

  // Mentions and flags.
  report.pairs = seen.size;
  const flags = new Map<string, Flag>();
  for await (const flag of source.flags()) flags.set(flag.id, flag);
  report.flags = flags.size;
  for (const [key, event] of seen) {
    if (!event) continue;
    report.flaggedPairs++;
    if (flags.has(key)) continue;
    add({
      kind: 'flag-missing',
      message: `${key}: mention.seen of ${event.at} is flagged but the review queue has no flag for it.`,
      repair: { flags: [flagFromEvent(key, event)] },
    });
  }
  const pruned = (source.prunedMentions ?? 0) > 0;
  for (const [id, flag] of flags) {
    if (seen.has(id) || pruned) continue;
    add({
      kind: 'flag-without-event',
      message: `flag ${id}: no mention.seen event in the activity log.`,
      repair: {
        events: [
          {
            type: 'mention.seen',
            at: flag.createdAt,
            campaign: flag.campaign,
            mention: flag.mention,
            verdict: {
              flagged: true,
              score: flag.verdict.score,
              severity: flag.verdict.severity,
              sentiment: flag.verdict.sentiment,
              rules: [...new Set(flag.verdict.reasons.map((r) => r.rule))],
            },
          },
        ],
      },
    });
  }
  for (const [key, times] of repeated) {
    add({ kind: 'mention-repeated', message: `${key}: mention.seen ${times} times (once expected).` });
  }

  // The post journal and the post.* events.
  const journal = new Map((await source.listJournal()).map((e) => [e.key, e]));
  for (const entry of journal.values()) {
    if (entry.state === 'confirmed') report.journal.confirmed++;
    else if (entry.state === 'skipped') report.journal.skipped++;
    else if (entry.state === 'intent') report.journal.intent++;
    else report.journal.other++;
    const done = confirmed.get(entry.key) ?? [];
    if (entry.state === 'confirmed' && done.length === 0) {
      add({
        kind: 'confirmed-event-missing',
        message: `journal ${entry.key}: confirmed (${entry.remoteId ?? 'no id'}) but no post.confirmed event.`,
        repair: {
          events: [
            {
              type: 'post.confirmed',
              at: entry.updatedAt,
              campaign: entry.campaign,
              platform: entry.platform,
              slotKey: entry.key,
              remoteId: entry.remoteId ?? '',
              url: entry.url ?? '',
            },
          ],
        },
      });
    }
    if (entry.state === 'skipped' && !skipped.has(entry.key)) {
      add({
        kind: 'skipped-event-missing',
        message: `journal ${entry.key}: skipped (${entry.note ?? 'no reason'}) but no post.skipped event.`,
        repair: {
          events: [
            {
              type: 'post.skipped',
              at: entry.updatedAt,
              campaign: entry.campaign,
              platform: entry.platform,
              slotKey: entry.key,
              reason: entry.note ?? 'skipped',
            },
          ],
        },
      });
    }
    const tries = intents.get(entry.key)?.length ?? 0;
    if (tries < entry.attempts) {
      const missing = entry.attempts - tries;
      add({
        kind: 'intent-events-missing',
        message: `journal ${entry.key}: ${entry.attempts} attempt(s) but ${tries} post.intent event(s).`,
        repair: {
          events: Array.from({ length: missing }, () => ({
            type: 'post.intent' as const,
            at: entry.updatedAt,
            campaign: entry.campaign,
            platform: entry.platform,
            slotKey: entry.key,
            text: entry.text,
          })),
        },
      });
    } else if (tries > entry.attempts) {
      add({
        kind: 'intent-events-extra',
        message: `journal ${entry.key}: ${entry.attempts} attempt(s) but ${tries} post.intent events.`,
        repair: { journal: [{ ...entry, attempts: tries }] },
      });
    }
  }
  for (const [key, events] of confirmed) {
    if (events.length > 1) {
      add({
        kind: 'confirmed-repeated',
        message: `${key}: post.confirmed ${events.length} times (${[...new Set(events.map((e) => e.remoteId))].join(', ')}).`,
      });
    }
    const entry = journal.get(key);
    if (entry?.state === 'confirmed') continue;
    const last = events.at(-1)!;
    add({
      kind: 'journal-not-confirmed',
      message: `${key}: post.confirmed (${last.remoteId}) but the journal entry is ${entry ? `"${entry.state}"` : 'missing'}.`,
      ...(entry
        ? {
            repair: {
              journal: [
                {
                  ...entry,
                  state: 'confirmed',
                  remoteId: last.remoteId,
                  url: last.url,
                  note: 'confirmed from the activity log',
                  updatedAt: last.at,
                },
              ],
            },
          }
        : {}),
    });
  }

  if (!pruned) {
    const pairs = new Set(seen.keys());
    for (const check of cursorChecks) for (const f of await check(pairs)) add(f);
  }
  for (const [kind, n] of perKind) {
    if (n > MAX_PER_KIND) findings.push({ kind, message: `… and ${n - MAX_PER_KIND} more ${kind}.` });
  }
  report.findings = findings;
  return report;
}

/** Rebuilds a flag from its mention.seen event (the reasons keep their rule names). */
function flagFromEvent(id: string, event: Extract<ActivityEvent, { type: 'mention.seen' }>): Flag {
  return {
    id,
    campaign: event.campaign,
    mention: event.mention,
    verdict: {
      flagged: true,
      score: event.verdict.score,
      severity: event.verdict.severity,
      sentiment: event.verdict.sentiment,
      reasons: event.verdict.rules.map((rule) => ({
        rule,
        explanation: 'Restored from the activity log by store verify --repair.',
      })),
    },
    state: 'open',
    createdAt: event.at,
    events: [],
  };
}

/** Applies the repairs of a report; returns how many findings were repaired. */
export async function repairConsistency(
  store: { commit(tx: StoreTx): Promise<void> },
  report: ConsistencyReport,
): Promise<number> {
  let repaired = 0;
  for (const finding of report.findings) {
    if (!finding.repair) continue;
    await store.commit(finding.repair);
    repaired++;
  }
  return repaired;
}
