import type { Command } from '../command.ts';
import { openCliStore } from '../store-access.ts';
import { dashboardCommand } from './dashboard.ts';
import { exportCommand } from './export.ts';
import { moderatorCommands } from './moderator.ts';
import { pauseCommand } from './pause.ts';
import { postNowCommand } from './post-now.ts';
import { previewCommand } from './preview.ts';
import { resumeCommand } from './resume.ts';
import { resumeAllCommand } from './resume-all.ts';
import { reviewCommands } from './review.ts';
import { schemaCommand } from './schema.ts';
import { scoreCommand } from './score.ts';
import { siteBuildCommand } from './site-build.ts';
import { startCommand } from './start.ts';
import { statusCommand } from './status.ts';
import { stopAllCommand } from './stop-all.ts';
import { storeMigrateCommand } from './store-migrate.ts';
import { storePruneCommand } from './store-prune.ts';
import { storeVerifyCommand } from './store-verify.ts';
import { validateCommand } from './validate.ts';

/** Every CLI command, in the order `solidarity --help` lists them. */
export const COMMANDS: Command[] = [
  startCommand,
  statusCommand,
  validateCommand,
  previewCommand,
  postNowCommand,
  pauseCommand,
  resumeCommand,
  stopAllCommand,
  resumeAllCommand,
  schemaCommand,
  scoreCommand,
  exportCommand,
  storeVerifyCommand,
  storePruneCommand,
  storeMigrateCommand,
  dashboardCommand,
  siteBuildCommand,
  ...moderatorCommands(openCliStore),
  ...reviewCommands(openCliStore),
];
