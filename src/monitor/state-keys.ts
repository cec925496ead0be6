/**
 * Where monitoring keeps its state in the store. Apart from the monitor so that `status` reads
 * them without loading the sources (and the X client behind them).
 */

/** The monitor's saved counts and sources (MonitorStatus). */
export const MONITOR_STATUS_KEY = 'monitor.status';

/** Reads used by one campaign on one UTC day (XBudgetState). */
export const budgetStateKey = (campaign: string) => `monitor.x.budget:${campaign}`;
