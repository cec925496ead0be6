import type { Readable, Writable } from 'node:stream';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in --help; a value name in capitals (e.g. "N") follows the flag when the option takes one. */
  description: string;
  valueName?: string;
}

export interface CommandIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** Set by --debug: print stack traces and debug logs. */
  debug: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

/** One CLI command; `name` may hold a space for a subcommand ("store verify"). */
export interface Command {
  name: string;
  summary: string;
  /** Usage line after "solidarity ", e.g. "validate FILE...". */
  usage: string;
  /** Longer help: what it does, examples. */
  description?: string;
  options?: Record<string, OptionSpec>;
  /** Returns the exit code (0 when omitted). Throws SolidarityError for errors a person can act on. */
  run(args: ParsedArgs, io: CommandIO): Promise<number | undefined>;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function writeLine(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}
