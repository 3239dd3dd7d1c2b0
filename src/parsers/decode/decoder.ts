/**
 * Turns a framed line into a LogRecord: JSON lines and key=value records become fields, a leading
 * timestamp is found and stripped from the message. A line that fails to decode as its declared
 * format is kept as plain text and counted (errors.decode), never dropped.
 */
import type { Config } from '../../config/schema.js';
import type { ComponentMetrics } from '../../model/metrics.js';
import type { ParsedRecord, RawLine } from '../../model/record.js';
import { detectHeader } from './header.js';
import { detectTimestamp, timeFromValue } from './timestamp.js';

export type DecodeOptions = Pick<Config['parse'], 'format' | 'messageFields' | 'timestampFields'> & { regex?: string };

const KV = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|[^\s,;]*)/g;
const SYSLOG_PROGRAM = /^([\w./-]+?)(?:\(([^)]*)\))?(?:\[(\d+)\])?$/;
const POSTFIX_QUEUE_ID = /^([0-9A-F]{6,12}|[0-9A-Za-z]{12,16}): /;
// client ident user [time] "METHOD path PROTO" status bytes ["referer" "agent"]
const ACCESS_LOG = /^(\S+) \S+ (\S+) \[[^\]]+\] "([A-Z]+) (\S+)(?: (HTTP\/[\d.]+))?" (\d{3}) (\d+|-)(?: "([^"]*)" "([^"]*)")?/;

export class Decoder {
  private readonly regex?: RegExp;

  constructor(
    private readonly opts: DecodeOptions,
    private readonly metrics?: ComponentMetrics,
  ) {
    if (opts.regex) this.regex = new RegExp(opts.regex);
  }

  /** Returns a record with its mining fields still empty, so one object shape flows through the pipeline. */
  decode(line: RawLine, source: string, now: number): ParsedRecord {
    const rec: ParsedRecord = {
      source,
      offset: line.offset,
      line: line.line,
      ts: now,
      tsFromRecord: false,
      raw: line.text,
      message: line.text,
      fields: EMPTY,
      truncated: line.truncated,
      templateId: 0,
      template: '',
      params: NO_PARAMS,
      change: 'none',
    };
    const format = this.opts.format;
    if (format === 'plain') return rec;
    const text = line.text;
    if (format === 'json' || (format === 'auto' && firstNonSpace(text) === 123 /* { */)) {
      if (this.decodeJson(rec, text)) return rec;
      if (format === 'json') this.metrics?.error('decode.json');
    }
    if (format === 'kv') {
      if (!this.decodeKv(rec, text)) this.metrics?.error('decode.kv');
      return rec;
    }
    if (format === 'regex') {
      if (!this.decodeRegex(rec, text)) this.metrics?.error('decode.regex');
      return rec;
    }
    // auto, free text: a leading timestamp is the record's time; the header after it (pid, level,
    // thread, component) is stripped so the miner sees the message; key=value pairs become fields.
    const found = detectTimestamp(text, now);
    if (found) {
      rec.ts = found.ts;
      rec.tsFromRecord = true;
    }
    const header = detectHeader(text, found?.end ?? 0, found?.syslog === true);
    if (header.start > 0) rec.message = text.slice(header.start).trim() || text;
    if (header.level !== undefined || header.component !== undefined) {
      // a plain literal (fast properties); keys from log text are only merged in by decodeKv, which skips __proto__
      const f: Record<string, unknown> = {};
      rec.fields = f;
      if (header.level !== undefined) f.level = header.level;
      if (header.component !== undefined) {
        // syslog `prog[pid]`: program and pid; Postfix `postfix/smtp[123]` also puts its queue id first
        const m = found?.syslog ? SYSLOG_PROGRAM.exec(header.component) : null;
        if (m) {
          f.program = m[1];
          if (m[3] !== undefined) f.pid = m[3];
          if (m[1].startsWith('postfix/')) this.postfix(rec);
        } else f.component = header.component;
      }
    } else if (found && text.charCodeAt(0) !== 91) this.accessLog(rec, text);
    if (rec.message.indexOf('=') > 0) this.decodeKv(rec, rec.message);
    return rec;
  }

  /** Postfix: `3F2A81C0B4: to=<a@b>, relay=…` — the queue id is a field (the session key of a message). */
  private postfix(rec: ParsedRecord): void {
    const m = POSTFIX_QUEUE_ID.exec(rec.message);
    if (!m) return;
    rec.fields.queueId = m[1];
    rec.message = rec.message.slice(m[0].length);
  }

  /** Common/combined access log (nginx, Apache): request fields; the message is the request and status. */
  private accessLog(rec: ParsedRecord, text: string): void {
    const m = ACCESS_LOG.exec(text);
    if (!m) return;
    const f = (rec.fields = Object.create(null) as Record<string, unknown>);
    f.client = m[1];
    if (m[2] !== '-') f.user = m[2];
    f.method = m[3];
    f.path = m[4];
    if (m[5] !== undefined) f.protocol = m[5];
    f.status = m[6];
    if (m[7] !== '-') f.bytes = m[7];
    if (m[8] !== undefined && m[8] !== '-') f.referer = m[8];
    if (m[9] !== undefined) f.userAgent = m[9];
    rec.message = `${m[3]} ${m[4]}${m[5] !== undefined ? ' ' + m[5] : ''} ${m[6]}`;
  }

  /** `parse.regex`: named groups become fields; `message` is the message, `ts`/`time`/`timestamp` the time. */
  private decodeRegex(rec: ParsedRecord, text: string): boolean {
    const m = this.regex?.exec(text);
    if (!m?.groups) return false;
    const f = (rec.fields = Object.create(null) as Record<string, unknown>);
    for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) f[k] = v;
    if (typeof f.message === 'string') rec.message = f.message;
    for (const k of ['ts', 'time', 'timestamp']) {
      const t = timeFromValue(f[k]);
      if (t !== undefined) {
        rec.ts = t;
        rec.tsFromRecord = true;
        break;
      }
    }
    return true;
  }

  private decodeJson(rec: ParsedRecord, text: string): boolean {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return false;
    const fields = flatten(obj as Record<string, unknown>);
    rec.fields = fields;
    this.setTime(rec, fields);
    for (const f of this.opts.messageFields) {
      const v = fields[f];
      if (typeof v === 'string') {
        rec.message = v;
        return true;
      }
    }
    // No message: the record's shape (its field names) is what the miner learns.
    rec.message = 'json{' + Object.keys(fields).sort().join(' ') + '}';
    return true;
  }

  /** Fields from `key=value` pairs; true when the text has at least two. */
  private decodeKv(rec: ParsedRecord, text: string): boolean {
    let fields: Record<string, unknown> | undefined;
    let n = 0;
    KV.lastIndex = 0;
    for (let m = KV.exec(text); m; m = KV.exec(text)) {
      fields ??= Object.create(null) as Record<string, unknown>;
      let v = m[2];
      if (v.length >= 2 && v[0] === '"') v = v.slice(1, -1).replace(/\\(.)/g, '$1');
      fields[m[1]] = v;
      n++;
    }
    if (n < 2 || !fields) return false;
    // header fields found earlier (level, program, queueId) stay; pairs from the message are added
    if (rec.fields === EMPTY) rec.fields = fields;
    else for (const k in fields) if (k !== '__proto__') rec.fields[k] = fields[k];
    if (!rec.tsFromRecord) this.setTime(rec, fields);
    return true;
  }

  private setTime(rec: ParsedRecord, fields: Record<string, unknown>): void {
    for (const f of this.opts.timestampFields) {
      const t = timeFromValue(fields[f]);
      if (t !== undefined) {
        rec.ts = t;
        rec.tsFromRecord = true;
        return;
      }
    }
  }
}

const NO_PARAMS: string[] = [];
const EMPTY: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) return c;
  }
  return -1;
}

/** Nested objects become dotted keys; arrays stay values. A null-prototype target keeps `__proto__` a plain key. */
export function flatten(obj: Record<string, unknown>, prefix = '', out: Record<string, unknown> = Object.create(null) as Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, path, out);
    else out[path] = v;
  }
  return out;
}
