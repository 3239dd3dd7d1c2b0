/**
 * A report document as plain text, Markdown or HTML. Cells can hold log text, which is untrusted: every
 * cell becomes one line with control and bidirectional-override characters made visible, is cut to a
 * readable length, and is escaped for the format (Markdown punctuation, HTML entities), so a logged
 * `<script>` or `|` or terminal escape sequence is shown, never obeyed.
 */
import { escapeHtml } from '../alerts/email.js';
import type { Cell, ReportDocument, Section, Table } from './document.js';

export type ReportFormat = 'text' | 'html' | 'markdown';

/** Longest cell text, in characters; log lines can be a megabyte long. */
export const MAX_CELL = 300;

/** One visible line: controls as `\xNN`, bidi overrides as `\u{NNNN}`, cut at MAX_CELL (notes are not cut). */
export function cellText(c: Cell, max = MAX_CELL): string {
  const s = typeof c === 'object' ? c.href : String(c);
  const visible = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/[\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u{${ch.charCodeAt(0).toString(16)}}`);
  return visible.length > max ? visible.slice(0, max - 1) + '…' : visible;
}

export function renderReport(doc: ReportDocument, format: ReportFormat): string {
  return format === 'html' ? renderHtml(doc) : format === 'markdown' ? renderMarkdown(doc) : renderText(doc);
}

// ---- text ----

function textTable(t: Table): string[] {
  const cells = [t.columns, ...t.rows.map((r) => r.map((c) => cellText(c)))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const line = (r: Cell[]) =>
    r
      .map((c, i) => (t.numeric?.[i] ? String(c).padStart(widths[i]) : i === r.length - 1 ? String(c) : String(c).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(t.columns), widths.map((w) => '-'.repeat(w)).join('  ').trimEnd(), ...cells.slice(1).map(line)];
}

function textSection(s: Section): string[] {
  const out = ['', s.title, (s.level === 2 ? '=' : '-').repeat(s.title.length)];
  for (const n of s.notes ?? []) out.push(cellText(n, Infinity));
  if (s.table) out.push(...(s.table.rows.length ? textTable(s.table) : ['(none)']));
  return out;
}

export function renderText(doc: ReportDocument): string {
  const out = [cellText(doc.title), '='.repeat(doc.title.length), ...doc.notes.map((n) => cellText(n, Infinity))];
  for (const s of doc.sections) out.push(...textSection(s));
  return out.join('\n') + '\n';
}

// ---- Markdown ----

/**
 * A backslash before each character Markdown could read as inline markup or HTML, and before a leading
 * one that would start a block (heading, list, quote); CommonMark lets any ASCII punctuation be escaped.
 */
export function escapeMarkdown(s: string): string {
  return escapeInline(s).replace(/^([#>+=-]|\d+(?=[.)]))/, (m) => (/\d/.test(m) ? `${m}\\` : `\\${m}`));
}

function escapeInline(s: string): string {
  return s.replace(/[\\`*_[\]<>!|~&]/g, '\\$&');
}

function markdownCell(c: Cell): string {
  if (typeof c === 'object') return `[${escapeInline(c.text)}](${encodeURI(cellText(c)).replace(/[()]/g, (p) => (p === '(' ? '%28' : '%29'))})`;
  // inside a table cell no block can start: inline escaping only (a grade stays 0.75, not 0\.75)
  return escapeInline(cellText(c));
}

function markdownTable(t: Table): string[] {
  return [
    `| ${t.columns.map((c) => escapeMarkdown(c) || ' ').join(' | ')} |`,
    `|${t.columns.map((_, i) => (t.numeric?.[i] ? ' ---: ' : ' --- ')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(markdownCell).join(' | ')} |`),
  ];
}

export function renderMarkdown(doc: ReportDocument): string {
  const out = [`# ${escapeMarkdown(cellText(doc.title))}`, '', ...doc.notes.flatMap((n) => [escapeMarkdown(cellText(n, Infinity)), ''])];
  for (const s of doc.sections) {
    out.push(`${s.level === 2 ? '##' : '###'} ${escapeMarkdown(cellText(s.title))}`, '');
    for (const n of s.notes ?? []) out.push(escapeMarkdown(cellText(n, Infinity)), '');
    if (s.table) out.push(...(s.table.rows.length ? markdownTable(s.table) : ['\\(none\\)']), '');
  }
  return out.join('\n');
}

// ---- HTML ----

function htmlCell(c: Cell, numeric: boolean | undefined): string {
  const inner = typeof c === 'object' ? `<a href="${escapeHtml(cellText(c))}">${escapeHtml(c.text)}</a>` : escapeHtml(cellText(c));
  return `<td${numeric ? ' class="n"' : ''}>${inner}</td>`;
}

function htmlTable(t: Table): string {
  const head = `<tr>${t.columns.map((c, i) => `<th${t.numeric?.[i] ? ' class="n"' : ''}>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c, i) => htmlCell(c, t.numeric?.[i])).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;font-size:14px;color:#222;margin:1.5em}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
td{font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap;word-break:break-all}.n{text-align:right}h2{border-top:2px solid #888;padding-top:.5em}`;

export function renderHtml(doc: ReportDocument): string {
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(cellText(doc.title))}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(cellText(doc.title))}</h1>`,
    ...doc.notes.map((n) => `<p>${escapeHtml(cellText(n, Infinity))}</p>`),
  ];
  for (const s of doc.sections) {
    const h = s.level === 2 ? 'h2' : 'h3';
    parts.push(`<${h}>${escapeHtml(cellText(s.title))}</${h}>`);
    for (const n of s.notes ?? []) parts.push(`<p>${escapeHtml(cellText(n, Infinity))}</p>`);
    if (s.table) parts.push(s.table.rows.length ? htmlTable(s.table) : '<p>(none)</p>');
  }
  parts.push('</body></html>');
  return parts.join('\n') + '\n';
}
