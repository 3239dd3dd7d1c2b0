/**
 * Multi-line records, grouped where lines are framed: a continuation line joins the record before it,
 * and a record is held until a line that starts the next one arrives, its `flushTimeout` passes (the
 * caller's clock), or it reaches `maxLines`/`maxBytes`. The grouped record keeps its first line's
 * number and offset; its text is its lines joined by LF.
 *
 * Held lines are not consumed: a file's checkpoint stays at the start of the held record (`first`), so
 * after a crash or restart the record is read again whole — nothing lost, nothing twice.
 *
 * Built-in rules (without `start`): a line continues the record when it is indented, an unindented Java
 * frame (`at x.Y(Y.java:1)`), `Caused by:`, `Suppressed:`, `... N more`, a Java exception line
 * (`java.lang.IllegalStateException: boom`), or part of a Python traceback (`Traceback (most recent
 * call last):`, its `File "…", line N` frames, the exception line that ends it, the sentences that chain
 * tracebacks). A JSON document starting at column 0 and left open at the end of its line (pretty-printed)
 * takes lines until its brackets close; a complete JSON line is a record by itself and is not held.
 */
import type { Config } from '../config/schema.js';
import type { ComponentMetrics } from '../model/metrics.js';
import type { RawLine } from '../model/record.js';
import { compileUserRegex } from '../util/user-regex.js';

export interface MultilineOptions {
  maxLines: number;
  maxBytes: number;
  /** Milliseconds a record waits for continuation lines after its last line (applied by the caller). */
  flushTimeout: number;
  /** A line matching this starts a record; every other line continues one (replaces the built-in rules). */
  start?: string;
}

/** Grouping options for a parse config; undefined when lines are not grouped (format plain, or disabled). */
export function multilineOptions(parse: Pick<Config['parse'], 'format' | 'multiline'>): MultilineOptions | undefined {
  if (parse.format === 'plain' || !parse.multiline.enabled) return undefined;
  const { maxLines, maxBytes, flushTimeout, start } = parse.multiline;
  return { maxLines, maxBytes, flushTimeout, start };
}

const JAVA_EXCEPTION = /^(?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::|$)/;
const MORE_FRAMES = /^\.\.\. \d+ (?:more|common frames omitted)/;
const PY_FILE = /^File "[^"]*", line \d+/;
const PY_EXCEPTION = /^[A-Za-z_][\w.]*(?::|$)/;

export class LineGrouper {
  private held: RawLine[] = [];
  private heldBytes = 0;
  /** The held record is a JSON document whose brackets are still open. */
  private json = false;
  private depth = 0;
  /** A Python traceback is waiting for its exception line. */
  private traceback = false;
  private readonly start?: RegExp;

  constructor(
    private readonly opts: MultilineOptions,
    private readonly metrics?: ComponentMetrics,
  ) {
    if (opts.start !== undefined) this.start = compileUserRegex(opts.start, '', 'parse.multiline.start');
  }

  /** First line of the held record: a checkpoint must not pass it. */
  get first(): RawLine | undefined {
    return this.held[0];
  }

  get holding(): boolean {
    return this.held.length > 0;
  }

  /** Groups `line`; complete records go to `out`, in input order. */
  push(line: RawLine, out: RawLine[]): void {
    if (this.metrics) this.metrics.received++;
    const t = line.text;
    if (this.held.length > 0) {
      if (this.json) {
        if (jsonInner(t)) {
          this.append(line);
          this.depth = jsonDepth(t, this.depth);
          if (this.depth <= 0) this.emit(out);
          else if (this.heldBytes > this.opts.maxBytes) this.split(out);
          return;
        }
        this.emit(out); // a document that never closed: emitted as it is (its decoder counts it)
      } else if (this.continues(t)) {
        const bytes = Buffer.byteLength(t) + 1;
        if (this.held.length < this.opts.maxLines && this.heldBytes + bytes <= this.opts.maxBytes) {
          this.held.push(line);
          this.heldBytes += bytes;
          return;
        }
        this.split(out);
      } else this.emit(out);
    }
    this.begin(line, out);
  }

  /** Emits the held record as it is (flush timeout, end of input). */
  flush(out: RawLine[]): void {
    if (this.held.length > 0) this.emit(out);
  }

  private begin(line: RawLine, out: RawLine[]): void {
    const t = line.text;
    const c = t.charCodeAt(0);
    if (this.start === undefined && (c === 123 || c === 91) && jsonOpening(t)) {
      // `{…}` on one line is the common case (JSON lines): closed without a scan
      const depth = t.charCodeAt(t.length - 1) === c + 2 ? 0 : jsonDepth(t, 0);
      if (depth <= 0) {
        if (this.metrics) this.metrics.emitted++;
        out.push(line); // one complete JSON record: nothing can continue it
        return;
      }
      this.json = true;
      this.depth = depth;
    } else this.traceback = c === 84 && t.startsWith('Traceback (');
    this.append(line);
  }

  private append(line: RawLine): void {
    this.held.push(line);
    this.heldBytes += Buffer.byteLength(line.text) + 1;
  }

  /** The limits were reached: what is held goes out as a record of its own (counted). */
  private split(out: RawLine[]): void {
    this.metrics?.error('multiline.limit');
    this.emit(out);
  }

  private emit(out: RawLine[]): void {
    const h = this.held;
    if (this.metrics) this.metrics.emitted++;
    if (h.length === 1) out.push(h[0]);
    else {
      let text = h[0].text;
      let truncated = h[0].truncated;
      for (let i = 1; i < h.length; i++) {
        text += '\n' + h[i].text;
        truncated ||= h[i].truncated;
      }
      out.push({ text, offset: h[0].offset, line: h[0].line, truncated });
    }
    this.held = [];
    this.heldBytes = 0;
    this.json = false;
    this.depth = 0;
    this.traceback = false;
  }

  private continues(t: string): boolean {
    if (this.start !== undefined) return !this.start.test(t);
    const c = t.charCodeAt(0);
    if (c === 32 || c === 9) return true;
    if (this.traceback) {
      if (t.startsWith('Traceback (')) return true;
      if (PY_EXCEPTION.test(t)) {
        this.traceback = false; // the exception line ends the traceback
        return true;
      }
    }
    switch (c) {
      case 97 /* a */:
        return t.startsWith('at ') && t.indexOf('(') > 3;
      case 67 /* C */:
        return t.startsWith('Caused by: ');
      case 83 /* S */:
        return t.startsWith('Suppressed: ');
      case 46 /* . */:
        return MORE_FRAMES.test(t);
      case 70 /* F */:
        return PY_FILE.test(t);
      case 68 /* D */:
        if (!t.startsWith('During handling of the above exception')) return false;
        this.traceback = true;
        return true;
      case 84 /* T */:
        if (!t.startsWith('Traceback (') && !t.startsWith('The above exception was the direct cause')) return false;
        this.traceback = true;
        return true;
    }
    // an exception line after the message that logged it: `java.lang.IllegalStateException: boom`
    return c >= 97 && c <= 122 && JAVA_EXCEPTION.test(t);
  }
}

/** `{` / `[` followed by what JSON has there (`"`, a bracket, or the end of the line), not `[INFO]`. */
function jsonOpening(t: string): boolean {
  for (let i = 1; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c === 34 || c === 123 || c === 91 || c === 125 || c === 93;
  }
  return true;
}

/** Inside a pretty-printed document: indented, or a closing bracket. */
function jsonInner(t: string): boolean {
  const c = t.charCodeAt(0);
  return c === 32 || c === 9 || c === 125 || c === 93 || c === 44;
}

/** Bracket depth after `t`, starting from `depth` (strings skipped; JSON strings never span lines). */
function jsonDepth(t: string, depth: number): number {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 34) {
      for (i++; i < t.length; i++) {
        const s = t.charCodeAt(i);
        if (s === 92) i++;
        else if (s === 34) break;
      }
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return depth;
}
