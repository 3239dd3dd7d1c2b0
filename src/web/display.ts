/**
 * Log text shown as what it is: control characters become visible symbols, so an ANSI escape cannot
 * colour the page, CR/LF cannot fake extra lines and bidi overrides (U+202E…) cannot reorder what follows.
 */

export interface TextPiece {
  text: string;
  /** True when `text` stands for an invisible or layout-changing character of the original. */
  control: boolean;
  /** The original code point, for control pieces. */
  code?: number;
}

/** C0 control names (ASCII): shown by name because Control Pictures (␛) are missing from many fonts. */
const C0 = 'NUL SOH STX ETX EOT ENQ ACK BEL BS TAB LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US'.split(' ');

/** Names for format characters that change layout or hide text (bidi controls, zero-width, separators). */
const NAMED: Record<number, string> = {
  0x061c: 'ALM',
  0x200b: 'ZWSP',
  0x200c: 'ZWNJ',
  0x200d: 'ZWJ',
  0x200e: 'LRM',
  0x200f: 'RLM',
  0x2028: 'LS',
  0x2029: 'PS',
  0x202a: 'LRE',
  0x202b: 'RLE',
  0x202c: 'PDF',
  0x202d: 'LRO',
  0x202e: 'RLO',
  0x2060: 'WJ',
  0x2066: 'LRI',
  0x2067: 'RLI',
  0x2068: 'FSI',
  0x2069: 'PDI',
  0xfeff: 'BOM',
};

/** The visible stand-in for one code point, or undefined when it is shown as itself. */
export function controlSymbol(cp: number): string | undefined {
  if (cp < 0x20) return `⟨${C0[cp]}⟩`;
  if (cp === 0x7f) return '⟨DEL⟩';
  if (cp >= 0x80 && cp <= 0x9f) return `⟨U+${cp.toString(16).toUpperCase().padStart(4, '0')}⟩`;
  const name = NAMED[cp];
  return name === undefined ? undefined : `⟨${name}⟩`;
}

/** Splits text into plain runs and visible stand-ins for control characters. */
export function visiblePieces(text: string): TextPiece[] {
  const out: TextPiece[] = [];
  let plain = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const sym = controlSymbol(code);
    if (sym === undefined) {
      plain += ch;
      continue;
    }
    if (plain) out.push({ text: plain, control: false });
    plain = '';
    out.push({ text: sym, control: true, code });
  }
  if (plain) out.push({ text: plain, control: false });
  return out;
}

/** The text with every control character replaced by its visible stand-in (for labels and titles). */
export function visibleText(text: string): string {
  return visiblePieces(text)
    .map((p) => p.text)
    .join('');
}

/** Any value from the API as display text: strings as they are, the rest as compact JSON. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  return JSON.stringify(v) ?? String(v);
}
