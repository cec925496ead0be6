/**
 * The review side cannot touch a network: the dashboard, the review rules and the review commands
 * import no platform adapter and no SDK, so nothing there can reply to, like, repost or report a
 * post. The review rules are pure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './_util.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function imports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:^\s*(?:import|export)[^'"]*?from\s+|import\()\s*['"]([^'"]+)['"]/gm)].map(
    (m) => m[1]!,
  );
}

const reviewFiles = [
  ...sources(join(ROOT, 'src/dashboard')),
  ...sources(join(ROOT, 'src/moderation')),
  join(ROOT, 'src/cli/commands/review.ts'),
  join(ROOT, 'src/cli/commands/moderator.ts'),
  join(ROOT, 'src/cli/commands/dashboard.ts'),
];

describe('review architecture', () => {
  it('the review side imports no platform adapter and no network SDK', () => {
    expect(reviewFiles.length).toBeGreaterThan(15);
    // The platform registry's pure part (ids and labels for the platform filter) is allowed; its
    // `load()`, the way to an adapter, is never called here.
    const offenders = reviewFiles
      .map((path) => ({
        path: relative(ROOT, path),
        imports: imports(path),
        text: readFileSync(path, 'utf8'),
      }))
      .filter(
        (f) =>
          f.imports.some(
            (i) =>
              /platforms\/|@atproto|twitter-api-v2|@skyware|^ws$|undici/.test(i) &&
              !/\/platforms\/registry\.ts$/.test(i),
          ) || /\.load\(\)/.test(f.text),
      )
      .map((f) => ({ path: f.path, imports: f.imports }));
    expect(offenders).toEqual([]);
  });

  it('the dashboard script makes no network request of its own', () => {
    const script = readFileSync(join(ROOT, 'src/dashboard/assets/dashboard.js'), 'utf8');
    expect(script).not.toMatch(/fetch\(|XMLHttpRequest|WebSocket|sendBeacon|EventSource|innerHTML|eval\(/);
  });

  it('the review rules are pure: no file, network or clock access', () => {
    const files = sources(join(ROOT, 'src/moderation'));
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      expect(
        imports(path).filter((i) => /^(node:)?(fs|net|http|https|child_process|fs\/promises)$/.test(i)),
        path,
      ).toEqual([]);
      expect(text, path).not.toMatch(/Date\.now\(|new Date\(\)|Math\.random\(|randomUUID\(/);
      for (const i of imports(path)) {
        if (/\/(store|dashboard|cli|monitor|scoring|platforms|scheduler)\//.test(i)) {
          expect(text, `${path} imports ${i}`).toMatch(
            new RegExp(`import type [^;]*['"]${i.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"]`),
          );
        }
      }
    }
  });

  it('dashboard routes live in one plugin per group, each holding its own schemas', () => {
    const server = readFileSync(join(ROOT, 'src/dashboard/server.ts'), 'utf8');
    // server.ts serves only the public files itself; every other route is in a group plugin.
    const own = [...server.matchAll(/app\.(get|post|put|delete)(?:<[^>]*>)?\(\s*'([^']+)'/g)].map(
      (m) => m[2],
    );
    expect(own.sort()).toEqual(['/assets/:file', '/favicon.ico', '/healthz']);
    const groups = readdirSync(join(ROOT, 'src/dashboard/routes')).filter(
      (f) => f.endsWith('.ts') && f !== 'context.ts' && !f.endsWith('.test.ts'),
    );
    expect(groups.sort()).toEqual(
      [
        'accounts.ts',
        'auth.ts',
        'claims.ts',
        'decisions.ts',
        'evidence.ts',
        'overview.ts',
        'queue.ts',
      ].sort(),
    );
    for (const group of groups) {
      const text = readFileSync(join(ROOT, 'src/dashboard/routes', group), 'utf8');
      expect(text, group).toMatch(/export default (async )?function|export default \w+Routes/);
      expect(server, group).toContain(`./routes/${group}`);
    }
  });
});
