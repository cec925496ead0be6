import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envExample, REFERENCE, ROOT, renderReference } from '../scripts/docs.ts';
import { CampaignFileSchema, campaignJsonSchema } from '../src/campaign/schema.ts';
import { loadCommands } from '../src/cli/commands/index.ts';
import { ENV_SCHEMA } from '../src/config/env.ts';
import { CATALOGUE } from '../src/errors.ts';
import { PLATFORM_IDS } from '../src/platforms/registry.ts';

/** Every command, loaded (the CLI itself loads only the one it runs). */
const COMMANDS = await loadCommands();

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const reference = readFileSync(REFERENCE, 'utf8');

/** Paths of the local links in a Markdown file, relative to the repository root. */
function localLinks(file: string): string[] {
  const links = [...read(file).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!);
  return links.filter((l) => !/^[a-z]+:/.test(l)).map((l) => join(dirname(file), l));
}

/** Docs files that other changes are writing at the same time; links to them are allowed ahead. */
const PENDING = new Set([
  'docs/reliability.md',
  'docs/scoring-evaluation.md',
  'docs/moderator-guide.md',
  'docs/share-kit.md',
]);

describe('documentation tells the truth', () => {
  it('docs/reference.md lists every error code, env var and command as the code defines them (run `npm run docs`)', () => {
    expect(
      renderReference(reference) === reference,
      'docs/reference.md is out of date: run `npm run docs`',
    ).toBe(true);
    for (const code of Object.keys(CATALOGUE)) expect(reference).toContain(`\`${code}\``);
    for (const name of Object.keys(ENV_SCHEMA.shape)) expect(reference).toContain(`\`${name}\``);
    for (const command of COMMANDS)
      expect(reference).toContain(`npx solidarity ${command.usage.replaceAll('|', '\\|')}`);
    for (const id of PLATFORM_IDS) expect(reference).toContain(`| \`${id}\` |`);
  });

  it('.env.example lists every variable (run `npm run docs`)', () => {
    const example = read('.env.example');
    expect(example).toBe(envExample());
    for (const name of Object.keys(ENV_SCHEMA.shape)) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('docs/campaigns.md documents every campaign field', () => {
    const campaigns = read('docs/campaigns.md');
    for (const field of Object.keys(CampaignFileSchema.shape).filter((f) => f !== '$schema')) {
      expect(campaigns, field).toMatch(new RegExp(`\`${field.replace('$', '\\$')}\``));
    }
  });

  it('campaigns/schema.json is generated from the current schema (run `npm run schema`)', () => {
    const committed = JSON.parse(read('campaigns/schema.json'));
    expect(committed).toEqual(campaignJsonSchema());
  });

  it('the README is short and every local link in it and in docs/ leads to a file', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    for (const command of ['npm ci', 'npm start']) expect(readme).toContain(command);
    const files = [
      'README.md',
      ...['campaigns', 'going-live', 'reference', 'store', 'platforms', 'development'].map(
        (f) => `docs/${f}.md`,
      ),
    ];
    for (const file of files) {
      for (const link of localLinks(file)) {
        if (!PENDING.has(link)) expect(existsSync(join(ROOT, link)), `${file} links to ${link}`).toBe(true);
      }
    }
  });

  it('hints and help name the CLI as it is run: npx solidarity', () => {
    for (const command of COMMANDS) {
      const text = `${command.description ?? ''}`;
      expect(text, command.name).not.toMatch(/(^|[^x] )solidarity [a-z]/);
    }
  });
});
