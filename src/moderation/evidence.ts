/**
 * Evidence export, pure: the record the police (or a platform's trust-and-safety team) get for
 * each flagged mention, as JSON and CSV, with a SHA-256 of the captured text so anyone can check
 * the text was not changed after capture.
 */
import { createHash } from 'node:crypto';
import type { Flag, ReviewEvent, ReviewState } from '../core/review.ts';
import type { Reason, Severity } from '../core/verdict.ts';
import { deriveState } from './review.ts';

/**
 * Where to report hate crime in the UK, as printed on the evidence page. Checked by hand against
 * the sources named below on REPORTING_GUIDANCE_CHECKED; check again before relying on it.
 */
export const REPORTING_GUIDANCE_CHECKED = '2026-11-25';

export const REPORTING_GUIDANCE: ReadonlyArray<{ label: string; contact: string; when: string }> = [
  {
    label: 'Emergency',
    contact: '999',
    when: 'If anyone is in immediate danger or a crime is happening now.',
  },
  {
    label: 'Police (non-emergency)',
    contact: '101',
    when: 'To report a hate crime that is not an emergency.',
  },
  {
    label: 'Anti-Terrorist Hotline',
    contact: '0800 789 321',
    when: 'If a post threatens or encourages terrorism, or you suspect terrorist activity.',
  },
  {
    label: 'True Vision (national online hate-crime reporting site)',
    contact: 'https://www.report-it.org.uk/',
    when: 'To report online hate material to the police without calling.',
  },
];

export const EVIDENCE_FORMAT_VERSION = 1;

export interface EvidenceRecord {
  flagId: string;
  campaign: string;
  platform: string;
  postId: string;
  postUrl: string;
  authorId: string;
  authorHandle: string;
  text: string;
  /** Hex SHA-256 of `text` encoded as UTF-8 (lone surrogates become U+FFFD, as in any UTF-8 file). */
  textSha256: string;
  textLength: number;
  lang?: string | undefined;
  hashtags: string[];
  replyTo?: string | undefined;
  quoteOf?: string | undefined;
  createdAt: string;
  capturedAt: string;
  flaggedAt: string;
  verdict: { flagged: boolean; score: number; severity: Severity; sentiment: number; reasons: Reason[] };
  state: ReviewState;
  decisions: ReviewEvent[];
}

export interface EvidenceExport {
  format: 'solidarity-evidence';
  version: number;
  exportedAt: string;
  exportedBy: string;
  guidanceChecked: string;
  records: EvidenceRecord[];
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function evidenceRecord(flag: Flag): EvidenceRecord {
  const { mention, verdict } = flag;
  return {
    flagId: flag.id,
    campaign: flag.campaign,
    platform: mention.platform,
    postId: mention.id,
    postUrl: mention.url,
    authorId: mention.authorId,
    authorHandle: mention.authorHandle,
    text: mention.text,
    textSha256: sha256Hex(mention.text),
    textLength: mention.text.length,
    lang: mention.lang,
    hashtags: [...mention.hashtags],
    replyTo: mention.replyTo,
    quoteOf: mention.quoteOf,
    createdAt: mention.createdAt,
    capturedAt: mention.capturedAt,
    flaggedAt: flag.createdAt,
    verdict: {
      flagged: verdict.flagged,
      score: verdict.score,
      severity: verdict.severity,
      sentiment: verdict.sentiment,
      reasons: verdict.reasons.map((r) => ({ ...r, ...(r.span ? { span: { ...r.span } } : {}) })),
    },
    state: deriveState(flag.events),
    decisions: flag.events.map((e) => ({ ...e })),
  };
}

export function evidenceExport(
  flags: readonly Flag[],
  meta: { exportedAt: string; exportedBy: string },
): EvidenceExport {
  return {
    format: 'solidarity-evidence',
    version: EVIDENCE_FORMAT_VERSION,
    exportedAt: meta.exportedAt,
    exportedBy: meta.exportedBy,
    guidanceChecked: REPORTING_GUIDANCE_CHECKED,
    records: flags.map(evidenceRecord),
  };
}

export function evidenceJson(
  flags: readonly Flag[],
  meta: { exportedAt: string; exportedBy: string },
): string {
  return `${JSON.stringify(evidenceExport(flags, meta), null, 2)}\n`;
}

export const CSV_COLUMNS = [
  'flag_id',
  'campaign',
  'platform',
  'post_id',
  'post_url',
  'author_id',
  'author_handle',
  'created_at',
  'captured_at',
  'flagged_at',
  'text',
  'text_sha256',
  'text_utf8_hex',
  'score',
  'severity',
  'sentiment',
  'reasons',
  'state',
  'decisions',
] as const;

/**
 * The exact text as uppercase hexadecimal of its UTF-8 bytes. The `text` cell may carry a leading
 * apostrophe (see csvCell); this cell never does (hex cannot look like a formula), so a row
 * verifies on its own: `printf '%s' HEX | basenc --base16 -d | sha256sum` prints `text_sha256`.
 */
export function utf8Hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex').toUpperCase();
}

/**
 * One CSV cell: always quoted, quotes doubled. A cell a spreadsheet would read as a formula
 * (starting with = + - @ or a control character) gets a leading apostrophe, because mention
 * text is written by hostile people; the JSON export and the hash keep the exact text.
 */
export function csvCell(value: string | number | boolean): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

function reasonSummary(reason: Reason): string {
  const matched = reason.span ? ` "${reason.span.text}" @${reason.span.start}-${reason.span.end}` : '';
  return `${reason.rule}${matched}: ${reason.explanation}`;
}

function decisionSummary(event: ReviewEvent): string {
  const outcome = event.outcome ? ` (${event.outcome})` : '';
  const note = event.note ? `: ${event.note}` : '';
  const undoes = event.undoes ? ` of ${event.undoes}` : '';
  return `${event.at} ${event.by} ${event.action}${undoes}${outcome}${note}`;
}

/**
 * RFC 4180 CSV with a header row, CRLF line ends; reasons and decisions joined by " | ".
 * `text_sha256` is the SHA-256 of the exact UTF-8 bytes in `text_utf8_hex`.
 */
export function evidenceCsv(flags: readonly Flag[]): string {
  const rows = [CSV_COLUMNS.map((c) => csvCell(c)).join(',')];
  for (const flag of flags) {
    const r = evidenceRecord(flag);
    const cells: Array<string | number> = [
      r.flagId,
      r.campaign,
      r.platform,
      r.postId,
      r.postUrl,
      r.authorId,
      r.authorHandle,
      r.createdAt,
      r.capturedAt,
      r.flaggedAt,
      r.text,
      r.textSha256,
      utf8Hex(r.text),
      r.verdict.score,
      r.verdict.severity,
      r.verdict.sentiment,
      r.verdict.reasons.map(reasonSummary).join(' | '),
      r.state,
      r.decisions.map(decisionSummary).join(' | '),
    ];
    rows.push(cells.map(csvCell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

/** The reporting guidance as plain text, for the CLI and the top of a printed page. */
export function reportingGuidanceText(): string {
  const lines = ['Where to report (UK):'];
  for (const g of REPORTING_GUIDANCE) lines.push(`  ${g.label}: ${g.contact}. ${g.when}`);
  lines.push(`Guidance last checked: ${REPORTING_GUIDANCE_CHECKED}.`);
  return lines.join('\n');
}
