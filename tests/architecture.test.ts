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

const files = sources(join(ROOT, 'src')).map((path) => {
  const text = readFileSync(path, 'utf8');
  const statements = [...text.matchAll(/^\s*(import|export)([^'"]*?)from\s+['"]([^'"]+)['"]/gm)];
  return {
    path: relative(ROOT, path),
    text,
    imports: statements.map((m) => m[3]!),
    /** Imports that bring in a type: `import type {…}` or `import { type X }`. */
    typeImports: statements.filter((m) => /^\s*type\b|[{,]\s*type\s/.test(m[2]!)).map((m) => m[3]!),
  };
});

const SDKS = ['@atproto/api', 'twitter-api-v2', 'masto'];
const DRIVERS = ['pg', 'postgres', 'pg-pool', 'pg-cursor', 'pg-query-stream'];

describe('architecture', () => {
  it('only src/store imports lowdb', () => {
    const offenders = files.filter(
      (f) => !f.path.startsWith('src/store/') && f.imports.some((i) => i.startsWith('lowdb')),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('only src/store imports a database driver', () => {
    const offenders = files.filter(
      (f) =>
        !f.path.startsWith('src/store/') &&
        f.imports.some((i) => DRIVERS.some((d) => i === d || i.startsWith(`${d}/`))),
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

  it('store, monitor and moderation take the shared domain types from src/core, not from each other', () => {
    const folder = (path: string) => /^src\/(store|monitor|moderation)\//.exec(path)?.[1];
    const target = (spec: string) => /(?:^|\/)(store|monitor|moderation)\/[^/]+\.ts$/.exec(spec)?.[1];
    const offenders: string[] = [];
    for (const f of files) {
      const from = folder(f.path);
      if (!from) continue;
      for (const spec of f.imports) {
        const to = target(spec);
        if (!to || to === from || spec.startsWith('./')) continue;
        const isType = f.typeImports.includes(spec);
        // The store is below the monitor: the monitor writes through the store's own contract
        // (Store, its records, its pair key). Moderation rules are pure core: the store derives a
        // flag's state with them.
        if (from === 'monitor' && to === 'store') continue;
        if (from === 'store' && to === 'moderation' && !isType) continue;
        if (from === 'monitor' && to === 'moderation' && !isType) continue;
        offenders.push(`${f.path} imports ${isType ? 'types from ' : ''}${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('declares Mention, Verdict, Flag, ReviewEvent, ReviewState and Clock once, in src/core', () => {
    const shared = /^export (?:interface|type) (Mention|Verdict|Flag|ReviewEvent|ReviewState|Clock)\b/gm;
    const declared = files.flatMap((f) => [...f.text.matchAll(shared)].map((m) => `${m[1]} in ${f.path}`));
    expect(declared.filter((d) => !d.includes(' in src/core/')).sort()).toEqual([]);
    expect(declared.length).toBe(6);
  });
});

/** Tests of the file store's own files, lock and crashes: the only code outside src/store that may name it. */
const FILE_STORE_TESTS = new Set(
  [
    'store-child.ts',
    'store-consistency.test.ts',
    'store-corrupt.test.ts',
    'store-crash.test.ts',
    'store-io.test.ts',
    'store-lock.test.ts',
    'store-migrate.test.ts',
    'store-readers.test.ts',
    'store-retention.test.ts',
  ].map((name) => `tests/${name}`),
);

function allSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : allSources(path);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

describe('one store interface', () => {
  it('nothing outside src/store names a concrete store: callers open one with openStore(STORE_URL)', () => {
    const everywhere = ['src', 'scripts', 'bench', 'tests', 'bin']
      .flatMap((dir) => allSources(join(ROOT, dir)))
      .map((path) => relative(ROOT, path))
      .filter(
        (path) =>
          !path.startsWith('src/store/') &&
          !FILE_STORE_TESTS.has(path) &&
          path !== 'tests/architecture.test.ts',
      );
    expect(everywhere.length).toBeGreaterThan(100);
    const offenders = everywhere.flatMap((path) => {
      const text = readFileSync(join(ROOT, path), 'utf8');
      const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      const found = [
        ...specifiers.filter((s) => /(^|\/)file-store(\.ts)?$|(^|\/)postgres\/store(\.ts)?$/.test(s)),
        ...new Set(text.match(/\b(FileStore|PostgresStore)\b/g) ?? []),
      ];
      return found.map((what) => `${path}: ${what}`);
    });
    expect(offenders).toEqual([]);
  });
});
