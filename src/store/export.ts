/**
 * Streams activity events out as JSON Lines or CSV, one event at a time (constant memory),
 * waiting for the output to drain.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ActivityEvent } from './types.ts';

export type ExportFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = [
  'at',
  'type',
  'campaign',
  'platform',
  'id',
  'url',
  'author',
  'text',
  'flagged',
  'score',
  'severity',
  'rules',
  'flag_id',
  'action',
  'by',
  'outcome',
  'note',
  'detail',
] as const;

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | boolean | undefined>>;

export function csvRow(event: ActivityEvent): Row {
  const base: Row = { at: event.at, type: event.type };
  switch (event.type) {
    case 'post.intent':
      return {
        ...base,
        campaign: event.campaign,
        platform: event.platform,
        id: event.slotKey,
        text: event.text,
      };
    case 'post.confirmed':
      return {
        ...base,
        campaign: event.campaign,
        platform: event.platform,
        id: event.remoteId,
        url: event.url,
        detail: event.slotKey,
      };
    case 'post.skipped':
      return {
        ...base,
        campaign: event.campaign,
        platform: event.platform,
        id: event.slotKey,
        detail: event.reason,
      };
    case 'post.failed':
      return {
        ...base,
        campaign: event.campaign,
        platform: event.platform,
        id: event.slotKey,
        detail: `${event.code}: ${event.message}${event.retryAt ? ` (retry ${event.retryAt})` : ''}`,
      };
    case 'mention.seen':
      return {
        ...base,
        campaign: event.campaign,
        platform: event.mention.platform,
        id: event.mention.id,
        url: event.mention.url,
        author: event.mention.authorHandle,
        text: event.mention.text,
        flagged: event.verdict.flagged,
        score: event.verdict.score,
        severity: event.verdict.severity,
        rules: event.verdict.rules.join(';'),
      };
    case 'review.event':
      return {
        ...base,
        id: event.event.id,
        flag_id: event.event.flagId,
        action: event.event.action,
        by: event.event.by,
        outcome: event.event.outcome,
        note: event.event.note,
      };
    case 'alert.hijack':
      return {
        ...base,
        campaign: event.campaign,
        detail: `#${event.hashtag} window share ${event.windowShare}, baseline ${event.baselineShare}`,
      };
    case 'control':
      return { ...base, campaign: event.campaign, action: event.action };
    case 'error':
      return { ...base, detail: `${event.component} ${event.code}: ${event.message}` };
  }
}

/**
 * One CSV field. Quoted when it holds a comma, quote or line break; a leading = + - @ (a formula
 * in a spreadsheet) is neutralised with an apostrophe, since these files are opened in Excel.
 */
export function csvField(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes every event; returns how many. */
export async function exportEvents(
  events: AsyncIterable<ActivityEvent>,
  format: ExportFormat,
  out: Writable,
): Promise<number> {
  let count = 0;
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\r\n`);
  for await (const event of events) {
    if (format === 'jsonl') await write(`${JSON.stringify(event)}\n`);
    else {
      const row = csvRow(event);
      await write(`${CSV_COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`);
    }
    count++;
  }
  return count;
}
