/**
 * The only way this page builds DOM: elements and text nodes. Strings always become text nodes (never
 * markup), so log text cannot inject anything; log text additionally goes through `logText`, which shows
 * control characters as symbols.
 */
import { visiblePieces } from './display.js';
import { gradeLevel, gradeText } from './grades.js';
import { segmentsOf, type Range } from './highlight.js';

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  testid?: string;
  title?: string;
  data?: Record<string, string | number>;
  /** Plain attributes (type, name, value…): set with setAttribute, never from log text for href/src. */
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.testid) e.dataset.testid = props.testid;
  if (props.title !== undefined) e.title = props.title;
  for (const [k, v] of Object.entries(props.data ?? {})) e.dataset[k] = String(v);
  for (const [k, v] of Object.entries(props.attrs ?? {})) e.setAttribute(k, v);
  append(e, ...children);
  return e;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Log-derived text: control characters as visible, dimmed symbols, in a bidi-isolated span. */
export function logText(text: string | undefined | null, className = ''): HTMLSpanElement {
  const span = el('span', { class: `log ${className}`.trim() });
  span.dir = 'ltr';
  appendVisible(span, text ?? '');
  return span;
}

function appendVisible(parent: Node, text: string): void {
  for (const p of visiblePieces(text)) {
    // the title tells a real control character from the same symbol typed into the log
    const title = p.code === undefined ? undefined : `U+${p.code.toString(16).toUpperCase().padStart(4, '0')}`;
    parent.appendChild(p.control ? el('span', { class: 'ctl', title }, p.text) : document.createTextNode(p.text));
  }
}

/** A raw line with the given character ranges wrapped in <mark>. */
export function highlightedLine(raw: string, ranges: readonly Range[]): HTMLSpanElement {
  const span = el('span', { class: 'log raw' });
  span.dir = 'ltr';
  for (const s of segmentsOf(raw, ranges)) {
    if (!s.hit) appendVisible(span, s.text);
    else {
      const m = el('mark');
      appendVisible(m, s.text);
      span.appendChild(m);
    }
  }
  return span;
}

export function gradeBadge(grade: number): HTMLSpanElement {
  return el('span', { class: `badge grade-${gradeLevel(grade)}`, title: `grade ${grade}`, testid: 'grade' }, gradeText(grade));
}

export function statusBadge(status: string): HTMLSpanElement {
  return el('span', { class: `status status-${status.replace(/[^a-z_]/g, '')}`, testid: 'status' }, status.replace('_', ' '));
}

/** An internal link; `hash` is built by the page from encoded ids, never taken from log text as is. */
export function link(hash: string, ...children: Child[]): HTMLAnchorElement {
  const a = el('a', {}, ...children);
  a.href = hash;
  return a;
}

export function fmtTime(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function fmtNumber(n: number | undefined | null, digits = 0): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '–';
  return n.toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function fmtBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** A message in place of content (loading, empty, failed). */
export function note(text: string, kind: 'info' | 'error' = 'info'): HTMLParagraphElement {
  return el('p', { class: `note note-${kind}`, testid: kind === 'error' ? 'error' : 'note' }, text);
}

export function table(headers: string[], rows: HTMLTableRowElement[], testid?: string): HTMLTableElement {
  return el('table', { class: 'grid', testid }, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))), el('tbody', {}, ...rows));
}
