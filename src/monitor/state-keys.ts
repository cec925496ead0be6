/**
 * Where monitoring keeps its state in the store. Apart from the monitor so that `status` reads
 * them without loading the sources (platforms keep their own keys in their registry entry).
 */

/** The monitor's saved counts and sources (MonitorStatus). */
export const MONITOR_STATUS_KEY = 'monitor.status';
