import { describe, expect, it } from 'vitest';
import { displayPieces, highlightSegments, terminalText, toWellFormed, truncateSegments } from './display.ts';

describe('highlightSegments', () => {
  it('marks the matched spans by their offsets', () => {
    const text = 'they are vermin and scum';
    const segs = highlightSegments(text, [
      { rule: 'a', explanation: '', span: { start: 9, end: 15, text: 'vermin' } },
      { rule: 'b', explanation: '', span: { start: 20, end: 24, text: 'scum' } },
    ]);
    expect(segs).toEqual([
      { text: 'they are ', rules: [] },
      { text: 'vermin', rules: ['a'] },
      { text: ' and ', rules: [] },
      { text: 'scum', rules: ['b'] },
    ]);
    expect(segs.map((s) => s.text).join('')).toBe(text);
  });

  it('merges overlapping spans and ignores spans that do not fit the text', () => {
    const text = 'abcdef';
    const segs = highlightSegments(text, [
      { rule: 'x', explanation: '', span: { start: 1, end: 4, text: 'bcd' } },
      { rule: 'y', explanation: '', span: { start: 3, end: 5, text: 'de' } },
      { rule: 'bad', explanation: '', span: { start: 4, end: 99, text: 'ef' } },
      { rule: 'stale', explanation: '', span: { start: 0, end: 2, text: 'zz' } },
    ]);
    expect(segs).toEqual([
      { text: 'a', rules: [] },
      { text: 'bc', rules: ['x'] },
      { text: 'd', rules: ['x', 'y'] },
      { text: 'e', rules: ['y'] },
      { text: 'f', rules: [] },
    ]);
  });

  it('truncates without splitting a surrogate pair', () => {
    const { segments, cut } = truncateSegments([{ text: 'ab\uD83D\uDE00cd', rules: [] }], 3);
    expect(segments[0]!.text).toBe('ab');
    expect(cut).toBe(4);
  });
});

describe('displayPieces', () => {
  it('shows bidi and control characters as labels instead of obeying them', () => {
    const pieces = displayPieces('a\u202Eb\u0007c');
    expect(pieces).toEqual([
      { text: 'a' },
      { text: 'U+202E', control: true },
      { text: 'b' },
      { text: 'U+0007', control: true },
      { text: 'c' },
    ]);
    expect(terminalText('x\u001B[31my')).toBe('x⟦U+001B⟧[31my');
  });

  it('replaces lone surrogates and cuts long runs of combining marks', () => {
    expect(toWellFormed('a\uD800b\uDC00c\uD83D\uDE00')).toBe('a\uFFFDb\uFFFDc\uD83D\uDE00');
    const zalgo = `e${'\u0301'.repeat(40)}`;
    expect(displayPieces(zalgo)[0]!.text).toBe(`e${'\u0301'.repeat(3)}`);
  });
});

describe('invisible characters', () => {
  it('zero-width characters in handles and ids are shown as labels, emoji joiners are kept', () => {
    const labels = (text: string) =>
      displayPieces(text)
        .filter((p) => p.control)
        .map((p) => p.text);
    expect(labels('mod\u200Berator')).toEqual(['U+200B']);
    expect(labels('a\u200Cb\u200Dc\u2060d\uFEFFe\u00ADf')).toEqual([
      'U+200C',
      'U+200D',
      'U+2060',
      'U+FEFF',
      'U+00AD',
    ]);
    // A family emoji is joined by U+200D after an emoji: meant, and kept.
    expect(labels('\u{1F468}\u200D\u{1F469}\u200D\u{1F467}')).toEqual([]);
  });

  it('a terminal line stays one line; multiline keeps only newlines', () => {
    expect(terminalText('a\nb\tc')).toBe('a⟦U+000A⟧b⟦U+0009⟧c');
    expect(terminalText('a\nb\u0007', { multiline: true })).toBe('a\nb⟦U+0007⟧');
  });
});
