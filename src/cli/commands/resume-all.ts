import type { Command } from '../command.ts';
import { runStopAll } from './stop-all.ts';

export const resumeAllCommand: Command = {
  name: 'resume-all',
  summary: 'Lift the emergency stop',
  usage: 'resume-all',
  run: (args, io) => runStopAll(args, io, false),
};
