/**
 * Turns a framed line (or a multi-line record) into LogRecords: JSON lines and key=value records become
 * fields, AWS records (WAF, CloudTrail, CloudWatch) get a message made for mining, syslog and web-server
 * headers become fields, a leading timestamp is found and the header after it stripped from the message.
 * A line that fails to decode as its declared format is kept as plain text and counted
 * (errors `decode.<format>`), never dropped.
 */
import type { Config } from '../../config/schema.js';
import type { ComponentMetrics } from '../../model/metrics.js';
import type { ParsedRecord, RawLine } from '../../model/record.js';
import { awsKind, cloudTrailMessage, containerOf, elementSpans, wafMessage, type AwsKind, type Container } from './aws.js';
import { detectHeader } from './header.js';
import { addPostfixFields } from './postfix.js';
import { read5424, readPri, severityLevel } from './syslog.js';
import { detectTimestamp, timeFromValue } from './timestamp.js';
import { apacheClient, decodeAccessLog, decodeApacheError, decodeNginxError } from './webserver.js';
import { compileUserRegex } from '../../util/user-regex.js';

export type DecodeOptions = Pick<Config['parse'], 'format' | 'messageFields' | 'timestampFields'> & { regex?: string };

const KV = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|[^\s,;]*)/g;
const SYSLOG_PROGRAM = /^([\w./-]+?)(?:\(([^)]*)\))?(?:\[(\d+)\])?$/;
const POSTFIX_QUEUE_ID = /^([0-9A-F]{6,12}|[0-9A-Za-z]{12,16}): /;
// java.lang.IllegalStateException: boom | Caused by: x.y.Z | ValueError: bad (after a Python traceback)
const JAVA_EXCEPTION = /^(?:Caused by: )?((?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable))(?::|$)/;
const PYTHON_EXCEPTION = /^([A-Za-z_][\w.]*)(?::|$)/;

/** Formats whose lines may be JSON documents. */
const JSON_FORMATS = new Set(['auto', 'json', 'waf', 'cloudtrail', 'cloudwatch']);
const AWS_FORMATS = new Set(['waf', 'cloudtrail', 'cloudwatch']);
/** A CloudWatch message holding JSON is decoded again, this deep at most. */
const MAX_NESTING = 2;
const FAILED = Symbol('failed');

export class Decoder {
  private readonly regex?: RegExp;
  /** The format's lines may be JSON documents. */
  private readonly jsonFormat: boolean;

  constructor(
    private readonly opts: DecodeOptions,
    private readonly metrics?: ComponentMetrics,
  ) {
    if (opts.regex) this.regex = compileUserRegex(opts.regex, '', 'parse.regex');
    this.jsonFormat = JSON_FORMATS.has(opts.format);
  }

  /** One record per line; a JSON export of many records stays one record here (see `decodeMany`). */
  decode(line: RawLine, source: string, now: number): ParsedRecord {
    const rec = newRecord(line, source, now);
    this.fill(rec, now);
    return rec;
  }

  /**
   * Like `decode`, but a JSON document holding many records (a CloudTrail export `{"Records":[…]}`,
   * CloudWatch `logEvents`, a top-level array) gives one record per element, each with its own text,
   * line and offset.
   */
  decodeMany(line: RawLine, source: string, now: number, out: ParsedRecord[]): void {
    const rec = newRecord(line, source, now);
    if (this.fill(rec, now, out)) out.push(rec);
  }

  /** The elements of a JSON export, from the record `doc` that holds the whole document. */
  private split(doc: ParsedRecord, now: number, c: Container, out: ParsedRecord[]): void {
    const text = doc.raw;
    const spans = elementSpans(text, c.key);
    const aligned = spans !== undefined && spans.length === c.items.length;
    for (let i = 0; i < c.items.length; i++) {
      const item = c.items[i];
      let sub: RawLine;
      if (aligned) {
        const [s, e] = spans[i];
        const before = text.slice(0, s);
        sub = { text: text.slice(s, e), offset: doc.offset + Buffer.byteLength(before), line: doc.line + countLf(before), truncated: doc.truncated };
      } else sub = { text: JSON.stringify(item), offset: doc.offset, line: doc.line, truncated: doc.truncated };
      const rec = newRecord(sub, doc.source, now);
      if (isPlainObject(item)) this.fromObject(rec, c.shared ? { ...c.shared, ...item } : item, now, 0, c.kind);
      else this.metrics?.error(`decode.${this.opts.format}`);
      out.push(rec);
    }
  }

  /**
   * Decodes `rec.raw` by the configured format. With `out`, a JSON export is split into its records
   * there and false is returned (`rec` itself is not a record then).
   */
  private fill(rec: ParsedRecord, now: number, out?: ParsedRecord[]): boolean {
    const format = this.opts.format;
    if (format === 'plain') return true;
    const text = rec.raw;
    if (this.jsonFormat) {
      if (jsonLed(text)) {
        const obj = tryParse(text);
        const c = out !== undefined && obj !== FAILED ? containerOf(obj, format) : undefined;
        if (c) {
          this.split(rec, now, c, out!);
          return false;
        }
        if (isPlainObject(obj)) {
          this.fromObject(rec, obj, now, 0);
          return true;
        }
        if (format !== 'auto') {
          this.metrics?.error(`decode.${format}`);
          return true;
        }
      } else if (format !== 'auto') {
        this.metrics?.error(`decode.${format}`);
        return true;
      }
    }
    // A multi-line record (a stack trace) is decoded by its first line; its exception is added below.
    const nl = text.indexOf('\n');
    const first = nl < 0 ? text : text.slice(0, nl);
    switch (format) {
      case 'kv':
        if (!this.decodeKv(rec, first)) this.metrics?.error('decode.kv');
        break;
      case 'regex':
        if (!this.decodeRegex(rec, text)) this.metrics?.error('decode.regex');
        return true;
      case 'syslog':
        if (!this.decodeSyslog(rec, first, now, true)) this.metrics?.error('decode.syslog');
        break;
      case 'nginx':
      case 'apache':
        if (!this.decodeWebServer(rec, first, now)) this.metrics?.error(`decode.${format}`);
        break;
      default:
        // auto, free text
        if (first.charCodeAt(0) !== 60 /* < */ || !this.decodeSyslog(rec, first, now, false)) this.decodeText(rec, first, now, false);
    }
    if (nl >= 0) this.addException(rec, text, nl);
    return true;
  }

  /**
   * A JSON object: flattened into fields; AWS records get their own message; otherwise the first
   * `parse.messageFields` string, else the record's shape (its field names).
   */
  private fromObject(rec: ParsedRecord, obj: Record<string, unknown>, now: number, depth: number, known?: AwsKind): void {
    const fields = flatten(obj);
    rec.fields = fields;
    this.setTime(rec, fields);
    const kind = this.opts.format === 'json' ? undefined : (known ?? awsKind(fields));
    if (kind === undefined && AWS_FORMATS.has(this.opts.format)) this.metrics?.error(`decode.${this.opts.format}`);
    switch (kind) {
      case 'waf':
        rec.message = wafMessage(fields);
        this.timeFrom(rec, fields.timestamp);
        return;
      case 'cloudtrail':
        rec.message = cloudTrailMessage(fields);
        this.timeFrom(rec, fields.eventTime);
        return;
      case 'cloudwatch':
        if (depth < MAX_NESTING && typeof fields.message === 'string') {
          this.timeFrom(rec, fields.timestamp);
          this.decodeCloudWatch(rec, fields, now, depth);
          return;
        }
    }
    for (const f of this.opts.messageFields) {
      const v = fields[f];
      if (typeof v === 'string') {
        rec.message = v;
        return;
      }
    }
    // No message: the record's shape (its field names) is what the miner learns.
    rec.message = 'json{' + Object.keys(fields).sort().join(' ') + '}';
  }

  /**
   * CloudWatch Logs event: its `message` is decoded again, as JSON (an application's JSON log, a
   * CloudTrail event) or as free text with headers; the event's own keys (logStream, logGroup, …) stay
   * as fields unless the inner record has the same names.
   */
  private decodeCloudWatch(rec: ParsedRecord, outer: Record<string, unknown>, now: number, depth: number): void {
    const msg = outer.message as string;
    if (jsonLed(msg)) {
      const inner = tryParse(msg);
      if (isPlainObject(inner)) {
        this.fromObject(rec, inner, now, depth + 1);
        for (const k in outer) if (k !== 'message' && !(k in rec.fields)) rec.fields[k] = outer[k];
        return;
      }
    }
    rec.fields = outer;
    this.decodeText(rec, msg, now, false);
  }

  /**
   * Free text: a leading timestamp is the record's time; the header after it (pid, level, thread,
   * component; `host prog[pid]:` after a syslog time; an nginx/Apache error-log header) is stripped so
   * the miner sees the message; access-log requests and key=value pairs become fields.
   */
  private decodeText(rec: ParsedRecord, text: string, now: number, syslogHeader: boolean): void {
    rec.message = text;
    const found = detectTimestamp(text, now);
    if (found) {
      rec.ts = found.ts;
      rec.tsFromRecord = true;
    }
    const from = found?.end ?? 0;
    if (found && text.charCodeAt(from) === 32 && text.charCodeAt(from + 1) === 91 /* [ */) {
      const c0 = text.charCodeAt(0);
      if (c0 === 91 ? decodeApacheError(rec, text, from, true) : decodeNginxError(rec, text, from)) {
        if (rec.message.indexOf('=') > 0) this.decodeKv(rec, rec.message);
        return;
      }
    }
    const header = detectHeader(text, from, found?.syslog === true || syslogHeader);
    let postfix = false;
    if (header.start > 0) rec.message = text.slice(header.start).trim() || text;
    if (header.level !== undefined || header.component !== undefined) {
      // a plain literal (fast properties); keys from log text are only merged in by decodeKv, which skips __proto__
      const f = rec.fields === EMPTY ? (rec.fields = {}) : rec.fields;
      if (header.level !== undefined) f.level = header.level;
      if (header.component !== undefined) {
        // syslog `prog[pid]`: program and pid; Postfix `postfix/smtp[123]` also puts its queue id first
        const m = found?.syslog || syslogHeader ? SYSLOG_PROGRAM.exec(header.component) : null;
        if (m) {
          f.program = m[1];
          if (m[3] !== undefined) f.pid = m[3];
          if (m[1].startsWith('postfix/')) postfix = this.postfix(rec);
        } else f.component = header.component;
      }
      if (text.charCodeAt(0) === 91) apacheClient(rec);
    } else if (found && text.charCodeAt(0) !== 91) decodeAccessLog(rec, text);
    if (rec.message.indexOf('=') > 0) this.decodeKv(rec, rec.message);
    if (postfix) addPostfixFields(rec.fields, rec.message);
  }

  /**
   * Syslog with `<PRI>`: RFC 5424 field by field (structured data as `sdId.param` fields), RFC 3164 by
   * the free-text decoder with a syslog header. With `bare` (format syslog) a line without `<PRI>` is
   * read as RFC 3164 too. False when the line is neither.
   */
  private decodeSyslog(rec: ParsedRecord, text: string, now: number, bare: boolean): boolean {
    const pri = readPri(text);
    if (!pri) {
      if (!bare) return false;
      this.decodeText(rec, text, now, true);
      return rec.tsFromRecord;
    }
    const s = read5424(text, pri.end);
    if (s) {
      const f = s.sd;
      f.facility = pri.facility;
      f.severity = pri.severity;
      f.level = severityLevel(pri.severity);
      if (s.host !== undefined) f.host = s.host;
      if (s.app !== undefined) f.program = s.app;
      if (s.procId !== undefined) f.pid = s.procId;
      if (s.msgId !== undefined) f.msgid = s.msgId;
      rec.fields = f;
      this.timeFrom(rec, s.timestamp);
      // without MSG the structured data's ids say what the record is
      rec.message = s.message.trim() || (s.sdIds.length > 0 ? `[${s.sdIds.join(' ')}]` : text);
      const postfix = s.app?.startsWith('postfix/') === true && this.postfix(rec);
      if (rec.message.indexOf('=') > 0) this.decodeKv(rec, rec.message);
      if (postfix) addPostfixFields(rec.fields, rec.message);
      return true;
    }
    if (text.charCodeAt(pri.end) === 49 && text.charCodeAt(pri.end + 1) === 32) return false; // `1 ` but not RFC 5424
    this.decodeText(rec, text.slice(pri.end), now, true);
    const f = rec.fields === EMPTY ? (rec.fields = {}) : rec.fields;
    f.facility = pri.facility;
    f.severity = pri.severity;
    f.level ??= severityLevel(pri.severity);
    return true;
  }

  /** `--format nginx|apache`: an error-log line (nginx, Apache 2.2 or 2.4) or an access-log line. */
  private decodeWebServer(rec: ParsedRecord, text: string, now: number): boolean {
    const found = detectTimestamp(text, now);
    if (found) {
      rec.ts = found.ts;
      rec.tsFromRecord = true;
      const from = found.end;
      if (text.charCodeAt(from) === 32 && text.charCodeAt(from + 1) === 91 && (decodeNginxError(rec, text, from) || decodeApacheError(rec, text, from, false))) return true;
    }
    return decodeAccessLog(rec, text);
  }

  /** A stack trace's exception (`java.lang.X: boom`, Python's last `ValueError: bad`) joins the message. */
  private addException(rec: ParsedRecord, text: string, nl: number): void {
    const lines = text.slice(nl + 1).split('\n');
    let hit: RegExpExecArray | null = null;
    let line = '';
    if (lines.some((l) => l.startsWith('Traceback ('))) {
      for (let i = lines.length - 1; i >= 0 && !hit; i--) {
        const l = lines[i];
        if (l.charCodeAt(0) !== 32 && l.charCodeAt(0) !== 9 && !l.startsWith('Traceback (')) hit = PYTHON_EXCEPTION.exec((line = l));
      }
    } else {
      for (let i = 0; i < lines.length && !hit; i++) hit = JAVA_EXCEPTION.exec((line = lines[i].trim()));
    }
    if (!hit) return;
    if (rec.fields === EMPTY) rec.fields = {};
    rec.fields.exception = hit[1];
    rec.message = `${rec.message} ${line.trim()}`;
  }

  /**
   * Postfix: `3F2A81C0B4: to=<a@b>, relay=…` — the queue id is a field (the session key of a message);
   * the caller adds the message's Postfix fields once its key=value pairs are in. Always true.
   */
  private postfix(rec: ParsedRecord): true {
    const m = POSTFIX_QUEUE_ID.exec(rec.message);
    if (m) {
      rec.fields.queueId = m[1];
      rec.message = rec.message.slice(m[0].length);
    }
    return true;
  }

  /** `parse.regex`: named groups become fields; `message` is the message, `ts`/`time`/`timestamp` the time. */
  private decodeRegex(rec: ParsedRecord, text: string): boolean {
    const m = this.regex?.exec(text);
    if (!m?.groups) return false;
    const f = (rec.fields = Object.create(null) as Record<string, unknown>);
    for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) f[k] = v;
    if (typeof f.message === 'string') rec.message = f.message;
    for (const k of ['ts', 'time', 'timestamp']) if (this.timeFrom(rec, f[k])) break;
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
    for (const f of this.opts.timestampFields) if (this.timeFrom(rec, fields[f])) return;
  }

  private timeFrom(rec: ParsedRecord, v: unknown): boolean {
    const t = timeFromValue(v);
    if (t === undefined) return false;
    rec.ts = t;
    rec.tsFromRecord = true;
    return true;
  }
}

const NO_PARAMS: string[] = [];
const EMPTY: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

/** A record with its mining fields still empty, so one object shape flows through the pipeline. */
function newRecord(line: RawLine, source: string, now: number): ParsedRecord {
  return {
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
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return FAILED;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{…`, or `[{…` / `[ ]` (a JSON array of records): worth a JSON.parse. `[Sun Dec 04 …]` is not. */
function jsonLed(s: string): boolean {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  const c = s.charCodeAt(i);
  if (c === 123) return true;
  if (c !== 91) return false;
  for (i++; i < s.length; i++) {
    const d = s.charCodeAt(i);
    if (d !== 32 && d !== 9 && d !== 10 && d !== 13) return d === 123 || d === 93;
  }
  return false;
}

function countLf(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
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
