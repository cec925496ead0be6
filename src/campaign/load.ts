/**
 * Reads and validates campaign files. Every problem is reported at once, each with the file,
 * line and column, the field, what is wrong and what to do; nothing is silently defaulted.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { SolidarityError } from '../errors.ts';
import {
  PLATFORM_IDS,
  PLATFORM_REGISTRY,
  type PlatformInfo,
  postSettingsFor,
} from '../platforms/registry.ts';
import { ScoringConfigSchema } from '../scoring/config.ts';
import {
  type ImageKind,
  imageKind,
  invalidUtf8Offset,
  kindOfName,
  lineColumnOf,
  lineColumnOfByte,
  MAX_CAMPAIGN_BYTES,
  MAX_MESSAGES,
  strictJsonProblem,
} from './file-checks.ts';
import { describeMeasure, measure, type PlatformLengthSettings } from './limits.ts';
import { dateValues, fillMessage, hashtagsFor, messageTemplate, type TemplateValues } from './render.ts';
import {
  type Campaign,
  type CampaignFile,
  CampaignFileSchema,
  IMAGE_MAX_BYTES,
  type Platform,
  type Schedule,
} from './schema.ts';
import { resolveShare } from './share.ts';
import { parseCron, smallestGapMinutes } from './slots.ts';
import { checkTemplate } from './template.ts';
import { isValidTimeZone, parseCampaignDateTime, parseClock } from './time.ts';

export type Path = ReadonlyArray<string | number>;

export interface Problem {
  file: string;
  line: number;
  column: number;
  /** Dotted field path, e.g. "messages[2].text". */
  field: string;
  message: string;
  hint?: string;
}

export interface Validation {
  file: string;
  campaign?: Campaign;
  problems: Problem[];
  warnings: Problem[];
}

/** Slots closer than this are refused: a solidarity campaign must never look like spam. */
export const MIN_MINUTES_BETWEEN_POSTS = 10;

export function formatField(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(top level)';
}

export function formatProblem(p: Problem, kind: 'error' | 'warning' = 'error'): string {
  const head = `${p.file}:${p.line}:${p.column} ${kind} ${p.field}: ${p.message}`;
  return p.hint ? `${head}\n    hint: ${p.hint}` : head;
}

class Locator {
  private readonly doc: ReturnType<typeof parseDocument>;
  private readonly lines: LineCounter;

  constructor(doc: ReturnType<typeof parseDocument>, lines: LineCounter) {
    this.doc = doc;
    this.lines = lines;
  }

  /** Line/column of the deepest node on the path that exists (the value, or the key's map). */
  at(path: Path, key?: string): { line: number; column: number } {
    let node: unknown = this.doc.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
        if (isNode(node) && node.range) offset = node.range[0];
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part];
        if (!isNode(item)) break;
        node = item;
        if (item.range) offset = item.range[0];
      } else {
        break;
      }
    }
    if (key && isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (pair && isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
    }
    const pos = this.lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  /** Position of a character inside a string value (template problems point into the text). */
  inString(path: Path, index: number): { line: number; column: number } {
    const base = this.at(path);
    const node: unknown = this.doc.getIn(path as (string | number)[], true);
    if (
      isScalar(node) &&
      (node.type === 'PLAIN' || node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')
    ) {
      const value = String(node.value);
      if (!value.slice(0, index).includes('\n')) {
        const quote = node.type === 'PLAIN' ? 0 : 1;
        return { line: base.line, column: base.column + quote + index };
      }
    }
    return base;
  }
}

function issueHint(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'unrecognized_keys')
    return 'Remove it, or check the spelling against campaigns/schema.json.';
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'This field is required.';
  return undefined;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `missing (expected ${issue.expected})`;
    const got = Array.isArray(issue.input) ? 'array' : issue.input === null ? 'null' : typeof issue.input;
    return `expected ${issue.expected}, got ${got} ${JSON.stringify(issue.input)?.slice(0, 40) ?? ''}`.trim();
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest, in terms a person understands.
    const inner = issue.errors.flat();
    const specific = inner.find((i) => i.code !== 'invalid_type') ?? inner[0];
    return specific ? issueMessage(specific) : issue.message;
  }
  if (issue.code === 'invalid_value') return `${issue.message.replace(/^Invalid option: /, '')}`;
  return issue.message;
}

function schemaProblems(
  file: string,
  result: z.ZodSafeParseResult<CampaignFile>,
  locate: Locator,
): Problem[] {
  if (result.success) return [];
  const problems: Problem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          file,
          ...locate.at(issue.path as Path, key),
          field: formatField([...(issue.path as Path), key]),
          message: 'unknown field',
          hint: issueHint(issue),
        });
      }
      continue;
    }
    let path = issue.path as Path;
    let message = issueMessage(issue);
    if (issue.code === 'invalid_union') {
      const inner = issue.errors.flat();
      const specific = inner.find((i) => i.code !== 'invalid_type') ?? inner[0];
      if (specific) {
        path = [...path, ...(specific.path as Path)];
        message = issueMessage(specific);
      }
    }
    problems.push({
      file,
      ...locate.at(path),
      field: formatField(path),
      message,
      ...(issueHint(issue) ? { hint: issueHint(issue) } : {}),
    });
  }
  return problems;
}

function stripHash(tag: string): string {
  return tag.replace(/^#/, '');
}

const LONGEST_VALUES_CACHE = new Map<string, TemplateValues>();

/** The longest date, weekday and day number a message can get, so validation measures the worst case. */
function longestValues(campaign: Campaign): TemplateValues {
  const key = `${campaign.language}|${campaign.timezone}`;
  const cached = LONGEST_VALUES_CACHE.get(key);
  if (cached) return { ...cached, day: cached.day };
  const longest: TemplateValues = { date: '', weekday: '', time: '23:59', day: '9999' };
  const base = Date.UTC(2026, 0, 1, 12);
  for (let d = 0; d < 366; d++) {
    const v = dateValues(campaign, new Date(base + d * 86_400_000));
    if (v.date.length > longest.date.length) longest.date = v.date;
    if (v.weekday.length > longest.weekday.length) longest.weekday = v.weekday;
  }
  LONGEST_VALUES_CACHE.set(key, longest);
  return longest;
}

/** Semantic checks the schema cannot express: zone, times, cron, templates, lengths, spam. */
/** Size in bytes of a file next to the campaign file, or undefined when it cannot be read. */
export type FileSizeOf = (relativePath: string) => number | undefined;

/**
 * What to check beyond the schema. `posts: false` skips what only matters before posting (lengths
 * of every message, spacing of the slots): `status` reads campaigns for their schedule, and the bot
 * and `validate` always check everything.
 */
export interface CheckOptions {
  posts?: boolean;
  /** The image type a file next to the campaign file announces by its first bytes (null: none). */
  imageKindOf?: (relativePath: string) => ImageKind | null | undefined;
  /** Per-account length rules (a Mastodon instance's own limit, or MASTODON_MAX_CHARACTERS). */
  limits?: PlatformLengthSettings;
}

function buildCampaign(
  file: string,
  data: CampaignFile,
  locate: Locator,
  fileSize?: FileSizeOf,
  checks: CheckOptions = {},
): { campaign?: Campaign; problems: Problem[]; warnings: Problem[] } {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const problem = (path: Path, message: string, hint?: string, at = locate.at(path)) =>
    problems.push({ file, ...at, field: formatField(path), message, ...(hint ? { hint } : {}) });
  const warn = (path: Path, message: string, hint?: string) =>
    warnings.push({ file, ...locate.at(path), field: formatField(path), message, ...(hint ? { hint } : {}) });

  const tzOk = isValidTimeZone(data.timezone);
  if (!tzOk) {
    problem(
      ['timezone'],
      `unknown time zone "${data.timezone}"`,
      'Use an IANA name such as "Europe/London".',
    );
  }
  const tz = tzOk ? data.timezone : 'UTC';
  const start = parseCampaignDateTime(data.start, tz);
  if (!start) problem(['start'], `not a date-time: "${data.start}"`, 'Write e.g. "2026-03-22T09:00".');
  const end = data.end === undefined ? undefined : parseCampaignDateTime(data.end, tz);
  if (data.end !== undefined && !end)
    problem(['end'], `not a date-time: "${data.end}"`, 'Write e.g. "2026-04-05T18:00".');
  if (start && end && end <= start)
    problem(['end'], 'the campaign ends before it starts', 'Make end later than start.');

  const schedules: Schedule[] = [];
  data.schedules.forEach((schedule, i) => {
    if ('cron' in schedule) {
      try {
        parseCron(schedule.cron);
        schedules.push({ kind: 'cron', cron: schedule.cron.trim() });
      } catch (error) {
        problem(
          ['schedules', i, 'cron'],
          `invalid cron expression "${schedule.cron}": ${(error as Error).message}`,
          'Five fields: minute hour day-of-month month day-of-week, e.g. "0 9,18 * * *".',
        );
      }
    } else {
      const at: Date[] = [];
      schedule.at.forEach((text, j) => {
        const instant = parseCampaignDateTime(text, tz);
        if (instant) at.push(instant);
        else
          problem(['schedules', i, 'at', j], `not a date-time: "${text}"`, 'Write e.g. "2026-03-23T11:00".');
      });
      schedules.push({ kind: 'at', at });
    }
  });

  const quiet = data.quiet_hours;
  const id = data.id ?? basename(file, extname(file)).toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) {
    problem(
      ['id'],
      `the file name gives the id "${id}", which is not usable`,
      'Add an id: field (lower-case letters, digits, -).',
    );
  }
  const linkNames = Object.keys(data.links);

  // Duplicate texts would make "never the same text twice in a row" impossible to keep.
  const seen = new Map<string, number>();
  data.messages.forEach((message, i) => {
    const text = typeof message === 'string' ? message : message.text;
    const first = seen.get(text.trim());
    if (first !== undefined)
      problem(['messages', i], `same text as messages[${first}]`, 'Each message must differ.');
    else seen.set(text.trim(), i);
  });

  // Images: the file must be there and small enough for every network.
  if (fileSize) {
    data.messages.forEach((message, i) => {
      if (typeof message === 'string' || !message.image) return;
      const size = fileSize(message.image.file);
      const path: Path = ['messages', i, 'image', 'file'];
      if (size === undefined) {
        problem(
          path,
          `image file "${message.image.file}" not found`,
          'The path is relative to the campaign file.',
        );
      } else if (size > IMAGE_MAX_BYTES) {
        problem(
          path,
          `image is ${size} bytes; the limit is ${IMAGE_MAX_BYTES} (Bluesky)`,
          'Resize or compress it.',
        );
      } else if (checks.imageKindOf) {
        const kind = checks.imageKindOf(message.image.file);
        const named = kindOfName(message.image.file);
        if (!kind) {
          problem(
            path,
            `"${message.image.file}" is not a PNG, JPEG, GIF or WebP image (its first bytes are not an image's)`,
            'Export the picture again as PNG or JPEG and point file: at it.',
          );
        } else if (named && kind !== named) {
          problem(
            path,
            `"${message.image.file}" is a ${kind.toUpperCase()} image named as ${named.toUpperCase()}`,
            `Rename it to end in .${kind === 'jpeg' ? 'jpg' : kind}, so the networks are told its real type.`,
          );
        }
      }
    });
  }

  if (data.messages.length > MAX_MESSAGES) {
    problem(
      ['messages'],
      `${data.messages.length} messages; a campaign holds at most ${MAX_MESSAGES}`,
      'Split it into several campaigns, or keep the messages people will actually see.',
    );
  }
  // The same hashtag twice (in any case) is posted twice, or watched twice.
  const duplicateTags = (tags: readonly string[] | undefined, path: Path) => {
    const first = new Map<string, number>();
    tags?.forEach((tag, i) => {
      const key = stripHash(tag).toLowerCase();
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, i);
      else
        problem(
          [...path, i],
          `"${tag}" is the same hashtag as ${path.join('.')}[${earlier}]`,
          'List each hashtag once.',
        );
    });
  };
  duplicateTags(data.hashtags, ['hashtags']);
  duplicateTags(data.monitor_hashtags, ['monitor_hashtags']);
  for (const platform of PLATFORM_IDS) {
    duplicateTags(data.overrides[platform]?.hashtags, ['overrides', platform, 'hashtags']);
  }

  const hashtagWarnings = (tags: readonly string[], path: Path) => {
    tags.forEach((tag, i) => {
      const bare = stripHash(tag);
      if (bare.length >= 8 && bare === bare.toLowerCase() && /\p{Ll}/u.test(bare)) {
        warn(
          [...path, i],
          `"#${bare}" is all lower case`,
          'If it is several words, write it in CamelCase (e.g. #WeStandTogether): screen readers read it better.',
        );
      }
    });
  };
  hashtagWarnings(data.hashtags, ['hashtags']);
  if (data.monitor_hashtags) hashtagWarnings(data.monitor_hashtags, ['monitor_hashtags']);

  if (problems.length > 0 || !start) return { problems, warnings };

  const overrides: Record<string, unknown> = {};
  for (const entry of PLATFORM_REGISTRY) {
    const file = data.overrides[entry.id];
    if (!file) continue;
    const read = (entry as PlatformInfo).campaign.readOverride(file, stripHash);
    // An override that only could have set hashtags and did not is left out, as before.
    if (Object.keys(read).length > 0) overrides[entry.id] = read;
  }

  const campaign: Campaign = {
    id,
    file,
    name: data.name,
    ...(data.description ? { description: data.description } : {}),
    language: data.language,
    timezone: tz,
    start,
    ...(end ? { end } : {}),
    platforms: [...new Set(data.platforms)],
    paused: data.paused,
    rotation: data.rotation,
    schedules,
    messages: data.messages.map((m) => (typeof m === 'string' ? { text: m } : m)),
    hashtags: data.hashtags.map(stripHash),
    monitorHashtags: [
      ...new Set((data.monitor_hashtags ?? data.hashtags).map((t) => stripHash(t).toLowerCase())),
    ],
    links: data.links,
    ...(quiet ? { quietHours: { from: parseClock(quiet.from)!, to: parseClock(quiet.to)! } } : {}),
    graceMinutes: data.grace_minutes,
    alertAfterMinutes: data.alert_after,
    overrides: overrides as Campaign['overrides'],
    scoring: data.scoring ?? ScoringConfigSchema.parse({}),
  };

  // Templates: unknown variables and links, pointing at the character.
  const variants: Array<Platform | 'text'> = ['text', ...PLATFORM_IDS];
  const badTemplates = new Set<number>();
  data.messages.forEach((message, i) => {
    for (const variant of variants) {
      const template =
        typeof message === 'string' ? (variant === 'text' ? message : undefined) : message[variant];
      if (template === undefined) continue;
      const path: Path = typeof message === 'string' ? ['messages', i] : ['messages', i, variant];
      for (const p of checkTemplate(template, linkNames)) {
        badTemplates.add(i);
        problem(path, p.message, undefined, locate.inString(path, p.index));
      }
    }
  });

  if (checks.posts === false)
    return problems.length > 0 ? { problems, warnings } : { campaign, problems, warnings };

  // Lengths: every message on every platform, with the longest values its variables can take.
  const worst = longestValues(campaign);
  campaign.messages.forEach((message, i) => {
    if (badTemplates.has(i)) return;
    for (const platform of campaign.platforms) {
      const template = messageTemplate(campaign, i, platform);
      const text = fillMessage(campaign, template, platform, worst);
      // A content warning counts toward the length where the platform has them (Mastodon).
      const spoiler = postSettingsFor(campaign.overrides, platform).spoilerText;
      const m = measure(spoiler ? `${spoiler}${text}` : text, platform, checks.limits);
      if (m.fits) continue;
      const variantUsed = typeof data.messages[i] !== 'string' && message[platform] !== undefined;
      const path: Path =
        typeof data.messages[i] === 'string'
          ? ['messages', i]
          : ['messages', i, variantUsed ? platform : 'text'];
      const tags = hashtagsFor(campaign, platform).length;
      problem(
        path,
        `too long for ${platform}: ${describeMeasure(m)}` + (tags ? ` (hashtags included)` : ''),
        `Shorten it by ${m.length > m.limit ? m.length - m.limit : (m.bytes ?? 0) - (m.byteLimit ?? 0)}` +
          `${m.length > m.limit ? ` ${m.unit}` : ' bytes'}, or add a shorter "${platform}:" variant.`,
      );
    }
  });

  // The public page: share messages against every network's limit (src/campaign/share.ts).
  if (data.share && problems.length === 0) {
    const resolved = resolveShare(campaign, data.share);
    for (const p of resolved.problems)
      problem(
        p.path,
        p.message,
        p.hint,
        p.index === undefined ? undefined : locate.inString(p.path, p.index),
      );
    if (resolved.share) campaign.share = resolved.share;
  }

  if (problems.length === 0 && campaign.schedules.length > 0) {
    const gap = smallestGapMinutes(campaign);
    if (gap !== undefined && gap < MIN_MINUTES_BETWEEN_POSTS) {
      problem(
        ['schedules'],
        `posts would be ${gap} minute(s) apart; the minimum is ${MIN_MINUTES_BETWEEN_POSTS}`,
        'Posting more often reads as spam and gets accounts limited. Space the schedules out.',
      );
    }
    if (
      campaign.messages.length < 2 &&
      (gap !== undefined || campaign.schedules.some((s) => s.kind === 'cron'))
    ) {
      problem(
        ['messages'],
        'only one message for more than one slot: the same text would be posted again and again',
        'Add at least one more message (networks also reject exact duplicates).',
      );
    }
  }
  return problems.length > 0 ? { problems, warnings } : { campaign, problems, warnings };
}

/** Validates one campaign file's text; never throws for bad content. */
export function validateCampaignText(
  file: string,
  text: string,
  fileSize?: FileSizeOf,
  checks: CheckOptions = {},
): Validation {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locate = new Locator(doc, lines);
  if (doc.errors.length > 0) {
    return {
      file,
      problems: doc.errors.map((error) => {
        const pos = lines.linePos(error.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          field: '(syntax)',
          message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, ''),
          hint: 'Fix the YAML/JSON syntax here (indentation, quotes, colons).',
        };
      }),
      warnings: [],
    };
  }
  const raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      file,
      problems: [
        {
          file,
          line: 1,
          column: 1,
          field: '(top level)',
          message: 'a campaign file must be a mapping of fields',
        },
      ],
      warnings: [],
    };
  }
  const first = CampaignFileSchema.safeParse(raw, { reportInput: true });
  if (first.success) return { file, ...buildCampaign(file, first.data, locate, fileSize, checks) };
  const problems = schemaProblems(file, first, locate);
  // Keep checking what can be checked: without the optional fields that failed, the rest
  // (times, templates, lengths) may still be valid, and the organiser should hear of it all now.
  const lenient = { ...(raw as Record<string, unknown>) };
  for (const issue of first.error.issues) {
    if (issue.path.length === 0 && issue.code === 'unrecognized_keys')
      for (const key of issue.keys) delete lenient[key];
    else if (typeof issue.path[0] === 'string' && !REQUIRED_FIELDS.has(issue.path[0]))
      delete lenient[issue.path[0]];
  }
  const second = CampaignFileSchema.safeParse(lenient);
  if (!second.success) return { file, problems, warnings: [] };
  // Templates still need the link names of a links block that failed (its URLs as written).
  const rawLinks = (raw as Record<string, unknown>).links;
  if (!('links' in lenient) && rawLinks && typeof rawLinks === 'object' && !Array.isArray(rawLinks)) {
    second.data.links = Object.fromEntries(Object.entries(rawLinks).map(([k, v]) => [k, String(v)]));
  }
  const rest = buildCampaign(file, second.data, locate, fileSize, checks);
  return { file, problems: [...problems, ...rest.problems], warnings: rest.warnings };
}

/** Validates a campaign file on disk. */
export function validateCampaignFile(
  path: string,
  cwd = process.cwd(),
  checks: CheckOptions = {},
): Validation {
  const file = relative(cwd, path) || path;
  let bytes: Buffer;
  try {
    if (statSync(path).size > MAX_CAMPAIGN_BYTES) {
      const size = statSync(path).size;
      return fileProblem(
        file,
        1,
        1,
        `the file is ${size} bytes; a campaign file is at most ${MAX_CAMPAIGN_BYTES} (1 MB)`,
        'A campaign is a page of text: keep only the campaign in it.',
      );
    }
    bytes = readFileSync(path);
  } catch (error) {
    throw new SolidarityError(
      'CAMPAIGN_NOT_FOUND',
      `Cannot read campaign file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      {
        hint: 'Check the path; campaign files live in campaigns/ and end in .yaml, .yml or .json.',
      },
    );
  }
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    const at = lineColumnOfByte(bytes, bad);
    return fileProblem(
      file,
      at.line,
      at.column,
      `not UTF-8: byte ${bad} (0x${bytes[bad]!.toString(16).padStart(2, '0')}) starts no valid character`,
      'Save the file as UTF-8 (most editors: "Save with encoding" → UTF-8); Latin-1 and Windows-1252 accents look like this.',
    );
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (extname(path).toLowerCase() === '.json') {
    const json = strictJsonProblem(text);
    if (json) {
      const at = lineColumnOf(text, json.offset);
      return fileProblem(
        file,
        at.line,
        at.column,
        `not valid JSON: ${json.message}`,
        'A .json file must be strict JSON (no trailing commas, comments or single quotes); or rename it .yaml.',
      );
    }
  }
  return validateCampaignText(
    file,
    text,
    (relativePath) => {
      try {
        return statSync(resolve(dirname(path), relativePath)).size;
      } catch {
        return undefined;
      }
    },
    {
      imageKindOf: (relativePath) => {
        try {
          const fd = openSync(resolve(dirname(path), relativePath), 'r');
          try {
            const head = Buffer.alloc(16);
            readSync(fd, head, 0, 16, 0);
            return imageKind(head) ?? null;
          } finally {
            closeSync(fd);
          }
        } catch {
          return undefined;
        }
      },
      ...checks,
    },
  );
}

function fileProblem(file: string, line: number, column: number, message: string, hint: string): Validation {
  return { file, problems: [{ file, line, column, field: '(file)', message, hint }], warnings: [] };
}

function invalid(validations: Validation[]): SolidarityError {
  const failed = validations.filter((v) => v.problems.length > 0);
  const count = failed.reduce((n, v) => n + v.problems.length, 0);
  return new SolidarityError(
    'CAMPAIGN_INVALID',
    `${count} problem(s) in ${failed.map((v) => v.file).join(', ')}.`,
    {
      details: failed.flatMap((v) => v.problems.map((p) => formatProblem(p))),
      hint: 'Fix each line above, then run: npx solidarity validate ' + failed.map((v) => v.file).join(' '),
    },
  );
}

/** Loads one valid campaign or throws CAMPAIGN_INVALID listing every problem. */
export function loadCampaign(path: string, checks: CheckOptions = {}): Campaign {
  const validation = validateCampaignFile(path, process.cwd(), checks);
  if (!validation.campaign) throw invalid([validation]);
  return validation.campaign;
}

const REQUIRED_FIELDS = new Set(['name', 'timezone', 'start', 'platforms', 'schedules', 'messages']);

export const CAMPAIGN_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** The campaign files in a folder (not schema.json). */
export function campaignFiles(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    entries = readdirSync(dir);
  } catch {
    throw new SolidarityError('CAMPAIGN_NOT_FOUND', `The campaigns folder ${dir} does not exist.`, {
      hint: 'Create it, or set SOLIDARITY_CAMPAIGNS_DIR to the folder that holds your campaign files.',
    });
  }
  return entries
    .filter((name) => CAMPAIGN_EXTENSIONS.includes(extname(name).toLowerCase()) && name !== 'schema.json')
    .sort()
    .map((name) => join(dir, name));
}

/** Loads every campaign in a folder; throws listing every problem in every file. */
export function loadCampaigns(dir: string, checks: CheckOptions = {}): Campaign[] {
  const validations = campaignFiles(dir).map((file) => validateCampaignFile(file, process.cwd(), checks));
  if (validations.some((v) => v.problems.length > 0)) throw invalid(validations);
  const campaigns = validations.map((v) => v.campaign!);
  const byId = new Map<string, Campaign>();
  for (const c of campaigns) {
    const other = byId.get(c.id);
    if (other) {
      throw new SolidarityError(
        'CAMPAIGN_DUPLICATE',
        `${c.file} and ${other.file} both have the id "${c.id}".`,
        {
          hint: 'Give one of them a different id: field.',
        },
      );
    }
    byId.set(c.id, c);
  }
  return campaigns;
}
