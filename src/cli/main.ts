import { parseArgs } from 'node:util';
import { CATALOGUE, EXIT, isSolidarityError, SolidarityError } from '../errors.ts';
import { type Command, type CommandIO, type ParsedArgs, writeLine } from './command.ts';
import { COMMAND_INDEX, type CommandEntry } from './commands/index.ts';

const GLOBAL_HELP = `solidarity: run social-media solidarity campaigns and review the abuse they draw

Usage: npx solidarity COMMAND [options]     (npx solidarity COMMAND --help for details)

Global options:
  --debug      print stack traces and debug logs
  -h, --help   show help`;

function findCommand(argv: string[]): { command: CommandEntry; rest: string[] } | undefined {
  // Longest match first, so "store verify" wins over "store".
  const sorted = [...COMMAND_INDEX].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((word, i) => argv[i] === word)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: npx solidarity ${command.usage}`, '', command.summary];
  if (command.description) lines.push('', command.description);
  const options = Object.entries(command.options ?? {});
  lines.push('', 'Options:');
  for (const [name, spec] of options) {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
    lines.push(`  ${short}--${name}${value}`.padEnd(30) + spec.description);
  }
  lines.push(`${'      --debug'.padEnd(30)}print stack traces and debug logs`);
  lines.push(`${'  -h, --help'.padEnd(30)}show this help`);
  return lines.join('\n');
}

function globalHelp(): string {
  const width = Math.max(...COMMAND_INDEX.map((c) => c.name.length)) + 2;
  const rows = COMMAND_INDEX.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return `${GLOBAL_HELP}\n\nCommands:\n${rows.join('\n')}`;
}

function parse(command: Command, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    debug: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      multiple: spec.multiple ?? false,
    };
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    throw new SolidarityError('USAGE', (error as Error).message.replace(/^[A-Z_]+: /, ''), {
      hint: `See: npx solidarity ${command.name} --help`,
    });
  }
}

const FILE_SYSTEM_CODES: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EIO: 'the disk reported an input/output error',
};

/** A file-system failure that reached the top as a plain Node error, as STORE_IO naming the path. */
export function fileSystemError(error: unknown): SolidarityError | undefined {
  const errno = error as NodeJS.ErrnoException;
  const why = errno?.code ? FILE_SYSTEM_CODES[errno.code] : undefined;
  if (!why) return undefined;
  const where = errno.path ? ` ${errno.path}` : '';
  return new SolidarityError('STORE_IO', `Cannot write${where}: ${why} (${errno.code}).`, {
    hint:
      errno.code === 'ENOSPC' || errno.code === 'EDQUOT'
        ? 'Free some space on that disk, then run the command again; nothing was half-written.'
        : 'Make the folder writable by this user (or mount it read-write), or set SOLIDARITY_DATA_DIR to a folder that is.',
  });
}

/** Runs one command line and returns the exit code; never throws. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const debug = argv.includes('--debug');
  io.debug = debug;
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      writeLine(io.stdout, globalHelp());
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    if (argv[0] === '--version' || argv[0] === '-v') {
      const pkg = await import('../../package.json', { with: { type: 'json' } });
      writeLine(io.stdout, pkg.default.version);
      return EXIT.ok;
    }
    const found = findCommand(argv);
    if (!found) {
      const group = COMMAND_INDEX.filter((c) => c.name.startsWith(`${argv[0]} `));
      if (group.length > 0) {
        // `store --help` asks for this list (stdout, exit 0); a bare `store` lacks a subcommand.
        const asked = argv[1] === '--help' || argv[1] === '-h';
        const out = asked ? io.stdout : io.stderr;
        writeLine(
          out,
          `Usage: npx solidarity ${argv[0]} SUBCOMMAND [options]     (--help on each for details)`,
        );
        writeLine(out, '');
        for (const c of group) writeLine(out, `  ${c.name.padEnd(24)}${c.summary}`);
        return asked ? EXIT.ok : EXIT.usage;
      }
      throw new SolidarityError('USAGE', `Unknown command "${argv[0]}".`, {
        hint: 'See: npx solidarity --help',
      });
    }
    const command = await found.command.load();
    const args = parse(command, found.rest);
    if (args.values.help) {
      writeLine(io.stdout, commandHelp(command));
      return EXIT.ok;
    }
    return (await command.run(args, io)) ?? EXIT.ok;
  } catch (caught) {
    // The reader of our output went away (`| head`): nothing more to say, and nobody to say it to.
    if ((caught as NodeJS.ErrnoException)?.code === 'EPIPE') return EXIT.ok;
    const error = fileSystemError(caught) ?? caught;
    if (isSolidarityError(error)) {
      writeLine(io.stderr, error.describe());
      if (debug && error.stack) writeLine(io.stderr, error.stack);
      return error.exitCode;
    }
    const err = error as Error;
    writeLine(io.stderr, `UNEXPECTED: ${err?.message ?? String(error)}`);
    writeLine(io.stderr, debug ? String(err?.stack) : `Hint: ${CATALOGUE.UNEXPECTED.summary}`);
    return EXIT.unexpected;
  }
}

const isMain = process.argv[1] && /solidarity(\.mjs)?$|cli[\\/]main\.ts$/.test(process.argv[1]);
if (isMain) {
  // A closed pipe is reported as an 'error' event on the stream: end quietly, as `cat` does.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    debug: false,
  });
  process.exitCode = code;
}
