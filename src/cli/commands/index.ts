import type { Command } from '../command.ts';
import { postNowCommand } from './post-now.ts';
import { previewCommand } from './preview.ts';
import { schemaCommand } from './schema.ts';
import { scoreCommand } from './score.ts';
import { startCommand } from './start.ts';
import { validateCommand } from './validate.ts';

/** Every CLI command, in the order `solidarity --help` lists them. */
export const COMMANDS: Command[] = [
  startCommand,
  validateCommand,
  previewCommand,
  postNowCommand,
  schemaCommand,
  scoreCommand,
];
