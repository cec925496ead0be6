/**
 * The error catalogue: every error a person can meet has a stable code, a message that says
 * what happened and what to do, and an exit code. README.md documents every code (a test checks).
 */

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  config: 3,
  auth: 4,
  platform: 5,
  store: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface CatalogueEntry {
  exit: ExitCode;
  /** What the code means, as the README lists it. */
  summary: string;
}

export const CATALOGUE = {
  USAGE: {
    exit: EXIT.usage,
    summary: 'The command line is wrong: unknown command, option or missing argument.',
  },
  UNEXPECTED: {
    exit: EXIT.unexpected,
    summary: 'A bug: something failed that should not. Run again with --debug.',
  },
  ENV_INVALID: {
    exit: EXIT.config,
    summary: 'An environment variable (or .env entry) has a value that cannot be used.',
  },
  CAMPAIGN_NOT_FOUND: {
    exit: EXIT.config,
    summary: 'A campaign file or folder does not exist or cannot be read.',
  },
  CAMPAIGN_INVALID: {
    exit: EXIT.config,
    summary: 'A campaign file breaks the schema or a platform limit; every problem is listed.',
  },
  CAMPAIGN_DUPLICATE: { exit: EXIT.config, summary: 'Two campaign files use the same campaign id.' },
  CAMPAIGN_UNKNOWN: {
    exit: EXIT.config,
    summary: 'No loaded campaign has the id given on the command line.',
  },
  PLATFORM_NOT_CONFIGURED: {
    exit: EXIT.config,
    summary: 'A campaign asks for a platform whose credentials are not set in .env.',
  },
  INPUT_INVALID: {
    exit: EXIT.usage,
    summary: 'Input on stdin or in a file given to a command is not what it expects.',
  },
  SCORING_DATA_INVALID: {
    exit: EXIT.config,
    summary:
      'A scoring lexicon or model file in src/scoring/data is missing or malformed; the file is named.',
  },
  X_AUTH_FAILED: { exit: EXIT.auth, summary: 'X rejected the credentials (401/403).' },
  BLUESKY_AUTH_FAILED: { exit: EXIT.auth, summary: 'Bluesky rejected the identifier or app password.' },
  MASTODON_AUTH_FAILED: {
    exit: EXIT.auth,
    summary: 'The Mastodon instance rejected the access token (401/403).',
  },
  DASHBOARD_AUTH: { exit: EXIT.auth, summary: 'A moderator account problem: unknown name, wrong password.' },
  MODERATOR_INVALID: {
    exit: EXIT.usage,
    summary:
      'A moderator account cannot be added or changed: bad name, name taken, weak password, last admin.',
  },
  FLAG_NOT_FOUND: { exit: EXIT.usage, summary: 'No flag in the review queue has the id given.' },
  REVIEW_NOT_ALLOWED: {
    exit: EXIT.usage,
    summary: "The decision is not allowed in the flag's current state (the allowed ones are listed).",
  },
  DASHBOARD_LISTEN: {
    exit: EXIT.config,
    summary: 'The dashboard cannot listen on DASHBOARD_HOST:DASHBOARD_PORT (port in use, bad address).',
  },
  SITE_LISTEN: {
    exit: EXIT.config,
    summary: 'The share site cannot listen on SITE_HOST:SITE_PORT (port in use, bad address).',
  },
  SITE_OUTPUT: {
    exit: EXIT.config,
    summary: 'The share site cannot be written to the folder given with --out.',
  },
  PLATFORM_ERROR: {
    exit: EXIT.platform,
    summary: 'A platform answered with an error the bot could not recover from.',
  },
  RATE_LIMITED: {
    exit: EXIT.platform,
    summary: 'A platform rate limit is in force; the bot waits for its reset.',
  },
  MENTIONS_FILE_INVALID: {
    exit: EXIT.config,
    summary:
      'The mentions file to replay in local mode (SOLIDARITY_SAMPLE_MENTIONS) is missing or unreadable.',
  },
  X_READ_BUDGET_EXHAUSTED: {
    exit: EXIT.platform,
    summary:
      'A campaign used its daily X read budget (X_READ_BUDGET_PER_DAY); X monitoring waits for the next UTC day.',
  },
  X_GAP: {
    exit: EXIT.platform,
    summary:
      'X monitoring was down longer than recent search reaches back (7 days); older posts are not read.',
  },
  BLUESKY_GAP: {
    exit: EXIT.platform,
    summary: 'Bluesky monitoring was down longer than Jetstream keeps events and could not backfill the gap.',
  },
  STORE_LOCKED: {
    exit: EXIT.store,
    summary: 'Another running bot holds the data folder lock (its PID is named).',
  },
  STORE_LEASE_LOST: {
    exit: EXIT.store,
    summary:
      'The posting instance lost its lease on the database (its connection broke) and stopped, so that another one posts.',
  },
  STORE_CORRUPT: {
    exit: EXIT.store,
    summary: 'A file in the data folder cannot be read; it is named with its line and left untouched.',
  },
  STORE_VERSION: {
    exit: EXIT.store,
    summary:
      'The data folder was written by another version of the bot: a newer one (upgrade), or an older one not yet migrated (run `solidarity store migrate`).',
  },
  STORE_IO: { exit: EXIT.store, summary: 'The data folder cannot be written (permissions, disk full).' },
  STORE_DATABASE: {
    exit: EXIT.store,
    summary:
      'The PostgreSQL database in STORE_URL cannot be reached or refused a statement (address, credentials, permissions, disk).',
  },
  STORE_COPY_MISMATCH: {
    exit: EXIT.store,
    summary:
      '`store copy` finished, but the target holds different counts than the source (each difference is listed); do not switch to it.',
  },
  STORE_UNAVAILABLE: {
    exit: EXIT.store,
    summary: 'STORE_URL names a store backend this installation cannot open.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof CATALOGUE;

/** An error meant for a person: printed as one paragraph, never as a stack trace. */
export class SolidarityError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly details: readonly string[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; details?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SolidarityError';
    this.code = code;
    this.exitCode = CATALOGUE[code].exit;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }

  /** The text a person sees: code, message, one line per detail, and the hint. */
  describe(): string {
    const lines = [`${this.code}: ${this.message}`];
    for (const detail of this.details) lines.push(`  ${detail}`);
    if (this.hint) lines.push(`Hint: ${this.hint}`);
    return lines.join('\n');
  }
}

export function isSolidarityError(error: unknown): error is SolidarityError {
  return error instanceof SolidarityError;
}
