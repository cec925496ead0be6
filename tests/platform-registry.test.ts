/**
 * The platform registry is the one place that lists platforms: every entry is complete, lengths
 * are measured as each network measures them, and no file outside a platform's own folder and the
 * registry names a platform id.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../src/config/env.ts';
import { graphemeCount } from '../src/core/platform.ts';
import { CATALOGUE } from '../src/errors.ts';
import {
  isLocalMode,
  isOutbox,
  isPlatform,
  NETWORK_PLATFORMS,
  OUTBOX_PLATFORM,
  PLATFORM_IDS,
  PLATFORM_REGISTRY,
  type Platform,
  platformInfo,
  replyPolicyFor,
} from '../src/platforms/registry.ts';
import { ROOT } from './_util.ts';

/** Where a platform id may be written: the registry, the platform's own folder, tests. */
function exempt(path: string): boolean {
  if (path.endsWith('.test.ts') || path.endsWith('.d.ts')) return true;
  if (path === 'src/platforms/registry.ts') return true;
  return PLATFORM_IDS.some((id) => path.startsWith(`src/platforms/${id}/`));
}

/**
 * Where a platform id's spelling does not mean the platform. Each entry needs a reason. `match`
 * (global) finds the excused spellings on a line: a line gets as many excuses as it has matches,
 * so `platform === 'local' || mode === 'local'` still counts the first one. `file` excuses a
 * whole file.
 */
const ALLOWED: Array<{ path: RegExp; match: RegExp | 'file'; reason: string }> = [
  {
    path: /^src\//,
    match:
      /\bmode\s*[!=]==\s*'local'|\bmode: 'local' \| 'live'|\? 'local' : 'live'|\['auto', 'local', 'live'\]|SOLIDARITY_MODE === 'local'/g,
    reason: "the local *mode* ('local' | 'live', SOLIDARITY_MODE), not the outbox platform",
  },
  {
    path: /^src\/scoring\//,
    match: 'file',
    reason: "text processing: 'x' is a letter there (confusable folding, French plurals)",
  },
  {
    path: /^src\/site\/preview-image\.ts$/,
    match: /^\s*x: number,$/g,
    reason: 'an x coordinate when drawing the preview image',
  },
];

interface Hit {
  path: string;
  line: number;
  kind: 'string' | 'key' | 'property';
  text: string;
  /** The allow-list entry that excuses it, if any. */
  allowedBy?: number;
}

/**
 * Splits TypeScript source into string literals and code (comments dropped, strings blanked), with
 * line numbers. Regular-expression literals are recognised by what precedes them, which is
 * enough for this code base (the test fails loudly if a file confuses it: see below).
 */
function lex(source: string): { strings: Array<{ value: string; line: number }>; code: string } {
  const strings: Array<{ value: string; line: number }> = [];
  let code = '';
  let line = 1;
  let i = 0;
  let lastSignificant = '';
  const templateDepth: number[] = [];
  let braceDepth = 0;
  const readString = (quote: string): string => {
    let value = '';
    i++;
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\') {
        value += source[i]! + (source[i + 1] ?? '');
        i += 2;
        continue;
      }
      if (quote === '`' && source[i] === '$' && source[i + 1] === '{') break;
      if (source[i] === '\n') line++;
      value += source[i];
      i++;
    }
    return value;
  };
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '\n') {
      line++;
      code += c;
      i++;
      continue;
    }
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      i += 2;
      while (i < source.length && !(source[i] === '*' && source[i + 1] === '/')) {
        if (source[i] === '\n') {
          line++;
          code += '\n';
        }
        i++;
      }
      i += 2;
      continue;
    }
    if (c === '/' && (lastSignificant === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(lastSignificant))) {
      // A regular expression literal.
      i++;
      let inClass = false;
      while (i < source.length && (inClass || source[i] !== '/')) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i++;
      }
      i++;
      while (/[a-z]/.test(source[i] ?? '')) i++;
      code += '/re/';
      lastSignificant = '/';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const startLine = line;
      const value = readString(c);
      if (c === '`' && source[i] === '$') {
        // `...${ : the expression is code until the matching }.
        templateDepth.push(braceDepth);
        i += 2;
        braceDepth++;
        strings.push({ value: `${value}\${`, line: startLine });
        code += '"" + (';
        lastSignificant = '(';
        continue;
      }
      i++;
      strings.push({ value, line: startLine });
      code += '""';
      lastSignificant = '"';
      continue;
    }
    if (c === '{') braceDepth++;
    if (c === '}') {
      braceDepth--;
      if (templateDepth.length > 0 && templateDepth.at(-1) === braceDepth) {
        // Back inside the template literal. A piece next to an interpolation is never a whole
        // id, so it is kept with the braces that bound it.
        templateDepth.pop();
        const startLine = line;
        const value = `}${readString('`')}`;
        if (source[i] === '$') {
          templateDepth.push(braceDepth);
          i += 2;
          braceDepth++;
          strings.push({ value, line: startLine });
          code += ') + "" + (';
          lastSignificant = '(';
          continue;
        }
        i++;
        strings.push({ value, line: startLine });
        code += ') + ""';
        lastSignificant = '"';
        continue;
      }
    }
    code += c;
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return { strings, code };
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every place outside the registry and the platform folders that names a platform id. */
function platformIdUses(root: string, ids: readonly string[]): Hit[] {
  const hits: Hit[] = [];
  const alternatives = ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const key = new RegExp(`(?:^\\s*|[{,]\\s*)(?:${alternatives})\\??\\s*:`, 'g');
  const property = new RegExp(`\\?*\\.(?:${alternatives})\\b`, 'g');
  for (const file of sources(join(root, 'src'))) {
    const path = relative(root, file);
    if (exempt(path)) continue;
    const source = readFileSync(file, 'utf8');
    const lines = source.split('\n');
    // How many excuses each line has left, per allow-list entry.
    const left = new Map<string, number>();
    const allowed = (line: number) => {
      const text = lines[line - 1] ?? '';
      for (const [index, entry] of ALLOWED.entries()) {
        if (!entry.path.test(path)) continue;
        if (entry.match === 'file') return { allowedBy: index };
        const key = `${index}:${line}`;
        if (!left.has(key)) left.set(key, [...text.matchAll(entry.match)].length);
        const n = left.get(key)!;
        if (n > 0) {
          left.set(key, n - 1);
          return { allowedBy: index };
        }
      }
      return {};
    };
    const { strings, code } = lex(source);
    for (const s of strings) {
      if (ids.includes(s.value)) {
        hits.push({
          path,
          line: s.line,
          kind: 'string',
          text: (lines[s.line - 1] ?? '').trim(),
          ...allowed(s.line),
        });
      }
    }
    code.split('\n').forEach((text, index) => {
      const line = index + 1;
      for (const [kind, pattern] of [
        ['key', key],
        ['property', property],
      ] as const) {
        pattern.lastIndex = 0;
        if (pattern.test(text))
          hits.push({ path, line, kind, text: (lines[index] ?? '').trim(), ...allowed(line) });
      }
    });
  }
  return hits;
}

describe('the platform registry', () => {
  it('lists each platform once, with every part an entry needs', () => {
    expect(new Set(PLATFORM_IDS).size).toBe(PLATFORM_IDS.length);
    expect(PLATFORM_REGISTRY.filter((p) => 'outbox' in p && p.outbox)).toHaveLength(1);
    for (const p of PLATFORM_REGISTRY) {
      const info = platformInfo(p.id);
      expect(info.id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(info.label.length).toBeGreaterThan(0);
      expect(info.limits.summary.length).toBeGreaterThan(0);
      expect(typeof info.limits.measure).toBe('function');
      expect(info.campaign.variant.length).toBeGreaterThan(0);
      expect(typeof info.campaign.overrideFields).toBe('object');
      expect(typeof info.links.post).toBe('function');
      if (info.outbox) {
        expect(info.credentials).toBeUndefined();
      } else {
        // A network needs credentials, a known auth error and a hint naming every variable.
        expect(info.credentials?.env.length).toBeGreaterThan(0);
        expect(Object.keys(CATALOGUE)).toContain(info.credentials?.authError);
        for (const name of info.credentials?.env ?? []) expect(info.credentials?.authHint).toContain(name);
      }
    }
  });

  it('loads each platform’s adapter and mention-source factories on demand', async () => {
    for (const p of PLATFORM_REGISTRY) {
      const factories = await platformInfo(p.id).load();
      expect(typeof factories.createAdapter).toBe('function');
      expect(typeof factories.createMentionSources).toBe('function');
    }
  });

  it('measures length as each network does', () => {
    const family = '👩‍👩‍👧';
    const url = 'https://www.report-it.org.uk/some/long/path/to/a/page';
    for (const p of PLATFORM_REGISTRY) {
      const m = p.limits.measure(`${family} ${url}`);
      if (p.id === OUTBOX_PLATFORM.id) {
        expect(m.unit).toBe('graphemes');
        expect(m.length).toBe(graphemeCount(`${family} ${url}`));
      }
    }
    const weighted = NETWORK_PLATFORMS.find((p) => p.limits.measure('').unit === 'weighted characters')!;
    // twitter-text: an emoji sequence weighs 2, a URL 23 whatever its length.
    expect(weighted.limits.measure(`${family} ${url}`).length).toBe(2 + 1 + 23);
    expect(weighted.limits.measure('a'.repeat(280)).fits).toBe(true);
    expect(weighted.limits.measure('a'.repeat(281)).fits).toBe(false);
    const graphemes = NETWORK_PLATFORMS.find((p) => p.limits.measure('').unit === 'graphemes')!;
    // Graphemes: the family is one, and the URL counts in full; bytes are limited too.
    expect(graphemes.limits.measure(`${family} ${url}`).length).toBe(1 + 1 + url.length);
    const heavy = graphemes.limits.measure(family.repeat(200));
    expect(heavy.length).toBe(200);
    expect(heavy.fits).toBe(false);
    expect(heavy.bytes).toBeGreaterThan(heavy.byteLimit!);
  });

  it('links a post or mention to its page on the network', () => {
    expect(platformInfo('x').links.post({ id: '1790', author: 'alice' })).toBe(
      'https://x.com/alice/status/1790',
    );
    expect(platformInfo('x').links.post({ id: '1790' })).toBe('https://x.com/i/web/status/1790');
    expect(platformInfo('bluesky').links.post({ id: 'at://did:plc:abc/app.bsky.feed.post/3kxyz' })).toBe(
      'https://bsky.app/profile/did:plc:abc/post/3kxyz',
    );
    expect(platformInfo('local').links.post({ id: 'a b' })).toBe('local://mentions/a%20b');
    // Share buttons: the compose screen carries the text (and, where the network takes it, the page).
    const compose = platformInfo('x').share?.compose('#WeStandTogether & co', 'https://example.org/p/');
    expect(new URL(compose!).searchParams.get('text')).toBe('#WeStandTogether & co');
    expect(new URL(compose!).searchParams.get('url')).toBe('https://example.org/p/');
    expect(platformInfo('local').share).toBeUndefined();
  });

  it('derives local mode from the credentials each network declares', () => {
    const load = (vars: Record<string, string>) => loadEnv(vars, { dotenvPath: null });
    expect(isLocalMode(load({}))).toBe(true);
    for (const p of NETWORK_PLATFORMS) {
      // An address variable (MASTODON_URL) must hold an address to be valid at all.
      const env = Object.fromEntries(
        p.credentials!.env.map((name) => [
          name,
          name.endsWith('_URL') ? 'https://example.org' : 'set-for-test',
        ]),
      );
      expect(p.credentials!.configured(load(env))).toBe(true);
      expect(isLocalMode(load(env))).toBe(false);
    }
  });

  it('answers for its ids only', () => {
    for (const id of PLATFORM_IDS) expect(isPlatform(id)).toBe(true);
    expect(isPlatform('myspace')).toBe(false);
    expect(isOutbox(OUTBOX_PLATFORM.id)).toBe(true);
    for (const p of NETWORK_PLATFORMS) expect(isOutbox(p.id)).toBe(false);
    // With no override, each platform's reply policy is its own default.
    for (const id of PLATFORM_IDS) expect(replyPolicyFor({}, id as Platform)).toBeTypeOf('string');
  });
});

describe('no file outside the registry names a platform id', () => {
  it('finds a platform id where one is written (the scan can fail)', () => {
    const { strings, code } = lex(
      [
        "const a = 'x';",
        'if (p === "bluesky") f(`local`);',
        "const r = /'x'/;",
        `const t = \`\${a}x\`;`,
        "// 'x' in a comment",
        'o.x?.y; ({ bluesky: 1 });',
      ].join('\n'),
    );
    expect(strings.filter((s) => ['x', 'bluesky', 'local'].includes(s.value)).map((s) => s.line)).toEqual([
      1, 2, 2,
    ]);
    expect(code).toMatch(/o\.x\?\.y/);
    expect(code).toMatch(/\{ bluesky: 1 \}/);
    expect(code).not.toMatch(/in a comment/);
  });

  it('src/ names none outside src/platforms/<id>/ and the registry', () => {
    const hits = platformIdUses(ROOT, PLATFORM_IDS).filter((h) => h.allowedBy === undefined);
    expect(hits.map((h) => `${h.path}:${h.line} (${h.kind}) ${h.text}`)).toEqual([]);
  });

  it('keeps no allow-list entry that nothing needs any more', () => {
    const used = new Set(platformIdUses(ROOT, PLATFORM_IDS).map((h) => h.allowedBy));
    expect(ALLOWED.filter((_, i) => !used.has(i)).map((a) => a.reason)).toEqual([]);
  });
});
