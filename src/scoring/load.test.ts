import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/_util.ts';
import { isSolidarityError } from '../errors.ts';
import { DATA_DIR, loadScoringData } from './load.ts';

describe('scoring data files', () => {
  it('every shipped lexicon loads, names its source and licence, and English is thorough', () => {
    const data = loadScoringData();
    expect([...data.lexicons.keys()].sort()).toEqual(['en', 'fr', 'nl']);
    for (const lex of data.lexicons.values()) {
      for (const source of lex.sources) {
        expect(source.source.length, lex.language).toBeGreaterThan(5);
        expect(source.licence, lex.language).toMatch(/MIT|CC|Apache|BSD|public domain/i);
      }
      expect(lex.patterns.length, lex.language).toBeGreaterThanOrEqual(8);
    }
    const en = data.lexicons.get('en')!;
    expect(en.slurs.size).toBeGreaterThan(100);
    expect(en.patterns.length).toBeGreaterThanOrEqual(25);
    expect(data.models.get('en')!.weights.size).toBeGreaterThan(1000);
  });

  it('the fitted model says how it was fitted', () => {
    const file = JSON.parse(readFileSync(join(DATA_DIR, 'model-en.json'), 'utf8'));
    expect(file.fitted.script).toBe('scripts/fit-scorer.ts');
    expect(file.fitted.data).toContain('dev');
    expect(typeof file.fitted.seed).toBe('number');
  });

  it('a malformed lexicon is refused with SCORING_DATA_INVALID naming the file and field', () => {
    const dir = tempDir();
    try {
      const copy = join(dir.path, 'data');
      mkdirSync(copy);
      for (const name of readdirSync(DATA_DIR)) copyFileSync(join(DATA_DIR, name), join(copy, name));
      const fr = JSON.parse(readFileSync(join(copy, 'fr.json'), 'utf8'));
      fr.patterns[0].pattern = '{nosuchclass} ~2 {group}';
      writeFileSync(join(copy, 'fr.json'), JSON.stringify(fr));
      let error: unknown;
      try {
        loadScoringData(copy);
      } catch (e) {
        error = e;
      }
      expect(isSolidarityError(error)).toBe(true);
      const described = (error as { describe(): string }).describe();
      expect(described).toContain('SCORING_DATA_INVALID');
      expect(described).toContain('fr.json');
      expect(described).toContain('nosuchclass');

      writeFileSync(join(copy, 'fr.json'), '{ not json');
      expect(() => loadScoringData(copy)).toThrow(/fr\.json is not valid JSON/);
      writeFileSync(join(copy, 'fr.json'), JSON.stringify({ ...fr, sources: [] }));
      expect(() => loadScoringData(copy)).toThrow(/does not match/);
    } finally {
      dir.cleanup();
    }
  });
});
