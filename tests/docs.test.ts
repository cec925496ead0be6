import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envExample, ROOT, renderReadme } from '../scripts/docs.ts';
import { CampaignFileSchema, campaignJsonSchema } from '../src/campaign/schema.ts';
import { loadCommands } from '../src/cli/commands/index.ts';
import { ENV_SCHEMA } from '../src/config/env.ts';
import { CATALOGUE } from '../src/errors.ts';

/** Every command, loaded (the CLI itself loads only the one it runs). */
const COMMANDS = await loadCommands();

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('documentation tells the truth', () => {
  it('README lists every error code, env var and command as the code defines them (run `npm run docs`)', () => {
    expect(renderReadme(readme) === readme, 'README.md is out of date: run `npm run docs`').toBe(true);
    for (const code of Object.keys(CATALOGUE)) expect(readme).toContain(`\`${code}\``);
    for (const name of Object.keys(ENV_SCHEMA.shape)) expect(readme).toContain(`\`${name}\``);
    for (const command of COMMANDS) expect(readme).toContain(`solidarity ${command.usage}`);
  });

  it('.env.example lists every variable (run `npm run docs`)', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    expect(example).toBe(envExample());
    for (const name of Object.keys(ENV_SCHEMA.shape)) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('README documents every campaign field', () => {
    for (const field of Object.keys(CampaignFileSchema.shape).filter((f) => f !== '$schema')) {
      expect(readme, field).toMatch(new RegExp(`\`${field.replace('$', '\\$')}\``));
    }
  });

  it('campaigns/schema.json is generated from the current schema (run `npm run schema`)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'campaigns/schema.json'), 'utf8'));
    expect(committed).toEqual(campaignJsonSchema());
  });
});
