import type { Command } from '../command.ts';
import { runPause } from './pause.ts';

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Let a paused campaign post again from its next slot',
  usage: 'resume ID|FILE',
  description:
    'Lifts a `npx solidarity pause`. A campaign file with paused: true stays held until the file says false.',
  run: (args, io) => runPause(args, io, false),
};
