/**
 * The composition root: configuration, logger, clock and platform adapters are built once here
 * and passed down. Nothing else reads the environment.
 */
import { join, resolve } from 'node:path';
import type { Platform } from './campaign/schema.ts';
import { blueskyCredentials, type Env, isLocalMode, loadEnv, xCredentials } from './config/env.ts';
import { SolidarityError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { OutboxAdapter } from './platforms/local/outbox-adapter.ts';
import type { Adapters, PlatformAdapter } from './platforms/types.ts';
import { type Clock, systemClock } from './scheduler/clock.ts';
import { parseStoreUrl, type StoreTarget } from './store/open.ts';
import type { Store } from './store/types.ts';

export interface Context {
  env: Env;
  logger: Logger;
  clock: Clock;
  mode: 'local' | 'live';
  /** Logs, the local outbox and the share site; also the file store's folder unless STORE_URL says otherwise. */
  dataDir: string;
  /** Where the store keeps its data (STORE_URL; by default the file store in dataDir). */
  storeTarget: StoreTarget;
  campaignsDir: string;
  /** Readable lines for the person at the terminal (not logs). */
  print: (line: string) => void;
}

export interface ContextOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  print?: (line: string) => void;
  /** --debug: debug logs and stack traces on the terminal. */
  debug?: boolean;
  /** --verbose: every log line on the terminal, not only warnings and errors. */
  verbose?: boolean;
  /** --log-file none: no file in data/logs; the log goes to the terminal (a service manager keeps it). */
  logFile?: boolean;
}

export function createContext(options: ContextOptions = {}): Context {
  const env = loadEnv(options.env ?? process.env);
  const dataDir = resolve(env.SOLIDARITY_DATA_DIR);
  const level = options.debug ? 'debug' : env.LOG_LEVEL;
  const logger = createLogger({
    level,
    dir: options.logFile === false ? undefined : join(dataDir, 'logs'),
    retentionDays: env.SOLIDARITY_LOG_RETENTION_DAYS,
    debug: options.debug ?? false,
    ...(options.debug || options.verbose ? { consoleLevel: level } : {}),
  });
  return {
    env,
    logger,
    clock: options.clock ?? systemClock,
    mode: isLocalMode(env) ? 'local' : 'live',
    dataDir,
    storeTarget: parseStoreUrl(env.STORE_URL, dataDir),
    campaignsDir: resolve(env.SOLIDARITY_CAMPAIGNS_DIR),
    print: options.print ?? ((line) => process.stdout.write(`${line}\n`)),
  };
}

/**
 * The adapter for each platform the campaigns use. In local mode one outbox adapter stands in for
 * every platform, so the outbox shows exactly what each network would get. Live adapters need the
 * store (Bluesky keeps its session there). A network's SDK loads only when its live adapter is built.
 */
export async function createAdapters(
  ctx: Context,
  platforms: Iterable<Platform>,
  state?: Pick<Store, 'getState' | 'setState'>,
): Promise<Adapters> {
  const adapters: Adapters = {};
  const outbox = new OutboxAdapter(ctx.dataDir, ctx.clock, ctx.print);
  for (const platform of new Set(platforms)) {
    adapters[platform] =
      ctx.mode === 'local' || platform === 'local' ? outbox : await liveAdapter(ctx, platform, state);
  }
  return adapters;
}

async function liveAdapter(
  ctx: Context,
  platform: Exclude<Platform, 'local'>,
  state: Pick<Store, 'getState' | 'setState'> | undefined,
): Promise<PlatformAdapter> {
  const now = () => ctx.clock.now();
  if (platform === 'x') {
    const credentials = xCredentials(ctx.env);
    if (!credentials) throw notConfigured('X', 'X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and X_ACCESS_SECRET');
    const { XAdapter } = await import('./platforms/x/adapter.ts');
    return new XAdapter({
      credentials,
      logger: ctx.logger,
      now,
      ...(ctx.env.X_API_BASE_URL ? { baseUrl: ctx.env.X_API_BASE_URL } : {}),
    });
  }
  const credentials = blueskyCredentials(ctx.env);
  if (!credentials) throw notConfigured('Bluesky', 'BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD');
  if (!state) {
    throw new SolidarityError('UNEXPECTED', 'The Bluesky adapter needs the store to keep its session.');
  }
  const { BlueskyAdapter } = await import('./platforms/bluesky/adapter.ts');
  return new BlueskyAdapter({ ...credentials, state, logger: ctx.logger, now });
}

function notConfigured(network: string, vars: string): SolidarityError {
  return new SolidarityError(
    'PLATFORM_NOT_CONFIGURED',
    `A campaign posts to ${network}, but its credentials are not set.`,
    {
      hint: `Set ${vars} in .env, remove the platform from the campaign's platforms, or run in local mode (SOLIDARITY_MODE=local).`,
    },
  );
}
