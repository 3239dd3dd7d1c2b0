/**
 * Groups records into sessions by a key (the first match of a regex on the raw line, e.g. an HDFS block
 * id, or a field such as a Postfix queue id) and says when a session ends: an end marker, an idle
 * timeout in log time (record timestamps), or the end of input. Sessions are scored only when they end,
 * because a sequence model or a count vector judges the whole session.
 */
import type { ParsedRecord } from '../model/record.js';
import { compileUserRegex } from '../util/user-regex.js';

export interface SessionOptions {
  /** Regex whose first match in the raw line is the session key (compiled once). */
  key?: string;
  /** Field holding the session key (used when `key` is not set). */
  field?: string;
  /** Regex on the raw line marking the last record of a session. */
  end?: string;
  /** Idle time in log time after which an open session ends (ms). */
  idleTimeout: number;
  /** Events kept per session (longer sessions keep counting but not their sequence). */
  maxEvents: number;
  /** Open sessions kept; beyond that the least recently active one is ended early (counted). */
  maxOpen: number;
}

/** What session detectors get with an ended session. */
export interface SessionContext {
  /** A template's text, for explanations. */
  describe(templateId: number): string;
}

/** A line of a session, for explanations. */
export interface SessionLine {
  line: number;
  offset: number;
  file?: string;
  raw: string;
}

export interface OpenSession {
  key: string;
  first: number;
  last: number;
  /** Template ids in order (at most maxEvents). */
  events: number[];
  /** Events seen (may exceed events.length). */
  total: number;
  /** The first few lines (line numbers, offsets, raw text) for explanations. */
  lines: SessionLine[];
}

const KEPT_LINES = 16;

export class SessionTracker {
  private readonly keyRe?: RegExp;
  private readonly endRe?: RegExp;
  /** Insertion-ordered (by first record): beyond maxOpen the oldest session is ended first. */
  private readonly open = new Map<string, OpenSession>();
  private nextSweep = -Infinity;
  private lastTs = -Infinity;
  /** Sessions ended early because too many were open. */
  evicted = 0;

  constructor(private readonly opts: SessionOptions) {
    if (opts.key) this.keyRe = compileUserRegex(opts.key, '', 'session.key');
    if (opts.end) this.endRe = compileUserRegex(opts.end, '', 'session.end');
  }

  get enabled(): boolean {
    return this.keyRe !== undefined || this.opts.field !== undefined;
  }

  get size(): number {
    return this.open.size;
  }

  keyOf(rec: ParsedRecord): string | undefined {
    if (this.keyRe) {
      const m = this.keyRe.exec(rec.raw);
      return m ? m[0] : undefined;
    }
    if (this.opts.field === undefined) return undefined;
    const v = rec.fields[this.opts.field];
    return v === undefined || v === null || v === '' ? undefined : String(v);
  }

  /**
   * Adds a record; returns the sessions that ended because of it (idle ones, its own on an end marker,
   * the oldest when over capacity, all of them when log time jumps back by more than the timeout).
   */
  add(rec: ParsedRecord, file?: string): OpenSession[] {
    const ended: OpenSession[] = [];
    if (rec.ts < this.lastTs - this.opts.idleTimeout) {
      // log time jumped back by more than the timeout (another file's timeline, a replay): the open
      // sessions cannot be continued by what follows, so they end here
      for (const s of this.open.values()) ended.push(s);
      this.open.clear();
      this.nextSweep = -Infinity;
    }
    this.lastTs = rec.ts;
    if (rec.ts >= this.nextSweep) {
      this.sweep(rec.ts, ended);
      this.nextSweep = rec.ts + Math.max(1000, this.opts.idleTimeout / 10);
    }
    const key = this.keyOf(rec);
    if (key === undefined) return ended;
    let s = this.open.get(key);
    if (!s) this.open.set(key, (s = { key, first: rec.ts, last: rec.ts, events: [], total: 0, lines: [] }));
    if (rec.ts > s.last) s.last = rec.ts;
    s.total++;
    if (s.events.length < this.opts.maxEvents) s.events.push(rec.templateId);
    if (s.lines.length < KEPT_LINES) s.lines.push({ line: rec.line, offset: rec.offset, file, raw: rec.raw });
    if (this.endRe?.test(rec.raw)) {
      this.open.delete(key);
      ended.push(s);
    }
    if (this.open.size > this.opts.maxOpen) {
      const oldest = this.open.keys().next().value as string;
      ended.push(this.open.get(oldest)!);
      this.open.delete(oldest);
      this.evicted++;
    }
    return ended;
  }

  /** Ends every session idle since before `now - idleTimeout` (log time). */
  sweep(now: number, ended: OpenSession[] = []): OpenSession[] {
    const limit = now - this.opts.idleTimeout;
    // not strictly ordered by `last` (log time may step back), so check them all; sweeps are rare
    for (const [k, s] of this.open) {
      if (s.last < limit) {
        this.open.delete(k);
        ended.push(s);
      }
    }
    return ended;
  }

  /** Ends every open session (end of input in batch mode). */
  drain(): OpenSession[] {
    const all = [...this.open.values()];
    this.open.clear();
    return all;
  }

  snapshot(): OpenSession[] {
    return [...this.open.values()];
  }

  restore(sessions: OpenSession[]): void {
    this.open.clear();
    for (const s of sessions) this.open.set(s.key, s);
  }
}
