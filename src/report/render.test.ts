/** Renderers: log text is untrusted — shown, never obeyed, in text, Markdown and HTML. */
import { describe, expect, it } from 'vitest';
import type { ReportDocument } from './document.js';
import { cellText, escapeMarkdown, MAX_CELL, renderHtml, renderMarkdown, renderText } from './render.js';

const EVIL = `<script>alert(1)</script> | **bold** [x](javascript:alert(2)) <img src=x onerror=alert(3)> & &lt; \x1b[2J\x1b]0;pwned\x07 \u202eevil\r\nnext`;

function doc(cell: string): ReportDocument {
  return {
    title: 'logradar report',
    notes: ['1 incident.'],
    sections: [
      {
        title: 'Incidents',
        notes: ['note'],
        table: { columns: ['count', 'line', 'link'], numeric: [true, false, false], rows: [[12, cell, { text: '#7', href: 'http://127.0.0.1:7420/#/anomaly/7' }]] },
      },
      { title: 'Empty', table: { columns: ['a'], rows: [] } },
    ],
  };
}

describe('cellText', () => {
  it('makes controls and bidi overrides visible, keeps a cell on one line', () => {
    const t = cellText(EVIL);
    expect(t).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
    expect(t).toContain('\\x1b[2J');
    expect(t).toContain('\\x0d\\x0anext');
    expect(t).toContain('\\u{202e}evil');
  });

  it('cuts long cells, not notes', () => {
    const long = 'x'.repeat(5000);
    expect(cellText(long)).toHaveLength(MAX_CELL);
    expect(cellText(long).endsWith('…')).toBe(true);
    expect(cellText(long, Infinity)).toBe(long);
  });
});

describe('renderHtml', () => {
  const html = renderHtml(doc(EVIL));

  it('escapes log text: no element or attribute comes from it', () => {
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(3)&gt;');
    expect(html).toContain('&amp;lt;');
    // the only elements are the report's own
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z0-9!]+)/g)].map((m) => m[1].toLowerCase()));
    expect([...tags].sort()).toEqual(['!doctype', 'a', 'body', 'h1', 'h3', 'head', 'html', 'meta', 'p', 'style', 'table', 'tbody', 'td', 'th', 'thead', 'title', 'tr'].sort());
    expect(html).not.toMatch(/[\u001b\u202e]/);
  });

  it('links to the dashboard, numbers right-aligned, empty tables say so', () => {
    expect(html).toContain('<a href="http://127.0.0.1:7420/#/anomaly/7">#7</a>');
    expect(html).toContain('<td class="n">12</td>');
    expect(html).toContain('<p>(none)</p>');
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(doc(EVIL));
  const row = md.split('\n').find((l) => l.startsWith('| 12 |'))!;

  it('escapes markup: a logged pipe does not split the cell, no HTML or link is made', () => {
    expect(row).toBeDefined();
    // unescaped pipes: the 4 borders of a 3-column row
    expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(5);
    expect(row).toContain('\\<script\\>');
    expect(row).toContain('\\*\\*bold\\*\\*');
    expect(row).toContain('\\[x\\](javascript:alert(2))');
    expect(row).not.toMatch(/(^|[^\\])<(script|img)/);
    expect(row).toContain('[#7](http://127.0.0.1:7420/#/anomaly/7)');
  });

  it('a leading block marker is escaped, numbers followed by a dot are no list', () => {
    expect(escapeMarkdown('# not a heading')).toBe('\\# not a heading');
    expect(escapeMarkdown('- not an item')).toBe('\\- not an item');
    expect(escapeMarkdown('12. not an item')).toBe('12\\. not an item');
    expect(escapeMarkdown('a_b *c* `d` ~e~ !f &g')).toBe('a\\_b \\*c\\* \\`d\\` \\~e\\~ \\!f \\&g');
  });

  it('has the table shape: header, alignment row, right-aligned numbers', () => {
    expect(md).toContain('| count | line | link |');
    expect(md).toContain('| ---: | --- | --- |');
  });
});

describe('renderText', () => {
  const text = renderText(doc(EVIL));

  it('prints no control character (a terminal would obey it) and aligns columns', () => {
    expect(text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('count'));
    expect(lines[header + 1]).toMatch(/^-{5} {2}-+ {2}-+$/);
    expect(lines[header + 2]).toMatch(/^ {3}12 {2}/);
    expect(lines[header + 2]).toContain('http://127.0.0.1:7420/#/anomaly/7');
    expect(text).toContain('Empty\n-----\n(none)');
  });
});
