/**
 * The composition root: configuration, logger, clock and platform adapters are built once here
 * and passed down. Nothing else reads the environment.
 */
import { join, resolve } from 'node:path';
import { type Env, loadEnv } from './config/env.ts';
import { type Clock, systemClock } from './core/clock.ts';
import { SolidarityError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import {
  isLocalMode,
  OUTBOX_PLATFORM,
  type Platform,
  type PlatformInfo,
  platformInfo,
} from './platforms/registry.ts';
import type { Adapters, PlatformAdapter, PlatformRuntime } from './platforms/types.ts';
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
 * store (Bluesky keeps its session there). A network's SDK loads only when its live adapter is
 * built (the registry entry's `load()`).
 */
export async function createAdapters(
  ctx: Context,
  platforms: Iterable<Platform>,
  state?: Pick<Store, 'getState' | 'setState'>,
): Promise<Adapters> {
  const adapters: Adapters = {};
  let outbox: PlatformAdapter | undefined;
  for (const platform of new Set(platforms)) {
    const info = ctx.mode === 'local' ? OUTBOX_PLATFORM : platformInfo(platform);
    if (info.outbox) {
      outbox ??= await (await info.load()).createAdapter(runtimeOf(ctx), state);
      adapters[platform] = outbox;
      continue;
    }
    if (info.credentials && !info.credentials.configured(ctx.env)) throw notConfigured(info);
    adapters[platform] = await (await info.load()).createAdapter(runtimeOf(ctx), state);
  }
  return adapters;
}

/** What a platform's factories get of the context. */
export function runtimeOf(ctx: Context): PlatformRuntime {
  return { env: ctx.env, logger: ctx.logger, clock: ctx.clock, dataDir: ctx.dataDir, print: ctx.print };
}

function notConfigured(info: PlatformInfo): SolidarityError {
  const names = info.credentials?.env ?? [];
  const vars = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
  return new SolidarityError(
    'PLATFORM_NOT_CONFIGURED',
    `A campaign posts to ${info.label}, but its credentials are not set.`,
    {
      hint: `Set ${vars} in .env, remove the platform from the campaign's platforms, or run in local mode (SOLIDARITY_MODE=local).`,
    },
  );
}
