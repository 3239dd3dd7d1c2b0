import { describe, expect, it } from 'vitest';
import { controlSymbol, valueText, visiblePieces, visibleText } from './display.js';

describe('visible control characters', () => {
  it('names ANSI escapes, CR, LF, TAB, DEL and every other C0 control', () => {
    expect(visibleText('\u001b[31mred\u001b[0m')).toBe('⟨ESC⟩[31mred⟨ESC⟩[0m');
    expect(visibleText('a\r\nb\tc\u007f')).toBe('a⟨CR⟩⟨LF⟩b⟨TAB⟩c⟨DEL⟩');
    expect(visibleText('\u0000\u001f')).toBe('⟨NUL⟩⟨US⟩');
  });

  it('names bidi overrides, isolates, zero-width characters and C1 controls', () => {
    expect(visibleText('user\u202Egnp.exe')).toBe('user⟨RLO⟩gnp.exe');
    expect(visibleText('\u2066x\u2069')).toBe('⟨LRI⟩x⟨PDI⟩');
    expect(visibleText('a\u200Bb\uFEFF')).toBe('a⟨ZWSP⟩b⟨BOM⟩');
    expect(visibleText('\u0085')).toBe('⟨U+0085⟩');
  });

  it('leaves markup, quotes, non-ASCII letters and astral characters as they are', () => {
    const s = '<script>alert(1)</script> "><img src=x onerror=alert(1)> ünïcödé 日本 😀 עברית';
    expect(visibleText(s)).toBe(s);
    expect(controlSymbol('a'.codePointAt(0)!)).toBeUndefined();
  });

  it('marks which pieces stand for control characters, and the pieces rebuild the display text', () => {
    const pieces = visiblePieces('ok\u001b[1m\u202E!');
    expect(pieces).toEqual([
      { text: 'ok', control: false },
      { text: '⟨ESC⟩', control: true, code: 0x1b },
      { text: '[1m', control: false },
      { text: '⟨RLO⟩', control: true, code: 0x202e },
      { text: '!', control: false },
    ]);
    expect(visiblePieces('')).toEqual([]);
  });

  it('renders any API value as text', () => {
    expect(valueText('x')).toBe('x');
    expect(valueText(3)).toBe('3');
    expect(valueText(0.123456)).toBe('0.123');
    expect(valueText({ a: 1 })).toBe('{"a":1}');
    expect(valueText(undefined)).toBe('');
    expect(valueText(null)).toBe('null');
  });
});
