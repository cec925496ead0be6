/**
 * Every CLI command, in the order `solidarity --help` lists them. Only names and summaries are
 * here: a command's module (and whatever it imports, SDKs included) loads when that command runs,
 * so `--help` and the read-only commands start in a fraction of a second.
 */
import type { Command } from '../command.ts';

export interface CommandEntry {
  name: string;
  /** The same sentence as the command's own `summary` (a test keeps them equal). */
  summary: string;
  load(): Promise<Command>;
}

const moderator = async (name: string): Promise<Command> => {
  const [{ moderatorCommands }, { openCliStore }] = await Promise.all([
    import('./moderator.ts'),
    import('../store-access.ts'),
  ]);
  return pick(moderatorCommands(openCliStore), name);
};

const review = async (name: string): Promise<Command> => {
  const [{ reviewCommands }, { openCliStore }] = await Promise.all([
    import('./review.ts'),
    import('../store-access.ts'),
  ]);
  return pick(reviewCommands(openCliStore), name);
};

function pick(commands: Command[], name: string): Command {
  const found = commands.find((c) => c.name === name);
  if (!found) throw new Error(`The command index lists "${name}" but its module does not define it.`);
  return found;
}

export const COMMAND_INDEX: CommandEntry[] = [
  {
    name: 'start',
    summary: 'Run the bot: schedule and post every campaign in campaigns/ (local mode without credentials)',
    load: async () => (await import('./start.ts')).startCommand,
  },
  {
    name: 'status',
    summary:
      'Show what the bot has done and will do: next slot, last post, pending posts, limits, logins, mentions, alerts',
    load: async () => (await import('./status.ts')).statusCommand,
  },
  {
    name: 'validate',
    summary: 'Check campaign files: schema, times, templates, platform lengths',
    load: async () => (await import('./validate.ts')).validateCommand,
  },
  {
    name: 'preview',
    summary: 'Show the next posts of a campaign: when, where, the final text and its length',
    load: async () => (await import('./preview.ts')).previewCommand,
  },
  {
    name: 'post-now',
    summary: "Post a campaign's next message at once (to every platform, or one)",
    load: async () => (await import('./post-now.ts')).postNowCommand,
  },
  {
    name: 'pause',
    summary: 'Stop one campaign posting, at once and without restarting the bot',
    load: async () => (await import('./pause.ts')).pauseCommand,
  },
  {
    name: 'resume',
    summary: 'Let a paused campaign post again from its next slot',
    load: async () => (await import('./resume.ts')).resumeCommand,
  },
  {
    name: 'stop-all',
    summary: 'Emergency stop: no campaign posts on any platform until resume-all',
    load: async () => (await import('./stop-all.ts')).stopAllCommand,
  },
  {
    name: 'resume-all',
    summary: 'Lift the emergency stop',
    load: async () => (await import('./resume-all.ts')).resumeAllCommand,
  },
  {
    name: 'schema',
    summary: 'Print (or write) the JSON Schema of campaign files, for editor autocompletion',
    load: async () => (await import('./schema.ts')).schemaCommand,
  },
  {
    name: 'score',
    summary: 'Score posts for hate content: JSON lines {"id","text"} on stdin, verdicts on stdout',
    load: async () => (await import('./score.ts')).scoreCommand,
  },
  {
    name: 'export',
    summary: 'Stream activity events as JSON Lines or CSV (evidence, analysis)',
    load: async () => (await import('./export.ts')).exportCommand,
  },
  {
    name: 'store verify',
    summary: 'Check every data file (or the database) and report counts (read-only, safe while the bot runs)',
    load: async () => (await import('./store-verify.ts')).storeVerifyCommand,
  },
  {
    name: 'store prune',
    summary: 'Apply the retention policy now (the running bot also does it daily)',
    load: async () => (await import('./store-prune.ts')).storePruneCommand,
  },
  {
    name: 'store migrate',
    summary: 'Migrate a data folder or database written by an older version (the bot also does it on start)',
    load: async () => (await import('./store-migrate.ts')).storeMigrateCommand,
  },
  {
    name: 'store copy',
    summary:
      'Copy everything from one store to another, empty one (file ↔ PostgreSQL), then check the counts',
    load: async () => (await import('./store-copy.ts')).storeCopyCommand,
  },
  {
    name: 'dashboard',
    summary: 'Run the review dashboard alone (no posting, no monitoring)',
    load: async () => (await import('./dashboard.ts')).dashboardCommand,
  },
  {
    name: 'site build',
    summary: 'Write the public campaign pages (share buttons, QR code, posters) as a static site',
    load: async () => (await import('./site-build.ts')).siteBuildCommand,
  },
  {
    name: 'moderator add',
    summary: 'Add a dashboard account (prints a one-time password)',
    load: () => moderator('moderator add'),
  },
  {
    name: 'moderator list',
    summary: 'List dashboard accounts and their roles',
    load: () => moderator('moderator list'),
  },
  {
    name: 'moderator disable',
    summary: 'Disable an account (it can no longer log in; its sessions end)',
    load: () => moderator('moderator disable'),
  },
  {
    name: 'moderator enable',
    summary: 'Enable a disabled account',
    load: () => moderator('moderator enable'),
  },
  {
    name: 'moderator reset',
    summary: 'Give an account a new one-time password (for a forgotten password)',
    load: () => moderator('moderator reset'),
  },
  {
    name: 'review list',
    summary: 'List flags in the review queue (unresolved, newest first)',
    load: () => review('review list'),
  },
  {
    name: 'review show',
    summary: 'Show one flag: text, reasons, decisions',
    load: () => review('review show'),
  },
  {
    name: 'review ack',
    summary: 'Acknowledge flags (someone is looking at them)',
    load: () => review('review ack'),
  },
  {
    name: 'review escalate',
    summary: 'Escalate flags for a senior moderator or the police',
    load: () => review('review escalate'),
  },
  { name: 'review resolve', summary: 'Resolve flags with an outcome', load: () => review('review resolve') },
  {
    name: 'review dismiss',
    summary: 'Dismiss flags as false positives (reason optional)',
    load: () => review('review dismiss'),
  },
  {
    name: 'review comment',
    summary: 'Add a note to flags without changing their state',
    load: () => review('review comment'),
  },
  {
    name: 'review reopen',
    summary: 'Reopen resolved or dismissed flags decided in error',
    load: () => review('review reopen'),
  },
  {
    name: 'review export',
    summary: 'Export evidence for flags as CSV or JSON (with SHA-256 of each text)',
    load: () => review('review export'),
  },
  {
    name: 'review false-positives',
    summary: 'Re-score dismissed flags: how many the current scorer would still flag, by rule',
    load: () => review('review false-positives'),
  },
];

/** Every command loaded (for docs and tests; the CLI itself loads only the one it runs). */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMAND_INDEX.map((entry) => entry.load()));
}
