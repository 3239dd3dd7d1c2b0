/**
 * Line framing over a byte stream: splits on LF, holds a partial last line, truncates over-long lines
 * without buffering them, decodes UTF-8 with U+FFFD for invalid bytes. Its position (`offset`, `line`,
 * `skipping`) is exactly what a checkpoint stores: every byte before `offset` has been turned into lines.
 */
import type { RawLine } from '../model/record.js';
import type { ComponentMetrics } from '../model/metrics.js';

export interface FramerPosition {
  /** First byte not yet accounted for (the start of a held partial line, if any). */
  offset: number;
  /** Lines completed before `offset`. */
  line: number;
  /** Inside an over-long line whose head was already emitted: discard up to the next LF. */
  skipping: boolean;
}

export interface FramerOptions {
  maxLineBytes: number;
  dedupConsecutive?: boolean;
}

const LF = 10;
const CR = 13;

export class LineFramer {
  private pos: FramerPosition;
  /** Bytes of a line whose LF has not arrived yet (at most maxLineBytes). */
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Stream position just after the last byte pushed. */
  private readEnd: number;
  private lastText: string | undefined;

  constructor(
    start: FramerPosition,
    private readonly opts: FramerOptions,
    private readonly metrics?: ComponentMetrics,
  ) {
    this.pos = { ...start };
    this.readEnd = start.offset;
  }

  /** Checkpointable position: a held partial line is not yet consumed. */
  position(): FramerPosition {
    return { ...this.pos };
  }

  /** Stream position after everything pushed so far (where the next read starts). */
  get readPosition(): number {
    return this.readEnd;
  }

  get hasPartial(): boolean {
    return this.pendingLen > 0;
  }

  /** Frames `buf`, which must continue the stream exactly at `readPosition`. `buf` may be reused afterwards. */
  push(buf: Buffer, out: RawLine[]): void {
    const max = this.opts.maxLineBytes;
    let i = 0;
    const n = buf.length;
    const base = this.readEnd;
    this.readEnd += n;
    while (i < n) {
      const nl = buf.indexOf(LF, i);
      const end = nl < 0 ? n : nl;
      if (this.pos.skipping) {
        if (nl < 0) {
          this.pos.offset = base + n;
          return;
        }
        this.pos.skipping = false;
        this.pos.offset = base + nl + 1;
        i = nl + 1;
        continue;
      }
      if (nl < 0) {
        // No LF: hold the rest, unless the held line is now too long.
        const room = max - this.pendingLen;
        if (end - i <= room) {
          if (end > i) {
            this.pending.push(Buffer.from(buf.subarray(i, end)));
            this.pendingLen += end - i;
          }
          return;
        }
        this.pending.push(Buffer.from(buf.subarray(i, i + room)));
        this.pendingLen += room;
        this.emitPending(out, true, base + n);
        this.pos.skipping = true;
        return;
      }
      let text: string;
      let truncated = false;
      const lineStart = this.pendingLen > 0 ? this.pos.offset : base + i;
      if (this.pendingLen > 0) {
        const room = max - this.pendingLen;
        const take = Math.min(end - i, room);
        truncated = end - i > room;
        this.pending.push(buf.subarray(i, i + take));
        const whole = Buffer.concat(this.pending, this.pendingLen + take);
        this.pending = [];
        this.pendingLen = 0;
        text = decode(whole, 0, whole.length, truncated);
      } else {
        truncated = end - i > max;
        text = decode(buf, i, truncated ? i + max : end, truncated);
      }
      this.pos.line += 1;
      this.pos.offset = base + nl + 1;
      i = nl + 1;
      if (this.metrics) this.metrics.received++;
      if (truncated) this.metrics?.drop('truncated');
      if (text.length === 0) {
        this.metrics?.drop('empty');
        continue;
      }
      if (this.isDuplicate(text)) continue;
      out.push({ text, offset: lineStart, line: this.pos.line, truncated });
    }
  }

  /** With `dedupConsecutive`, a line equal to the one emitted just before it is dropped and counted. */
  private isDuplicate(text: string): boolean {
    if (!this.opts.dedupConsecutive) return false;
    if (text === this.lastText) {
      this.metrics?.drop('duplicate');
      return true;
    }
    this.lastText = text;
    return false;
  }

  /** Emits a held partial line as it is (after the partial-line timeout, or at end of input). */
  flushPartial(out: RawLine[]): void {
    if (this.pendingLen > 0) this.emitPending(out, false, this.readEnd);
  }

  private emitPending(out: RawLine[], truncated: boolean, consumedTo: number): void {
    const whole = Buffer.concat(this.pending, this.pendingLen);
    const start = this.pos.offset;
    this.pending = [];
    this.pendingLen = 0;
    this.pos.line += 1;
    this.pos.offset = consumedTo;
    if (this.metrics) this.metrics.received++;
    if (truncated) this.metrics?.drop('truncated');
    const text = decode(whole, 0, whole.length, truncated);
    if (text.length === 0) {
      this.metrics?.drop('empty');
      return;
    }
    if (this.isDuplicate(text)) return;
    out.push({ text, offset: start, line: this.pos.line, truncated });
  }
}

/**
 * UTF-8 → string (invalid sequences become U+FFFD), without a trailing CR. A line `cut` at the byte limit
 * ends before a multi-byte character the cut split: its head would decode to a 3-byte U+FFFD and push
 * the stored text past the limit.
 */
function decode(buf: Buffer, start: number, end: number, cut = false): string {
  if (cut) end = charBoundary(buf, start, end);
  if (end > start && buf[end - 1] === CR) end -= 1;
  return buf.toString('utf8', start, end);
}

/** `end`, or the start of a well-formed multi-byte sequence that begins before `end` but ends after it. */
function charBoundary(buf: Buffer, start: number, end: number): number {
  for (let p = end - 1; p >= Math.max(start, end - 3); p--) {
    const b = buf[p];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead byte
    const len = b >= 0xf0 ? (b <= 0xf4 ? 4 : 1) : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return p + len > end && len > 1 ? p : end;
  }
  return end;
}
