/** Dependencies point inward (see STYLE.md): checked by scanning imports. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './_util.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = sources(join(ROOT, 'src')).map((path) => ({
  path: relative(ROOT, path),
  imports: [
    ...readFileSync(path, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm),
  ].map((m) => m[1]!),
}));

const SDKS = ['@atproto/api', 'twitter-api-v2', 'masto'];

describe('architecture', () => {
  it('only src/store imports lowdb', () => {
    const offenders = files.filter(
      (f) => !f.path.startsWith('src/store/') && f.imports.some((i) => i.startsWith('lowdb')),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('only src/platforms imports a network SDK', () => {
    const offenders = files.filter(
      (f) =>
        !f.path.startsWith('src/platforms/') && f.imports.some((i) => SDKS.some((sdk) => i.startsWith(sdk))),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('the pure core (campaign, scoring, moderation rules) does no I/O and imports no outer layer', () => {
    const outer = /\/(cli|dashboard|scheduler|monitor|platforms|store)\//;
    const io = /^(node:)?(fs|net|http|https|child_process|fs\/promises)$/;
    // The platform registry and its descriptors are pure (checked below), so the core may read
    // platform ids and limits from them.
    const registry = /\/platforms\/(registry|[^/]+\/platform)\.ts$/;
    const core = files.filter(
      (f) => /^src\/(campaign|scoring|core)\//.test(f.path) && !/load\.ts$/.test(f.path),
    );
    const offenders = core.filter((f) =>
      f.imports.some((i) => io.test(i) || (outer.test(i) && !registry.test(i))),
    );
    expect(offenders.map((f) => `${f.path}: ${f.imports.join(', ')}`)).toEqual([]);
  });

  it('the platform registry and its descriptors load no SDK, do no I/O and import no outer layer', () => {
    // Everything that talks to a network sits behind each entry's load() (a dynamic import).
    const pure = files.filter(
      (f) => f.path === 'src/platforms/registry.ts' || /^src\/platforms\/[^/]+\/platform\.ts$/.test(f.path),
    );
    expect(pure.length).toBeGreaterThanOrEqual(4);
    const allowed =
      /^(zod|twitter-text|node:module|\.\/[^/]+\/platform\.ts|\.\.?\/types\.ts|(\.\.\/)+(core|config)\/[^/]+\.ts)$/;
    const offenders = pure.filter((f) => f.imports.some((i) => !allowed.test(i)));
    expect(offenders.map((f) => `${f.path}: ${f.imports.join(', ')}`)).toEqual([]);
  });

  it('platforms never import the dashboard or the CLI', () => {
    const offenders = files.filter(
      (f) => f.path.startsWith('src/platforms/') && f.imports.some((i) => /\/(dashboard|cli)\//.test(i)),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });
});
