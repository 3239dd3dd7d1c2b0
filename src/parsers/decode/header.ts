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

interface Tok {
  text: string;
  start: number;
}

/** Reads whitespace-separated tokens lazily; a bracket group `[a b]` stays one token. */
class Tokens {
  private readonly got: Tok[] = [];
  private pos: number;

  constructor(
    private readonly text: string,
    from: number,
  ) {
    this.pos = from;
  }

  /** Token i, or undefined past the end of the text. */
  at(i: number): Tok | undefined {
    while (this.got.length <= i) {
      const t = this.next();
      if (!t) return undefined;
      this.got.push(t);
    }
    return this.got[i];
  }

  private next(): Tok | undefined {
    const text = this.text;
    let i = this.pos;
    while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i >= text.length) return undefined;
    const start = i;
    let depth = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 91) depth++;
      else if (c === 93) depth = Math.max(0, depth - 1);
      else if ((c === 32 || c === 9) && depth === 0) break;
      i++;
    }
    this.pos = i;
    return { text: text.slice(start, i), start };
  }
}

function levelOf(tok: string): string | undefined {
  const c = tok.charCodeAt(0);
  // levels are short upper-case words or bracketed: skip the set lookup for everything else
  if (tok.length > 10 || !((c >= 65 && c <= 90) || c === 91)) return undefined;
  if (LEVELS.has(tok)) return tok;
  if (tok.length > 2 && c === 91 && tok.charCodeAt(tok.length - 1) === 93) {
    const inner = tok.slice(1, -1).toUpperCase();
    if (LEVELS.has(inner)) return inner;
  }
  return undefined;
}

/** Header-like: `-`, numbers, dates and times, ids with digits, upper-case words (RAS, KERNEL). */
function headerLike(tok: string): boolean {
  if (tok === '-') return true;
  let upper = true;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
    if (!((c >= 65 && c <= 90) || (c === 95 && i > 0))) upper = false;
  }
  return upper && tok.length > 0;
}

/** `prog[pid]:`, `prog(sub)[pid]:`, `a.b.Class$Inner:` — a component name ending the header. */
function isComponent(tok: string): boolean {
  return tok.length > 1 && tok.endsWith(':') && /^[\w.$@/()[\]-]+:$/.test(tok) && !/^\d+:$/.test(tok);
}

/**
 * Where the message starts in `text`, given where the timestamp ended (`from`, 0 when none) and whether
 * it was a syslog-style time.
 */
export function detectHeader(text: string, from: number, syslog: boolean): HeaderInfo {
  const toks = new Tokens(text, from);
  const t0 = toks.at(0);
  const t1 = toks.at(1);
  if (!t0 || !t1) return { start: from };
  // syslog: host prog[pid]: message
  if (syslog) {
    const t2 = toks.at(2);
    if (t2 && !isComponent(t0.text) && isComponent(t1.text)) return { start: t2.start, component: t1.text.slice(0, -1) };
  }
  for (let i = 0; i < 10; i++) {
    const t = toks.at(i);
    if (!t) break;
    const level = levelOf(t.text);
    if (level) {
      let j = i + 1;
      let component: string | undefined;
      const text = (k: number) => toks.at(k)?.text;
      // thread / node in brackets, then a component, then an optional ` - ` separator
      for (let b = text(j); b !== undefined && b.startsWith('[') && b.endsWith(']'); b = text(j)) {
        const after = text(j + 1);
        if (after === undefined || !(isComponent(after) || after === '-')) break;
        j++;
      }
      const comp = text(j);
      if (comp !== undefined && isComponent(comp) && toks.at(j + 1)) {
        component = comp.slice(0, -1);
        j++;
      }
      if (text(j) === '-' && toks.at(j + 1)) j++;
      const msg = toks.at(j);
      return msg ? { start: msg.start, level, component } : { start: from };
    }
    if (!headerLike(t.text)) break;
  }
  return { start: from };
}
