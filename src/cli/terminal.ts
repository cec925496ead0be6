/**
 * What the running bot tells the person at the terminal: one plain line per thing that happened
 * (a post, a skipped slot, a decision, a pause or stop), whoever caused it — the bot itself, the
 * dashboard, a CLI command whose change reached the bot through the inbox, or another instance on
 * the same database. Detail stays in the log.
 */
import type { ReviewEvent } from '../core/review.ts';
import type { ActivityEvent, Store } from '../store/types.ts';

export interface AnnounceOptions {
  print: (line: string) => void;
  /** Local mode: the outbox already prints each post with its text, so posts are not repeated. */
  postsPrinted: boolean;
}

/** The line for an activity event, or undefined when the event is detail (mentions, intents). */
export function activityLine(
  event: ActivityEvent,
  options: Pick<AnnounceOptions, 'postsPrinted'>,
): string | undefined {
  switch (event.type) {
    case 'post.confirmed':
      return options.postsPrinted
        ? undefined
        : `  posted  ${event.campaign} → ${event.platform}  ${event.url}`;
    case 'post.skipped':
      return `  skipped  ${event.campaign} → ${event.platform}  ${event.slotKey.split('@')[1] ?? ''}  (${event.reason})`;
    case 'control':
      if (event.action === 'pause')
        return `  paused  ${event.campaign}: it posts nothing until \`npx solidarity resume ${event.campaign}\``;
      if (event.action === 'resume') return `  resumed  ${event.campaign}: it posts again from its next slot`;
      if (event.action === 'stop-all')
        return '  EMERGENCY STOP: nothing is posted anywhere until `npx solidarity resume-all`';
      return '  emergency stop lifted: campaigns post again from their next slots';
    default:
      return undefined;
  }
}

export function decisionLine(event: ReviewEvent): string {
  const outcome = event.outcome ? ` (${event.outcome})` : '';
  return `  decision  ${event.flagId}: ${event.action}${outcome} by ${event.by}`;
}

/**
 * Announces what is written to the store from now on, by wrapping its writers of events.
 * A line is printed after the write succeeded, so the terminal never reports what did not happen.
 */
export function announceActivity(
  store: Pick<Store, 'append' | 'commit' | 'addReviewEvent' | 'subscribe'>,
  options: AnnounceOptions,
): void {
  const append = store.append.bind(store);
  const commit = store.commit.bind(store);
  const addReviewEvent = store.addReviewEvent.bind(store);
  const announce = (event: ActivityEvent) => {
    const line = activityLine(event, options);
    if (line) options.print(line);
  };
  // Another instance's change on a shared database (a pause from another machine, a decision on
  // another dashboard) arrives as a notice; the file store's commands go through this bot instead.
  store.subscribe?.((notice) => {
    if (notice.kind !== 'event') return;
    if (notice.event.type === 'review.event') options.print(decisionLine(notice.event.event));
    else announce(notice.event);
  });
  store.append = async (event) => {
    await append(event);
    announce(event);
  };
  // Posts, skipped slots and failures are written with their journal change as one transaction.
  store.commit = async (tx) => {
    await commit(tx);
    for (const event of tx.events ?? []) announce(event);
  };
  store.addReviewEvent = async (event) => {
    const flag = await addReviewEvent(event);
    options.print(decisionLine(event));
    return flag;
  };
}
