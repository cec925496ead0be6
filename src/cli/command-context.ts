import { type Context, createContext } from '../context.ts';
import { SolidarityError } from '../errors.ts';
import { type CommandIO, type OptionSpec, type ParsedArgs, stringOption, writeLine } from './command.ts';

/** --verbose and --log-file, for the long-running commands (start, dashboard). */
export const LOG_OPTIONS: Record<string, OptionSpec> = {
  verbose: {
    type: 'boolean',
    description: 'show every log line on the terminal, not only warnings and errors',
  },
  'log-file': {
    type: 'string',
    valueName: 'none',
    description: 'none: no daily file in data/logs; the log goes to the terminal (for systemd or Docker)',
  },
};

/** The composition root for a long-running or posting command: its env, --debug, and terminal lines on stdout. */
export function commandContext(io: CommandIO, args?: ParsedArgs): Context {
  const logFile = args ? stringOption(args, 'log-file') : undefined;
  if (logFile !== undefined && logFile !== 'none') {
    throw new SolidarityError('USAGE', `--log-file "${logFile}" is not a valid value.`, {
      hint: 'The only value is "none" (log to the terminal only); leave it out for daily files in data/logs.',
    });
  }
  return createContext({
    env: io.env,
    debug: io.debug,
    verbose: args?.values.verbose === true,
    logFile: logFile !== 'none',
    print: (line) => writeLine(io.stdout, line),
  });
}
