/**
 * Web server logs (nginx, Apache): access logs in the common/combined format, nginx error logs
 * (`2026/11/21 10:00:00 [error] 123#0: *45 message, client: 1.2.3.4, server: x`) and Apache 2.4 error
 * logs (`[…] [core:error] [pid 123:tid 456] [client 1.2.3.4:5678] AH00124: message`). Each function
 * fills a record's fields and message and returns false when the line is not of its kind.
 */
import type { ParsedRecord } from '../../model/record.js';

// client ident user [time] "METHOD path PROTO" status bytes ["referer" "agent"]
const ACCESS_LOG = /^(\S+) \S+ (\S+) \[[^\]]+\] "([A-Z]+) (\S+)(?: (HTTP\/[\d.]+))?" (\d{3}) (\d+|-)(?: "([^"]*)" "([^"]*)")?/;
// after the time: [level] pid#tid: [*connection ]
const NGINX_ERROR = /^ \[([a-z]+)\] (\d+)#(\d+): (?:\*(\d+) )?/;
// after the time: [module:level] [pid N[:tid M]] [client addr]; Apache 2.2 has [level] alone
const APACHE_ERROR = /^ \[(?:([\w-]+):)?([a-z]+\d?)\](?: \[pid (\d+)(?::tid (\d+))?\])?(?: \[client ([^\]]+)\])? /;
// nginx appends the request context as `, key: value` pairs, always starting with client or server
const NGINX_CONTEXT = /, ([a-z_]+): ("(?:[^"\\]|\\.)*"|[^,]*)/y;
const CLIENT = /^\[client ([^\]]+)\]/;

function fieldsOf(rec: ParsedRecord): Record<string, unknown> {
  // a fresh null-prototype object: values (and nginx context keys) come from the line
  if (Object.isFrozen(rec.fields)) rec.fields = Object.create(null) as Record<string, unknown>;
  return rec.fields;
}

/** Common/combined access log: request fields; the message is the request and status. */
export function decodeAccessLog(rec: ParsedRecord, text: string): boolean {
  const m = ACCESS_LOG.exec(text);
  if (!m) return false;
  const f = fieldsOf(rec);
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
  return true;
}

/**
 * nginx error log, from just after its `yyyy/mm/dd hh:mm:ss` time: level, pid, tid, connection, and the
 * trailing `, client: …, server: …, request: "…"` pairs as fields; the message is what precedes them.
 */
export function decodeNginxError(rec: ParsedRecord, text: string, from: number): boolean {
  const m = NGINX_ERROR.exec(from === 0 ? text : text.slice(from));
  if (!m) return false;
  const f = fieldsOf(rec);
  f.level = m[1].toUpperCase();
  f.pid = m[2];
  f.tid = m[3];
  if (m[4] !== undefined) f.connection = m[4];
  const start = from + m[0].length;
  let end = text.indexOf(', client: ', start);
  if (end < 0) end = text.indexOf(', server: ', start);
  if (end < 0) end = text.length;
  else {
    NGINX_CONTEXT.lastIndex = end;
    let last = end;
    for (let c = NGINX_CONTEXT.exec(text); c; c = NGINX_CONTEXT.exec(text)) {
      const v = c[2];
      f[c[1]] = v.length >= 2 && v[0] === '"' ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
      last = NGINX_CONTEXT.lastIndex;
    }
    // anything the pairs did not cover stays in the message
    if (last < text.length) end = text.length;
  }
  rec.message = text.slice(start, end).trim() || text;
  return true;
}

/**
 * Apache error log after its `[Www Mmm dd hh:mm:ss[.us] yyyy]` time. With `modern` only 2.4 lines
 * (`[module:level]` or `[pid …]`): 2.2 lines are left to header detection, which already reads them.
 * The `[client …]` part stays in the message (as Loghub's Apache templates have it) and is a field too.
 */
export function decodeApacheError(rec: ParsedRecord, text: string, from: number, modern: boolean): boolean {
  const m = APACHE_ERROR.exec(from === 0 ? text : text.slice(from));
  if (!m || (modern && m[1] === undefined && m[3] === undefined)) return false;
  const f = fieldsOf(rec);
  f.level = m[2].toUpperCase();
  if (m[1] !== undefined) f.module = m[1];
  if (m[3] !== undefined) f.pid = m[3];
  if (m[4] !== undefined) f.tid = m[4];
  if (m[5] !== undefined) f.client = m[5];
  const clientAt = m[5] === undefined ? m[0].length : m[0].lastIndexOf(' [client ') + 1;
  rec.message = text.slice(from + clientAt).trim() || text;
  return true;
}

/** Apache 2.2 lines read by header detection: `[client addr]` at the start of the message is a field. */
export function apacheClient(rec: ParsedRecord): void {
  if (rec.message.charCodeAt(0) !== 91 || !rec.message.startsWith('[client ')) return;
  const m = CLIENT.exec(rec.message);
  if (m) rec.fields.client = m[1];
}
