/**
 * `solidarity review …`: the review queue for people without the browser. The same rules as the
 * dashboard (src/moderation/review.ts); decisions are recorded as "cli:<user>" unless --by names
 * a moderator. Text is shown only by `review show`, made safe for the terminal.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { loadCampaigns } from '../../campaign/load.ts';
import { loadEnv } from '../../config/env.ts';
import type { Flag, ResolveOutcome, ReviewAction, ReviewState } from '../../core/review.ts';
import { SolidarityError } from '../../errors.ts';
import { terminalText } from '../../moderation/display.ts';
import { evidenceCsv, evidenceJson, reportingGuidanceText, sha256Hex } from '../../moderation/evidence.ts';
import {
  decide,
  describeEvent,
  RESOLVE_OUTCOMES,
  REVIEW_STATES,
  UNRESOLVED_STATES,
} from '../../moderation/review.ts';
import { campaignVerdictContext, mentionVerdict, plainVerdictContext } from '../../monitor/verdict.ts';
import type { QueueQuery, Store } from '../../store/types.ts';
import { type Command, type CommandIO, flag, type ParsedArgs, stringOption, writeLine } from '../command.ts';
import type { StoreOpener } from '../store-access.ts';

function defaultBy(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {}
  return `cli:${user}`;
}

async function requireFlag(store: Store, id: string): Promise<Flag> {
  const found = await store.getFlag(id);
  if (!found) {
    throw new SolidarityError(
      'FLAG_NOT_FOUND',
      `No flag in the review queue has the id "${terminalText(id)}".`,
      {
        hint: 'List flag ids with: npx solidarity review list',
      },
    );
  }
  return found;
}

function ids(args: ParsedArgs, command: string): string[] {
  if (args.positionals.length === 0) {
    throw new SolidarityError('USAGE', 'Name at least one flag id.', {
      hint: `See: npx solidarity review ${command} --help`,
    });
  }
  return args.positionals;
}

const FILTER_OPTIONS = {
  campaign: { type: 'string', valueName: 'ID', description: 'only this campaign' },
  platform: { type: 'string', valueName: 'NAME', description: 'bluesky, x or local' },
  severity: { type: 'string', valueName: 'LEVEL', description: 'low, medium or high' },
  state: {
    type: 'string',
    valueName: 'STATE',
    description: `unresolved (default), all, or one of ${REVIEW_STATES.join(', ')}`,
  },
  hashtag: { type: 'string', valueName: 'TAG', description: 'only mentions with this hashtag' },
  rule: { type: 'string', valueName: 'CODE', description: 'only flags with a reason from this rule' },
  sort: { type: 'string', valueName: 'ORDER', description: 'newest (default) or score' },
  limit: { type: 'string', valueName: 'N', description: 'how many (default 50, at most 1000)' },
  after: { type: 'string', valueName: 'CURSOR', description: 'the next page, from the previous output' },
  json: { type: 'boolean', description: 'print JSON lines (one flag per line, text included)' },
} as const;

function queueQuery(args: ParsedArgs): QueueQuery {
  const limitText = stringOption(args, 'limit') ?? '50';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new SolidarityError('USAGE', `--limit must be a whole number from 1 to 1000, not "${limitText}".`);
  }
  const sort = stringOption(args, 'sort') ?? 'newest';
  if (sort !== 'newest' && sort !== 'score')
    throw new SolidarityError('USAGE', `--sort must be newest or score, not "${sort}".`);
  const stateText = stringOption(args, 'state') ?? 'unresolved';
  let state: QueueQuery['state'];
  if (stateText === 'unresolved') state = [...UNRESOLVED_STATES];
  else if (stateText !== 'all') {
    if (!(REVIEW_STATES as readonly string[]).includes(stateText)) {
      throw new SolidarityError(
        'USAGE',
        `--state must be unresolved, all or one of ${REVIEW_STATES.join(', ')}.`,
      );
    }
    state = stateText as ReviewState;
  }
  const query: QueueQuery = { limit, sort };
  if (state) query.state = state;
  for (const key of ['campaign', 'platform', 'severity', 'rule', 'after'] as const) {
    const value = stringOption(args, key);
    if (value) query[key] = value;
  }
  const hashtag = stringOption(args, 'hashtag');
  if (hashtag) query.hashtag = hashtag.replace(/^#/, '').toLowerCase();
  return query;
}

function summaryLine(f: Flag): string {
  const rules = [...new Set(f.verdict.reasons.map((r) => r.rule))].join(',');
  return [
    f.id,
    f.state.padEnd(12),
    f.verdict.severity.padEnd(6),
    f.verdict.score.toFixed(2),
    f.campaign,
    `@${f.mention.authorHandle}`,
    f.mention.createdAt.slice(0, 16).replace('T', ' '),
    rules,
  ]
    .map((cell) => terminalText(String(cell)))
    .join('  ');
}

export function listCommand(open: StoreOpener): Command {
  return {
    name: 'review list',
    summary: 'List flags in the review queue (unresolved, newest first)',
    usage:
      'review list [--state STATE] [--campaign ID] [--platform NAME] [--severity LEVEL] [--hashtag TAG] ' +
      '[--rule CODE] [--sort ORDER] [--limit N] [--after CURSOR] [--json]',
    description:
      'One line per flag: id, state, severity, score, campaign, author, time and rule codes. The text is\n' +
      'not printed here (it is abusive); see one flag with "npx solidarity review show ID".\n' +
      'Dismissed flags with reasons feed the scorer evaluation: review list --state dismissed --json.',
    options: FILTER_OPTIONS,
    async run(args, io) {
      const query = queueQuery(args);
      return open(io, 'read', async (store) => {
        const page = await store.queuePage(query);
        if (flag(args, 'json')) {
          for (const f of page.items) writeLine(io.stdout, JSON.stringify(f));
          if (page.next) writeLine(io.stderr, `more: --after ${page.next}`);
          return 0;
        }
        writeLine(io.stdout, `${page.total} flag(s) match; ${page.items.length} shown.`);
        for (const f of page.items) writeLine(io.stdout, summaryLine(f));
        if (page.next)
          writeLine(io.stdout, `More: npx solidarity review list --after ${page.next} (same filters)`);
        return 0;
      });
    },
  };
}

export function showFlag(f: Flag): string {
  const m = f.mention;
  const lines = [
    `Flag      ${f.id}`,
    `State     ${f.state}`,
    `Campaign  ${f.campaign}`,
    `Verdict   ${f.verdict.severity}, score ${f.verdict.score.toFixed(2)}, sentiment ${f.verdict.sentiment.toFixed(2)}`,
    `Author    @${m.authorHandle} (${m.authorId})`,
    `Post      ${m.url}`,
    `Posted    ${m.createdAt}   captured ${m.capturedAt}`,
    `SHA-256   ${sha256Hex(m.text)}`,
    '',
    'Text (controls shown as ⟦U+…⟧; matched words in »…«):',
  ].map((line) => terminalText(line));
  const spans = f.verdict.reasons
    .filter((r) => r.span && m.text.slice(r.span.start, r.span.end) === r.span.text)
    .map((r) => r.span!)
    .sort((a, b) => a.start - b.start);
  let text = '';
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue;
    text += `${m.text.slice(at, span.start)}»${m.text.slice(span.start, span.end)}«`;
    at = span.end;
  }
  text += m.text.slice(at);
  lines.push(terminalText(text, { multiline: true }).replace(/^/gm, '  '), '', 'Reasons:');
  for (const r of f.verdict.reasons) lines.push(terminalText(`  ${r.rule}: ${r.explanation}`));
  lines.push('', 'Decisions:');
  if (f.events.length === 0) lines.push('  none yet');
  for (const e of f.events) lines.push(terminalText(`  ${describeEvent(e)}`));
  return lines.join('\n');
}

export function showCommand(open: StoreOpener): Command {
  return {
    name: 'review show',
    summary: 'Show one flag: text, reasons, decisions',
    usage: 'review show ID [--json]',
    options: { json: { type: 'boolean', description: 'print the flag as JSON' } },
    async run(args, io) {
      const [id] = ids(args, 'show');
      return open(io, 'read', async (store) => {
        const f = await requireFlag(store, id!);
        writeLine(io.stdout, flag(args, 'json') ? JSON.stringify(f, null, 2) : showFlag(f));
        return 0;
      });
    },
  };
}

const DECISION_OPTIONS = {
  note: { type: 'string', valueName: 'TEXT', description: 'a note kept with the decision' },
  by: { type: 'string', valueName: 'NAME', description: 'who decides (default cli:<your user name>)' },
} as const;

function decisionCommand(
  open: StoreOpener,
  action: Exclude<ReviewAction, 'comment' | 'reopen'> | 'comment' | 'reopen',
  word: string,
  summary: string,
  extra: Command['options'] = {},
): Command {
  return {
    name: `review ${word}`,
    summary,
    usage: `review ${word} ID... ${action === 'resolve' ? '--outcome OUTCOME ' : ''}${action === 'dismiss' ? '[--reason TEXT] ' : ''}[--note TEXT] [--by NAME]`,
    description:
      'Records the decision as a review event (who, when, note); the flag keeps every earlier event.\n' +
      'Several ids decide for all of them; one not allowed in its state is reported and skipped\n' +
      '(exit code 2 when any was skipped).',
    options: { ...DECISION_OPTIONS, ...extra },
    async run(args, io) {
      const targets = ids(args, word);
      if (action === 'dismiss' && stringOption(args, 'reason') && stringOption(args, 'note')) {
        throw new SolidarityError(
          'USAGE',
          'Give --reason or --note, not both: for a dismissal they are the same text.',
          {
            hint: '--reason says why it is not hate; it is kept with the decision and feeds the scorer evaluation.',
          },
        );
      }
      const note = stringOption(args, action === 'dismiss' ? 'reason' : 'note') ?? stringOption(args, 'note');
      const outcome = stringOption(args, 'outcome');
      if (action === 'resolve' && outcome === undefined) {
        throw new SolidarityError('USAGE', 'Resolving needs --outcome.', {
          hint: `Use one of: ${RESOLVE_OUTCOMES.join(', ')}.`,
        });
      }
      if (action === 'resolve' && !(RESOLVE_OUTCOMES as readonly string[]).includes(outcome!)) {
        throw new SolidarityError('USAGE', `--outcome "${outcome}" is not a valid outcome.`, {
          hint: `Use one of: ${RESOLVE_OUTCOMES.join(', ')}.`,
        });
      }
      const by = stringOption(args, 'by') ?? defaultBy();
      return open(io, 'write', async (store) => {
        let failed = 0;
        for (const id of targets) {
          try {
            const f = await requireFlag(store, id);
            const event = decide(
              f,
              { action, by, note, outcome: outcome as ResolveOutcome | undefined },
              { id: randomUUID(), at: new Date().toISOString() },
            );
            const updated = await store.addReviewEvent(event);
            writeLine(io.stdout, terminalText(`${updated.id}: ${action} recorded; now ${updated.state}`));
          } catch (error) {
            if (!(error instanceof SolidarityError) || targets.length === 1) throw error;
            failed++;
            writeLine(io.stderr, error.describe());
          }
        }
        return failed > 0 ? 2 : 0;
      });
    },
  };
}

export function exportCommand(open: StoreOpener): Command {
  return {
    name: 'review export',
    summary: 'Export evidence for flags as CSV or JSON (with SHA-256 of each text)',
    usage: 'review export ID... [--format FORMAT] [--out FILE] [--by NAME]',
    description:
      'Post URL, platform ids, author, full text, created and captured times, verdict and reasons,\n' +
      'decisions so far and the SHA-256 of the captured text. Prints where to report on stderr.',
    options: {
      format: { type: 'string', valueName: 'FORMAT', description: 'csv (default) or json' },
      out: { type: 'string', valueName: 'FILE', description: 'write to FILE instead of stdout' },
      by: { type: 'string', valueName: 'NAME', description: 'who exports (default cli:<your user name>)' },
    },
    async run(args, io) {
      const targets = ids(args, 'export');
      const format = stringOption(args, 'format') ?? 'csv';
      if (format !== 'csv' && format !== 'json')
        throw new SolidarityError('USAGE', `--format must be csv or json, not "${format}".`);
      return open(io, 'read', async (store) => {
        const flags: Flag[] = [];
        for (const id of targets) flags.push(await requireFlag(store, id));
        const meta = {
          exportedAt: new Date().toISOString(),
          exportedBy: stringOption(args, 'by') ?? defaultBy(),
        };
        const body = format === 'csv' ? evidenceCsv(flags) : evidenceJson(flags, meta);
        const out = stringOption(args, 'out');
        if (out) {
          try {
            await writeFile(out, body, { flag: 'wx' });
          } catch (error) {
            throw new SolidarityError(
              'INPUT_INVALID',
              `Cannot write ${out}: ${(error as NodeJS.ErrnoException).code}.`,
              {
                hint: 'Choose a file name that does not exist yet, in a folder you can write to.',
              },
            );
          }
          writeLine(io.stderr, `Wrote ${flags.length} record(s) to ${out}.`);
        } else io.stdout.write(body);
        writeLine(io.stderr, reportingGuidanceText());
        return 0;
      });
    },
  };
}

/**
 * Dismissed flags are the scorer's known false positives: re-score each with the current scorer
 * and report how many it would still flag, by rule and by dismiss reason (never the text).
 */
export function falsePositivesCommand(open: StoreOpener): Command {
  return {
    name: 'review false-positives',
    summary: 'Re-score dismissed flags: how many the current scorer would still flag, by rule',
    usage: 'review false-positives [--campaign ID] [--json]',
    description:
      'Dismissed flags (false positives, with the reasons moderators gave) are the evaluation set the\n' +
      'queue builds up. This re-scores each with the current scorer and prints how many would still be\n' +
      'flagged, which rules fire on them and the dismiss reasons, never the text. Run it after changing\n' +
      'the scorer; export the set itself with: npx solidarity review list --state dismissed --json',
    options: {
      campaign: { type: 'string', valueName: 'ID', description: 'only this campaign' },
      json: { type: 'boolean', description: 'print one JSON object' },
    },
    async run(args, io) {
      const { score } = await import('../../scoring/index.ts');
      // Each flag is re-scored with its campaign's context, as the running bot scored it.
      const dir = loadEnv(io.env).SOLIDARITY_CAMPAIGNS_DIR;
      const contexts = new Map(
        (existsSync(dir) ? loadCampaigns(dir) : []).map((c) => [c.id, campaignVerdictContext(c)] as const),
      );
      const noCampaign = plainVerdictContext();
      return open(io, 'read', async (store) => {
        const campaign = stringOption(args, 'campaign');
        let total = 0;
        let stillFlagged = 0;
        const rules = new Map<string, number>();
        const reasons = new Map<string, number>();
        let after: string | undefined;
        do {
          const page = await store.queuePage({
            state: 'dismissed',
            limit: 1000,
            ...(campaign ? { campaign } : {}),
            ...(after ? { after } : {}),
          });
          for (const f of page.items) {
            total++;
            const { verdict } = await mentionVerdict(
              score,
              f.mention,
              contexts.get(f.campaign) ?? noCampaign,
            );
            const reason = [...f.events].reverse().find((e) => e.action === 'dismiss')?.note ?? '(no reason)';
            reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
            if (!verdict.flagged) continue;
            stillFlagged++;
            for (const rule of new Set(verdict.reasons.map((r) => r.rule)))
              rules.set(rule, (rules.get(rule) ?? 0) + 1);
          }
          after = page.next;
        } while (after);
        const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
        const result = {
          dismissed: total,
          stillFlagged,
          noLongerFlagged: total - stillFlagged,
          rules: sorted(rules),
          reasons: sorted(reasons),
        };
        if (flag(args, 'json')) {
          writeLine(io.stdout, JSON.stringify(result));
          return 0;
        }
        writeLine(
          io.stdout,
          `${total} dismissed flag(s); the current scorer would still flag ${stillFlagged}.`,
        );
        if (rules.size > 0) writeLine(io.stdout, 'Rules still firing on them:');
        for (const [rule, n] of Object.entries(result.rules))
          writeLine(io.stdout, terminalText(`  ${String(n).padStart(5)}  ${rule}`));
        if (reasons.size > 0) writeLine(io.stdout, 'Dismiss reasons:');
        for (const [reason, n] of Object.entries(result.reasons))
          writeLine(io.stdout, terminalText(`  ${String(n).padStart(5)}  ${reason}`));
        return 0;
      });
    },
  };
}

export function reviewCommands(open: StoreOpener): Command[] {
  return [
    listCommand(open),
    showCommand(open),
    decisionCommand(open, 'acknowledge', 'ack', 'Acknowledge flags (someone is looking at them)'),
    decisionCommand(open, 'escalate', 'escalate', 'Escalate flags for a senior moderator or the police'),
    decisionCommand(open, 'resolve', 'resolve', 'Resolve flags with an outcome', {
      outcome: { type: 'string', valueName: 'OUTCOME', description: RESOLVE_OUTCOMES.join(' | ') },
    }),
    decisionCommand(open, 'dismiss', 'dismiss', 'Dismiss flags as false positives (reason optional)', {
      reason: {
        type: 'string',
        valueName: 'TEXT',
        description:
          'why it is not hate (kept with the decision; feeds the scorer evaluation); --note is the same',
      },
    }),
    decisionCommand(open, 'comment', 'comment', 'Add a note to flags without changing their state'),
    decisionCommand(open, 'reopen', 'reopen', 'Reopen resolved or dismissed flags decided in error'),
    exportCommand(open),
    falsePositivesCommand(open),
  ];
}

export type { CommandIO };
