import type { Command } from '../command.ts';
import { pauseCommand } from './pause.ts';
import { postNowCommand } from './post-now.ts';
import { previewCommand } from './preview.ts';
import { resumeCommand } from './resume.ts';
import { resumeAllCommand } from './resume-all.ts';
import { schemaCommand } from './schema.ts';
import { startCommand } from './start.ts';
import { statusCommand } from './status.ts';
import { stopAllCommand } from './stop-all.ts';
import { validateCommand } from './validate.ts';

/** Every CLI command, in the order `solidarity --help` lists them. */
export const COMMANDS: Command[] = [
  startCommand,
  validateCommand,
  previewCommand,
  postNowCommand,
  statusCommand,
  pauseCommand,
  resumeCommand,
  stopAllCommand,
  resumeAllCommand,
  schemaCommand,
];
