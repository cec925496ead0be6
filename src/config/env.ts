/**
 * Every environment variable the bot reads, in one place, validated. `.env` in the working
 * directory is loaded first (real environment variables win). README.md and .env.example list
 * the same variables; a test checks they agree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { SolidarityError } from '../errors.ts';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const port = z.coerce.number().int().min(0).max(65535);

export const ENV_SCHEMA = z.object({
  SOLIDARITY_DATA_DIR: z.string().default('data'),
  STORE_URL: optionalString.refine(
    (v) => v === undefined || /^(file:|postgres(ql)?:\/\/.)/i.test(v),
    'use file:<folder> (the file store) or postgres://USER:PASSWORD@HOST:5432/DATABASE',
  ),
  SOLIDARITY_CAMPAIGNS_DIR: z.string().default('campaigns'),
  SOLIDARITY_MODE: z.enum(['auto', 'local', 'live']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SOLIDARITY_SAMPLE_MENTIONS: z.string().default('campaigns/sample-mentions.jsonl'),
  BLUESKY_SERVICE: z.url().default('https://bsky.social'),
  BLUESKY_IDENTIFIER: optionalString,
  BLUESKY_APP_PASSWORD: optionalString,
  JETSTREAM_URL: z.url().default('wss://jetstream2.us-east.bsky.network/subscribe'),
  BLUESKY_APPVIEW_URL: z.url().default('https://public.api.bsky.app'),
  X_API_KEY: optionalString,
  X_API_SECRET: optionalString,
  X_ACCESS_TOKEN: optionalString,
  X_ACCESS_SECRET: optionalString,
  X_BEARER_TOKEN: optionalString,
  X_API_BASE_URL: z.url().optional(),
  X_PRICE_PER_POST_USD: z.coerce.number().min(0).default(0.01),
  X_PRICE_PER_POST_WITH_URL_USD: z.coerce.number().min(0).default(0.2),
  X_PRICE_PER_READ_USD: z.coerce.number().min(0).default(0.005),
  X_READ_BUDGET_PER_DAY: z.coerce.number().int().min(0).default(1000),
  X_SEARCH_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(60),
  MASTODON_URL: z.url({ protocol: /^https?$/ }).optional(),
  MASTODON_ACCESS_TOKEN: optionalString,
  MASTODON_MAX_CHARACTERS: z.coerce.number().int().min(1).default(500),
  MASTODON_CHARACTERS_RESERVED_PER_URL: z.coerce.number().int().min(1).default(23),
  MASTODON_VISIBILITY: z.enum(['public', 'unlisted', 'private']).default('public'),
  MASTODON_STREAMING: z.enum(['auto', 'off']).default('auto'),
  MASTODON_POLL_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(60),
  JETSTREAM_RETENTION_HOURS: z.coerce.number().min(0).default(24),
  SOLIDARITY_SAMPLE_INTERVAL_MS: z.coerce.number().int().min(0).default(300),
  DASHBOARD_HOST: z.string().default('127.0.0.1'),
  DASHBOARD_PORT: port.default(3000),
  DASHBOARD_SECURE_COOKIE: z.enum(['auto', 'true', 'false']).default('auto'),
  DASHBOARD_TRUST_PROXY: z
    .string()
    .trim()
    .regex(
      /^(true|false|[1-9]\d?|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      'use false, true (one proxy), the number of proxies in front, or their addresses separated by commas',
    )
    .default('false'),
  SITE_HOST: z.string().default('127.0.0.1'),
  SITE_PORT: port.default(3001),
  SITE_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  SITE_COUNT_TAPS: z.enum(['true', 'false']).default('false'),
  SOLIDARITY_RETENTION_UNFLAGGED_DAYS: z.coerce.number().int().min(0).default(7),
  SOLIDARITY_RETENTION_FLAGGED_DAYS: z.coerce.number().int().min(0).default(90),
  SOLIDARITY_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).default(14),
});

export type Env = z.infer<typeof ENV_SCHEMA>;

/** Names that hold secrets: never logged, never printed. */
export const SECRET_ENV = [
  'BLUESKY_APP_PASSWORD',
  'X_API_SECRET',
  'X_ACCESS_TOKEN',
  'X_ACCESS_SECRET',
  'X_BEARER_TOKEN',
  'MASTODON_ACCESS_TOKEN',
  // A database URL carries its password.
  'STORE_URL',
] as const;

/** Reads `.env` (if present) under the real environment and validates the result. */
export function loadEnv(
  source: NodeJS.ProcessEnv = process.env,
  options: { dotenvPath?: string | null } = {},
): Env {
  const dotenvPath = options.dotenvPath === undefined ? resolve('.env') : options.dotenvPath;
  let fromFile: Record<string, string> = {};
  if (dotenvPath && existsSync(dotenvPath)) fromFile = parseDotenv(readFileSync(dotenvPath));
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(source)) if (value !== undefined) merged[key] = value;
  // An empty value (as in a copied .env.example) means "not set", so the default applies.
  for (const key of Object.keys(merged)) if (merged[key]?.trim() === '') delete merged[key];
  const known = Object.keys(ENV_SCHEMA.shape);
  const picked = Object.fromEntries(known.map((k) => [k, merged[k]]).filter(([, v]) => v !== undefined));
  const result = ENV_SCHEMA.safeParse(picked);
  if (!result.success) {
    const details = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const shown = (SECRET_ENV as readonly string[]).includes(name)
        ? '(hidden)'
        : JSON.stringify(picked[name]);
      return `${name}=${shown}: ${issue.message}`;
    });
    throw new SolidarityError('ENV_INVALID', 'Some environment variables have values that cannot be used.', {
      details,
      hint: `Fix them in ${dotenvPath ?? 'the environment'} (see .env.example for every variable and its meaning).`,
    });
  }
  return result.data;
}

export interface XCredentials {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

export interface BlueskyCredentials {
  service: string;
  identifier: string;
  password: string;
}

/** X credentials when all four OAuth 1.0a values are set; throws when only some are. */
export function xCredentials(env: Env): XCredentials | undefined {
  const values = {
    X_API_KEY: env.X_API_KEY,
    X_API_SECRET: env.X_API_SECRET,
    X_ACCESS_TOKEN: env.X_ACCESS_TOKEN,
    X_ACCESS_SECRET: env.X_ACCESS_SECRET,
  };
  const missing = Object.entries(values)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length === 4) return undefined;
  if (missing.length > 0) {
    throw new SolidarityError('ENV_INVALID', 'X credentials are only partly set.', {
      details: missing.map((name) => `${name} is missing`),
      hint: 'Set all four of X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN, X_ACCESS_SECRET in .env, or none of them.',
    });
  }
  return {
    appKey: values.X_API_KEY!,
    appSecret: values.X_API_SECRET!,
    accessToken: values.X_ACCESS_TOKEN!,
    accessSecret: values.X_ACCESS_SECRET!,
  };
}

/** Bluesky credentials when both are set; throws when only one is. */
export function blueskyCredentials(env: Env): BlueskyCredentials | undefined {
  const { BLUESKY_IDENTIFIER: identifier, BLUESKY_APP_PASSWORD: password } = env;
  if (!identifier && !password) return undefined;
  if (!identifier || !password) {
    const missing = identifier ? 'BLUESKY_APP_PASSWORD' : 'BLUESKY_IDENTIFIER';
    throw new SolidarityError(
      'ENV_INVALID',
      `Bluesky credentials are only partly set: ${missing} is missing.`,
      {
        hint: 'Set both BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD (an app password, not your account password).',
      },
    );
  }
  return { service: env.BLUESKY_SERVICE, identifier, password };
}

export interface MastodonCredentials {
  /** The instance, e.g. https://mastodon.social. */
  url: string;
  accessToken: string;
}

/** Mastodon credentials when both the instance and the token are set; throws when only one is. */
export function mastodonCredentials(env: Env): MastodonCredentials | undefined {
  const { MASTODON_URL: url, MASTODON_ACCESS_TOKEN: accessToken } = env;
  if (!url && !accessToken) return undefined;
  if (!url || !accessToken) {
    const missing = url ? 'MASTODON_ACCESS_TOKEN' : 'MASTODON_URL';
    throw new SolidarityError('ENV_INVALID', `Mastodon is half configured: ${missing} is not set.`, {
      hint: 'Set both MASTODON_URL (the instance, e.g. https://mastodon.social) and MASTODON_ACCESS_TOKEN (Preferences → Development → New application, scopes read and write:statuses write:media), or neither.',
    });
  }
  return { url: url.replace(/\/+$/, ''), accessToken };
}

/**
 * What each variable is for, in the words README.md and .env.example use (`npm run docs`
 * regenerates both from this). Grouped as the files show them.
 */
export const ENV_DOCS = {
  SOLIDARITY_MODE: [
    'General',
    '`auto`: local mode unless credentials are set; `local`: never post to a network; `live`: post for real.',
  ],
  SOLIDARITY_DATA_DIR: ['General', 'Folder for the store, outbox and logs.'],
  SOLIDARITY_CAMPAIGNS_DIR: ['General', 'Folder of campaign files that `start` loads.'],
  LOG_LEVEL: ['General', 'Log level: fatal, error, warn, info, debug, trace or silent.'],
  SOLIDARITY_LOG_RETENTION_DAYS: [
    'General',
    'Days to keep the daily log files in data/logs (older ones are deleted at start and at midnight UTC).',
  ],
  SOLIDARITY_SAMPLE_MENTIONS: ['General', 'Sample mention stream replayed in local mode (JSON Lines).'],
  SOLIDARITY_SAMPLE_INTERVAL_MS: [
    'General',
    'Pause between replayed sample mentions in local mode, in ms (0: as fast as possible).',
  ],
  SOLIDARITY_RETENTION_UNFLAGGED_DAYS: [
    'Store',
    'Days to keep the text of mentions that were not flagged (counts are kept).',
  ],
  SOLIDARITY_RETENTION_FLAGGED_DAYS: [
    'Store',
    'Days to keep flagged mentions after they are resolved or dismissed.',
  ],
  STORE_URL: [
    'Store',
    'Where the store keeps its data: `file:<folder>` (the file store; unset or `file:` means the folder SOLIDARITY_DATA_DIR) or `postgres://USER:PASSWORD@HOST:5432/DATABASE` (PostgreSQL). Logs and the local outbox stay in SOLIDARITY_DATA_DIR either way. Secret when it holds a password.',
  ],
  BLUESKY_SERVICE: ['Bluesky', 'Your PDS (where the account lives).'],
  BLUESKY_IDENTIFIER: ['Bluesky', 'Handle or DID of the campaign account.'],
  BLUESKY_APP_PASSWORD: [
    'Bluesky',
    'An app password (Settings → Privacy and security → App passwords), never the account password. Secret.',
  ],
  JETSTREAM_URL: ['Bluesky', 'Jetstream WebSocket endpoint for live mentions.'],
  JETSTREAM_RETENTION_HOURS: [
    'Bluesky',
    'How far back Jetstream can replay; longer monitoring downtime is backfilled with search (needs the credentials above).',
  ],
  BLUESKY_APPVIEW_URL: ['Bluesky', 'AppView where the handles of mention authors are looked up.'],
  X_API_KEY: ['X', 'API key (consumer key) of your X app.'],
  X_API_SECRET: ['X', 'API key secret. Secret.'],
  X_ACCESS_TOKEN: [
    'X',
    'Access token of the campaign account (OAuth 1.0a user context, read and write). Secret.',
  ],
  X_ACCESS_SECRET: ['X', 'Access token secret. Secret.'],
  X_BEARER_TOKEN: ['X', 'App bearer token, for recent search when monitoring. Secret.'],
  X_API_BASE_URL: ['X', 'Override the X API address (tests point it at a local fake). Leave empty.'],
  X_PRICE_PER_POST_USD: ['X', 'Your price per post, for the cost estimate in `preview`.'],
  X_PRICE_PER_POST_WITH_URL_USD: ['X', 'Your price per post that holds a URL.'],
  X_PRICE_PER_READ_USD: ['X', 'Your price per post read by search (monitoring budget).'],
  X_READ_BUDGET_PER_DAY: [
    'X',
    'Posts X monitoring may read per campaign per UTC day; then it waits for the next day (X bills every read).',
  ],
  X_SEARCH_INTERVAL_SECONDS: ['X', 'Pause between X recent-search cycles when monitoring (minimum 5).'],
  MASTODON_URL: [
    'Mastodon',
    'Address of the instance the campaign account is on, e.g. https://mastodon.social.',
  ],
  MASTODON_ACCESS_TOKEN: [
    'Mastodon',
    'Access token of the campaign account (Preferences → Development → New application; scopes read, write:statuses, write:media). Secret.',
  ],
  MASTODON_MAX_CHARACTERS: [
    'Mastodon',
    "Characters per post when the instance cannot be asked (`validate` offline); live, the instance's own limit wins.",
  ],
  MASTODON_CHARACTERS_RESERVED_PER_URL: [
    'Mastodon',
    'Characters every URL counts for when the instance cannot be asked (Mastodon: 23).',
  ],
  MASTODON_VISIBILITY: [
    'Mastodon',
    "Default visibility of campaign posts: public, unlisted or private (a campaign's overrides.mastodon.visibility wins).",
  ],
  MASTODON_STREAMING: [
    'Mastodon',
    '`auto`: read mentions from the streaming API when the instance offers it, else poll the hashtag timeline; `off`: always poll.',
  ],
  MASTODON_POLL_INTERVAL_SECONDS: [
    'Mastodon',
    'Pause between hashtag-timeline reads when monitoring polls (minimum 5).',
  ],
  DASHBOARD_HOST: [
    'Dashboard',
    'Address the review dashboard binds to. Keep 127.0.0.1 unless a reverse proxy with HTTPS is in front.',
  ],
  DASHBOARD_PORT: ['Dashboard', 'Port of the review dashboard.'],
  DASHBOARD_SECURE_COOKIE: [
    'Dashboard',
    '`auto`: Secure cookie when the request came over HTTPS; `true`/`false` to force.',
  ],
  DASHBOARD_TRUST_PROXY: [
    'Dashboard',
    'Only behind your own reverse proxy: `true` (one proxy), the number of proxies in front, or their addresses (`10.0.0.2,10.0.0.3`). The client address (for the login limit) is the one the last trusted proxy saw; HTTPS comes from X-Forwarded-Proto.',
  ],
  SITE_HOST: [
    'Share site',
    'Address the public campaign pages bind to in `start`. Keep 127.0.0.1 unless a reverse proxy is in front.',
  ],
  SITE_PORT: ['Share site', 'Port of the public campaign pages (no login; separate from the dashboard).'],
  SITE_BASE_URL: [
    'Share site',
    'Public address of the campaign pages, for their QR codes, share links and previews (default: http://SITE_HOST:SITE_PORT/).',
  ],
  SITE_COUNT_TAPS: [
    'Share site',
    '`true`: count share-button taps per day and network (no address, no cookie), shown on the dashboard overview.',
  ],
} as const satisfies Record<keyof typeof ENV_SCHEMA.shape, readonly [string, string]>;

/** The default of a variable as text ('' when it has none). */
export function envDefault(name: keyof typeof ENV_SCHEMA.shape): string {
  const result = ENV_SCHEMA.shape[name].safeParse(undefined);
  return result.success && result.data !== undefined ? String(result.data) : '';
}
