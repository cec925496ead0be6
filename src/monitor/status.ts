/** Monitoring as `solidarity status` shows it: counts, sources, platform budgets, from the saved status. */

import { PLATFORM_REGISTRY, platformInfo } from '../platforms/registry.ts';
import type { Store } from '../store/types.ts';
import type { MonitorStatus } from './monitor.ts';
import { MONITOR_STATUS_KEY } from './state-keys.ts';

/** The counts and sources the monitor last saved, if it ever ran on this data folder. */
export function readMonitorStatus(store: Pick<Store, 'getState'>): Promise<MonitorStatus | undefined> {
  return store.getState<MonitorStatus>(MONITOR_STATUS_KEY);
}

export interface MonitorStatusView {
  lines: string[];
  /** Campaigns a platform says need attention (X: the read budget ran out today). */
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
  for (const platform of PLATFORM_REGISTRY.map((p) => platformInfo(p.id))) {
    const extra = await platform.monitorStatus?.(store, campaigns, now);
    if (!extra) continue;
    lines.push(...extra.lines);
    budgetExhausted.push(...extra.attention);
  }
  return { lines, budgetExhausted };
}
