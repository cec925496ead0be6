/**
 * Pause and emergency stop, kept in the store's small state so a CLI command reaches a running bot
 * (through the store inbox) and the scheduler reads it before every post.
 */
import type { Campaign } from '../campaign/schema.ts';
import type { Store } from '../store/types.ts';

export interface ControlState {
  /** true: paused / stopped. */
  on: boolean;
  at: string;
  /** Why, as the organiser gave it (optional). */
  reason?: string;
}

export const STOP_ALL_KEY = 'control.stop-all';
export const pausedKey = (campaign: string) => `control.paused:${campaign}`;

export type Hold = { held: false } | { held: true; reason: string };

/**
 * Whether a campaign may post now. The file's `paused: true` cannot be lifted from the CLI
 * (it fails closed): `resume` only lifts a `pause` given on the command line.
 */
export async function holdFor(campaign: Campaign, state: Pick<Store, 'getState'>): Promise<Hold> {
  const stop = await state.getState<ControlState>(STOP_ALL_KEY);
  if (stop?.on)
    return { held: true, reason: `stop-all since ${stop.at}${stop.reason ? ` (${stop.reason})` : ''}` };
  const paused = await state.getState<ControlState>(pausedKey(campaign.id));
  if (paused?.on)
    return { held: true, reason: `paused since ${paused.at}${paused.reason ? ` (${paused.reason})` : ''}` };
  if (campaign.paused) return { held: true, reason: `paused: true in ${campaign.file}` };
  return { held: false };
}

/** Records a pause (or its end) and logs it; the running bot sees it before its next post. */
export async function setPaused(
  store: Pick<Store, 'setState' | 'append'>,
  campaign: string,
  on: boolean,
  now: Date,
  reason?: string,
): Promise<void> {
  const value: ControlState = { on, at: now.toISOString(), ...(reason ? { reason } : {}) };
  await store.setState(pausedKey(campaign), value);
  await store.append({ type: 'control', at: value.at, action: on ? 'pause' : 'resume', campaign });
}

/** Records the emergency stop (or its end) for every campaign and platform. */
export async function setStopAll(
  store: Pick<Store, 'setState' | 'append'>,
  on: boolean,
  now: Date,
  reason?: string,
): Promise<void> {
  const value: ControlState = { on, at: now.toISOString(), ...(reason ? { reason } : {}) };
  await store.setState(STOP_ALL_KEY, value);
  await store.append({ type: 'control', at: value.at, action: on ? 'stop-all' : 'resume-all' });
}
