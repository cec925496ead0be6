/** Monitoring as `solidarity status` shows it: counts, sources, X budgets, from the saved status. */
import type { Store } from '../store/types.ts';
import type { MonitorStatus } from './monitor.ts';
import { budgetStateKey, MONITOR_STATUS_KEY } from './state-keys.ts';
import type { XBudgetState } from './x.ts';

/** The counts and sources the monitor last saved, if it ever ran on this data folder. */
export function readMonitorStatus(store: Pick<Store, 'getState'>): Promise<MonitorStatus | undefined> {
  return store.getState<MonitorStatus>(MONITOR_STATUS_KEY);
}

export interface MonitorStatusView {
  lines: string[];
  /** Campaigns whose X read budget ran out today. */
  budgetExhausted: string[];
}

/** Human lines about monitoring, read from the store (works while the bot runs or after). */
export async function monitorStatusLines(
  store: Pick<Store, 'getState'>,
  campaigns: readonly string[],
  now: Date,
): Promise<MonitorStatusView> {
  const status = await readMonitorStatus(store);
  const lines: string[] = [];
  const budgetExhausted: string[] = [];
  if (!status) {
    lines.push('Monitoring: not run yet (start the bot with `npm start`).');
  } else {
    const c = status.counts;
    lines.push(
      `Monitoring: ${status.running ? 'running' : 'stopped'} (status saved ${status.updatedAt}, started ${status.startedAt})`,
    );
    lines.push(
      `  mentions: ${c.seen} seen, ${c.scored} scored, ${c.stored} stored, ${c.flagged} flagged, ${c.queued} queued, ` +
        `${c.own} own, ${c.dropped} dropped, ${c.duplicates} duplicates, ${c.alerts} hijack alerts`,
    );
    for (const [id, k] of Object.entries(status.campaigns)) {
      lines.push(`  ${id}: ${k.seen} seen, ${k.flagged} flagged, ${k.alerts} hijack alerts`);
    }
    for (const s of status.sources) {
      const extra: string[] = [];
      if (s.stats.malformed) extra.push(`${s.stats.malformed} malformed`);
      if (s.stats.reconnects) extra.push(`${s.stats.reconnects} reconnects/retries`);
      if (s.stats.backfilled) extra.push(`${s.stats.backfilled} backfilled`);
      const age = s.status?.cursorAgeSeconds;
      if (typeof age === 'number') extra.push(`cursor ${age}s behind`);
      if (s.error) extra.push(`stopped: ${s.error}`);
      lines.push(`  source ${s.name}${extra.length ? `: ${extra.join(', ')}` : ''}`);
    }
  }
  const today = now.toISOString().slice(0, 10);
  for (const campaign of campaigns) {
    const b = await store.getState<XBudgetState>(budgetStateKey(campaign));
    if (!b || b.day !== today) continue;
    const state = b.exhaustedAt ? `EXHAUSTED at ${b.exhaustedAt} (X_READ_BUDGET_EXHAUSTED)` : 'ok';
    if (b.exhaustedAt) budgetExhausted.push(campaign);
    lines.push(
      `  X reads today for ${campaign}: ${b.reads}/${b.limit} (about $${b.costUsd.toFixed(2)}), ${state}`,
    );
  }
  return { lines, budgetExhausted };
}
