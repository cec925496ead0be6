/**
 * Regenerates the parts of docs/reference.md and .env.example that the code defines: environment
 * variables (src/config/env.ts), error codes (src/errors.ts), commands (src/cli/commands) and
 * platforms (src/platforms/registry.ts).
 * `npm run docs` writes them; tests/docs.test.ts fails when they are out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCommands } from '../src/cli/commands/index.ts';
import { ENV_DOCS, ENV_SCHEMA, envDefault, SECRET_ENV } from '../src/config/env.ts';
import { CATALOGUE, EXIT } from '../src/errors.ts';
import { PLATFORM_REGISTRY, platformInfo } from '../src/platforms/registry.ts';

/** Every command, loaded (the CLI itself loads only the one it runs). */
const COMMANDS = await loadCommands();

export const ROOT = resolve(import.meta.dirname, '..');

type EnvName = keyof typeof ENV_DOCS;

function envNames(): EnvName[] {
  return Object.keys(ENV_SCHEMA.shape) as EnvName[];
}

function groups(): Map<string, EnvName[]> {
  const out = new Map<string, EnvName[]>();
  for (const name of envNames()) {
    const group = ENV_DOCS[name][0];
    out.set(group, [...(out.get(group) ?? []), name]);
  }
  return out;
}

export function envExample(): string {
  const lines = [
    '# solidarity-bot configuration. Copy to .env and fill in what you need:',
    '# with no credentials at all, `npm start` runs in local mode (nothing is posted anywhere).',
    '# Generated from src/config/env.ts by `npm run docs`.',
  ];
  for (const [group, names] of groups()) {
    lines.push('', `# --- ${group} ---`);
    for (const name of names) {
      lines.push(`# ${ENV_DOCS[name][1].replaceAll('`', '')}`);
      lines.push(`${name}=${(SECRET_ENV as readonly string[]).includes(name) ? '' : envDefault(name)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const cell = (text: string) => text.replaceAll('|', '\\|');

export function envSection(): string {
  const rows = ['| Variable | Default | Meaning |', '| --- | --- | --- |'];
  for (const [group, names] of groups()) {
    for (const name of names) {
      const def = envDefault(name);
      rows.push(`| \`${name}\` | ${def ? `\`${cell(def)}\`` : ''} | ${group}: ${cell(ENV_DOCS[name][1])} |`);
    }
  }
  return [
    '## Environment variables',
    '',
    'Set in `.env` (copy `.env.example`) or in the environment; the environment wins. Every value is',
    'checked at start-up and a bad one stops the bot with `ENV_INVALID`, naming the variable.',
    'Secrets are never logged or printed.',
    '',
    ...rows,
  ].join('\n');
}

export function errorsSection(): string {
  const exitNames = Object.fromEntries(Object.entries(EXIT).map(([k, v]) => [v, k]));
  const rows = ['| Code | Exit | Meaning |', '| --- | --- | --- |'];
  for (const [code, entry] of Object.entries(CATALOGUE)) {
    rows.push(`| \`${code}\` | ${entry.exit} (${exitNames[entry.exit]}) | ${cell(entry.summary)} |`);
  }
  return [
    '## Error codes',
    '',
    'Every error a person can meet starts with its code, says what happened and what to do, and',
    'names the file, line, field or variable involved; no stack trace unless `--debug`. Exit codes:',
    '0 ok, 1 unexpected, 2 usage, 3 configuration or campaign, 4 authentication, 5 platform, 6 store.',
    '',
    ...rows,
  ].join('\n');
}

export function cliSection(): string {
  const rows = ['| Command | What it does |', '| --- | --- |'];
  for (const command of COMMANDS)
    rows.push(`| \`npx solidarity ${cell(command.usage)}\` | ${cell(command.summary)} |`);
  return [
    '## Commands',
    '',
    'One CLI for everything: `npx solidarity --help`, and `--help` on every command. `--debug` on',
    'any command prints stack traces and debug logs. A campaign is named by its id or its file.',
    '',
    ...rows,
  ].join('\n');
}

export function platformsSection(): string {
  const rows = [
    '| Platform | Id | Length rule | Credentials | `overrides.<id>` fields |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const entry of PLATFORM_REGISTRY) {
    const p = platformInfo(entry.id);
    const credentials = p.credentials
      ? p.credentials.env.map((name) => `\`${name}\``).join(', ')
      : 'none (the outbox file; in local mode it stands in for every platform)';
    const fields = ['hashtags', ...Object.keys(p.campaign.overrideFields)].map((f) => `\`${f}\``).join(', ');
    rows.push(`| ${cell(p.label)} | \`${p.id}\` | ${cell(p.limits.summary)} | ${credentials} | ${fields} |`);
  }
  return [
    '## Platforms',
    '',
    'The networks the bot posts to and watches, from the platform registry',
    '(`src/platforms/registry.ts`; adding one: [platforms.md](platforms.md)).',
    '',
    ...rows,
  ].join('\n');
}

export const REFERENCE = join(ROOT, 'docs', 'reference.md');

/** docs/reference.md with the generated sections replaced. */
export function renderReference(readme: string): string {
  const sections: Record<string, string> = {
    env: envSection(),
    errors: errorsSection(),
    cli: cliSection(),
    platforms: platformsSection(),
  };
  let out = readme;
  for (const [name, body] of Object.entries(sections)) {
    const pattern = new RegExp(`<!-- section:${name} -->[\\s\\S]*?<!-- /section:${name} -->`);
    if (!pattern.test(out)) throw new Error(`docs/reference.md has no <!-- section:${name} --> markers`);
    out = out.replace(pattern, () => `<!-- section:${name} -->\n${body}\n<!-- /section:${name} -->`);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  writeFileSync(REFERENCE, renderReference(readFileSync(REFERENCE, 'utf8')));
  writeFileSync(join(ROOT, '.env.example'), envExample());
  process.stdout.write('docs/reference.md and .env.example regenerated\n');
}
