import { describe, expect, it } from 'vitest';
import { describeMeasure, graphemeCount, measureBluesky, measureX } from './limits.ts';

describe('X weighted length (twitter-text)', () => {
  it('counts Latin characters once', () => {
    expect(measureX('We stand together').length).toBe(17);
  });

  it('counts every URL as 23, however long', () => {
    const long = `Report it: https://www.report-it.org.uk/${'a'.repeat(200)}`;
    expect(measureX(long).length).toBe('Report it: '.length + 23);
    expect(measureX('a https://x.co b').length).toBe(4 + 23);
  });

  it('counts CJK characters and emoji as 2', () => {
    expect(measureX('団結').length).toBe(4);
    expect(measureX('💛').length).toBe(2);
    expect(measureX('👩‍👩‍👧').length).toBe(2);
  });

  it('fails past 280', () => {
    expect(measureX('a'.repeat(280)).fits).toBe(true);
    expect(measureX('a'.repeat(281)).fits).toBe(false);
    expect(measureX('団'.repeat(141)).fits).toBe(false);
  });
});

describe('Bluesky length', () => {
  it('counts graphemes, not code units', () => {
    expect(graphemeCount('👩‍👩‍👧')).toBe(1);
    expect(graphemeCount('é')).toBe(1); // e + combining acute
    expect(measureBluesky('🇧🇪 ensemble').length).toBe(10);
  });

  it('fails past 300 graphemes', () => {
    expect(measureBluesky('a'.repeat(300)).fits).toBe(true);
    expect(measureBluesky('a'.repeat(301)).fits).toBe(false);
  });

  it('counts URLs at full length', () => {
    expect(measureBluesky('https://www.report-it.org.uk/').length).toBe(29);
  });

  it('fails past 3000 bytes even under 300 graphemes', () => {
    // Each family emoji is one grapheme of 18 bytes: 200 of them are 3600 bytes.
    const m = measureBluesky('👩‍👩‍👧'.repeat(200));
    expect(m.length).toBe(200);
    expect(m.bytes).toBe(3600);
    expect(m.fits).toBe(false);
    expect(describeMeasure(m)).toBe('200/300 graphemes, 3600/3000 bytes');
  });
});
