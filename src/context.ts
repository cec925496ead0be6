/**
 * The composition root: configuration, logger, clock and platform adapters are built once here
 * and passed down. Nothing else reads the environment.
 */
import { join, resolve } from 'node:path';
import type { Platform } from './campaign/schema.ts';
import { type Env, isLocalMode, loadEnv } from './config/env.ts';
import { SolidarityError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { OutboxAdapter } from './platforms/local/outbox-adapter.ts';
import type { PlatformAdapter } from './platforms/types.ts';
import { type Clock, systemClock } from './scheduler/clock.ts';
import type { Adapters } from './scheduler/scheduler.ts';

export interface Context {
  env: Env;
  logger: Logger;
  clock: Clock;
  mode: 'local' | 'live';
  dataDir: string;
  campaignsDir: string;
  /** Readable lines for the person at the terminal (not logs). */
  print: (line: string) => void;
}

export interface ContextOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  print?: (line: string) => void;
  /** Log to the terminal too (start: yes; one-shot commands: only warnings). */
  consoleLevel?: string;
  debug?: boolean;
}

export function createContext(options: ContextOptions = {}): Context {
  const env = loadEnv(options.env ?? process.env);
  const dataDir = resolve(env.SOLIDARITY_DATA_DIR);
  const level = options.debug ? 'debug' : env.LOG_LEVEL;
  const logger = createLogger({ level, dir: join(dataDir, 'logs') });
  return {
    env,
    logger,
    clock: options.clock ?? systemClock,
    mode: isLocalMode(env) ? 'local' : 'live',
    dataDir,
    campaignsDir: resolve(env.SOLIDARITY_CAMPAIGNS_DIR),
    print: options.print ?? ((line) => process.stdout.write(`${line}\n`)),
  };
}

/**
 * The adapter for each platform the campaigns use. In local mode one outbox adapter stands in for
 * every platform, so the outbox shows exactly what each network would get.
 */
export function createAdapters(ctx: Context, platforms: Iterable<Platform>): Adapters {
  const adapters: Adapters = {};
  const outbox = new OutboxAdapter(ctx.dataDir, ctx.clock, ctx.print);
  for (const platform of new Set(platforms)) {
    adapters[platform] = ctx.mode === 'local' || platform === 'local' ? outbox : liveAdapter(ctx, platform);
  }
  return adapters;
}

function liveAdapter(_ctx: Context, platform: Platform): PlatformAdapter {
  throw new SolidarityError(
    'PLATFORM_NOT_CONFIGURED',
    `Posting to ${platform} is not available in this version.`,
    {
      hint: 'Run in local mode (SOLIDARITY_MODE=local) to see what would be posted.',
    },
  );
}
