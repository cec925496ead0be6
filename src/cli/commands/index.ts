import type { Command } from '../command.ts';
import { previewCommand } from './preview.ts';
import { schemaCommand } from './schema.ts';
import { validateCommand } from './validate.ts';

/** Every CLI command, in the order `solidarity --help` lists them. */
export const COMMANDS: Command[] = [validateCommand, previewCommand, schemaCommand];
