import { writeFileSync } from 'node:fs';
import { campaignJsonSchema } from '../../campaign/schema.ts';
import { type Command, stringOption, writeLine } from '../command.ts';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'Print (or write) the JSON Schema of campaign files, for editor autocompletion',
  usage: 'schema [--write FILE]',
  options: { write: { type: 'string', valueName: 'FILE', description: 'write to FILE instead of stdout' } },
  async run(args, io) {
    const text = `${JSON.stringify(campaignJsonSchema(), null, 2)}\n`;
    const target = stringOption(args, 'write');
    if (target) {
      writeFileSync(target, text);
      writeLine(io.stderr, `wrote ${target}`);
    } else {
      io.stdout.write(text);
    }
    return 0;
  },
};
