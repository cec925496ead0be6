import { formatProblem, type Validation, validateCampaignFile } from '../../campaign/load.ts';
import { SolidarityError } from '../../errors.ts';
import { type Command, writeLine } from '../command.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check campaign files: schema, times, templates, platform lengths',
  usage: 'validate FILE...',
  description:
    'Reports every problem in every file at once, each with file:line:column, the field and a hint.\n' +
    'Exit code 0 when all files are valid (warnings allowed), 3 when any has a problem.\n\n' +
    'Example: npx solidarity validate campaigns/*.yaml',
  async run(args, io) {
    if (args.positionals.length === 0) {
      throw new SolidarityError('USAGE', 'Name at least one campaign file.', {
        hint: 'Example: npx solidarity validate campaigns/*.yaml',
      });
    }
    const results: Validation[] = args.positionals.map((file) => validateCampaignFile(file));
    for (const result of results) {
      for (const warning of result.warnings) writeLine(io.stderr, formatProblem(warning, 'warning'));
      if (result.campaign) {
        const c = result.campaign;
        writeLine(
          io.stdout,
          `ok ${result.file}: "${c.name}" (${c.id}), ${c.messages.length} messages, ` +
            `${c.platforms.join(' + ')}, ${c.timezone}${c.paused ? ', PAUSED' : ''}`,
        );
      }
    }
    const failed = results.filter((r) => r.problems.length > 0);
    if (failed.length === 0) return 0;
    const count = failed.reduce((n, r) => n + r.problems.length, 0);
    throw new SolidarityError('CAMPAIGN_INVALID', `${count} problem(s) in ${failed.length} file(s).`, {
      details: failed.flatMap((r) => r.problems.map((p) => formatProblem(p))),
      hint: 'Fix each problem at the line shown, then validate again.',
    });
  },
};
