/**
 * Header detection for `--format auto`: finds where the message starts after the usual header fields
 * (timestamp, process id, level, thread in brackets, component or `host prog[pid]:`), so the template
 * miner sees the message only. General rules, no per-format tables:
 *  - a level word (INFO, WARN, ERROR… upper case, or any case in brackets: `[notice]`) within the first
 *    ten tokens, preceded only by header-like tokens (numbers, dates, ids, upper-case words, `-`), ends
 *    the fixed part; after it a bracketed thread and a `component:` token are header too, and a ` - `
 *    separator closes the header;
 *  - after a syslog time (`Jun 14 15:16:01`), `host prog[pid]:` or `host prog:` is the header.
 */

const LEVELS = new Set([
  'TRACE',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARN',
  'WARNING',
  'ERROR',
  'ERR',
  'CRIT',
  'CRITICAL',
  'ALERT',
  'EMERG',
  'FATAL',
  'SEVERE',
  'FINE',
  'FINER',
  'FINEST',
  'CONFIG',
]);

export interface HeaderInfo {
  /** Index in the text where the message starts. */
  start: number;
  level?: string;
  component?: string;
}

/**
 * Token scanner without allocations: `scan` finds the token starting at or after `pos` and leaves its
 * bounds in `tokStart`/`tokEnd`; a bracket group `[a b]` stays one token. (Module state: one caller at a time.)
 */
let tokStart = 0;
let tokEnd = 0;

function scan(text: string, pos: number): boolean {
  let i = pos;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  if (i >= n) return false;
  tokStart = i;
  let depth = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 91) depth++;
    else if (c === 93) depth = depth > 0 ? depth - 1 : 0;
    else if ((c === 32 || c === 9) && depth === 0) break;
    i++;
  }
  tokEnd = i;
  return true;
}

function isBracketed(text: string, start: number, end: number): boolean {
  return end - start > 1 && text.charCodeAt(start) === 91 && text.charCodeAt(end - 1) === 93;
}

/** The levels by length (up to 10): a token is compared in place with the few of its length, not cut out and hashed. */
const LEVELS_BY_LENGTH: string[][] = Array.from({ length: 11 }, () => []);
for (const l of LEVELS) LEVELS_BY_LENGTH[l.length].push(l);

function levelOf(text: string, start: number, end: number): string | undefined {
  const c = text.charCodeAt(start);
  // levels are short upper-case words or bracketed: skip the lookup for everything else
  if (end - start > 10 || !((c >= 65 && c <= 90) || c === 91)) return undefined;
  if (c !== 91) {
    for (const l of LEVELS_BY_LENGTH[end - start]) if (text.startsWith(l, start)) return l;
    return undefined;
  }
  const tok = text.slice(start, end);
  if (tok.length > 2 && c === 91 && tok.charCodeAt(tok.length - 1) === 93) {
    const inner = tok.slice(1, -1).toUpperCase();
    if (LEVELS.has(inner)) return inner;
  }
  return undefined;
}

/** Header-like: `-`, numbers, dates and times, ids with digits, upper-case words (RAS, KERNEL). */
function headerLike(text: string, start: number, end: number): boolean {
  if (isDash(text, start, end)) return true;
  let upper = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
    if (!((c >= 65 && c <= 90) || (c === 95 && i > start))) upper = false;
  }
  return upper && end > start;
}

/**
 * `prog[pid]:`, `prog(sub)[pid]:`, `a.b.Class$Inner:` — a component name ending the header: text[start, end)
 * is word characters and `.$@/()[]-` then a colon, and not only digits.
 */
function isComponent(text: string, start: number, end: number): boolean {
  if (end - start < 2 || text.charCodeAt(end - 1) !== 58 /* : */) return false;
  let digitsOnly = true;
  for (let i = start; i < end - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    digitsOnly = false;
    if (!(c < 128 && COMPONENT_CHAR[c])) return false;
  }
  return !digitsOnly;
}

const COMPONENT_CHAR = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.$@/()[]-') COMPONENT_CHAR[ch.charCodeAt(0)] = 1;

/**
 * Where the message starts in `text`, given where the timestamp ended (`from`, 0 when none) and whether
 * it was a syslog-style time.
 */
export function detectHeader(text: string, from: number, syslog: boolean): HeaderInfo {
  if (!scan(text, from)) return { start: from };
  const s0 = tokStart;
  const e0 = tokEnd;
  if (!scan(text, e0)) return { start: from };
  const s1 = tokStart;
  const e1 = tokEnd;
  // syslog: host prog[pid]: message
  if (syslog && scan(text, e1) && isComponent(text, s1, e1) && !isComponent(text, s0, e0)) return { start: tokStart, component: text.slice(s1, e1 - 1) };
  let ts = s0;
  let te = e0;
  for (let i = 0; i < 10; i++) {
    if (i === 1) {
      // the second token was scanned above
      ts = s1;
      te = e1;
    } else if (i > 1) {
      if (!scan(text, te)) break;
      ts = tokStart;
      te = tokEnd;
    }
    const level = levelOf(text, ts, te);
    if (level) return afterLevel(text, te, level, from);
    if (!headerLike(text, ts, te)) break;
  }
  return { start: from };
}

/** After the level: `[thread]`s followed by a component or `-`, a `component:`, a ` - ` separator. */
function afterLevel(text: string, pos: number, level: string, from: number): HeaderInfo {
  if (!scan(text, pos)) return { start: from };
  let s = tokStart;
  let e = tokEnd;
  while (isBracketed(text, s, e)) {
    if (!scan(text, e)) return { start: s, level };
    const ns = tokStart;
    const ne = tokEnd;
    if (!(isDash(text, ns, ne) || isComponent(text, ns, ne))) break;
    s = ns;
    e = ne;
  }
  let component: string | undefined;
  if (!isDash(text, s, e) && isComponent(text, s, e) && scan(text, e)) {
    component = text.slice(s, e - 1);
    s = tokStart;
    e = tokEnd;
  }
  if (isDash(text, s, e) && scan(text, e)) s = tokStart;
  return { start: s, level, component };
}

function isDash(text: string, s: number, e: number): boolean {
  return e - s === 1 && text.charCodeAt(s) === 45;
}
