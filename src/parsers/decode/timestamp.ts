/**
 * Timestamp detection at the start of a line for the common formats (ISO 8601, syslog, Apache/nginx,
 * HDFS/Hadoop-style) and in structured fields (ISO strings, epoch seconds or milliseconds).
 * Times without a zone are read as UTC, so the same input gives the same output on every machine.
 */

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

export interface FoundTime {
  ts: number;
  /** Index just after the timestamp (and a closing bracket), for header stripping. */
  end: number;
  /** A syslog time (`Jun 14 15:16:01`): a host and `prog[pid]:` usually follow. */
  syslog?: boolean;
}

// 2026-11-21T10:00:00.123Z | 2026-11-21 10:00:00,123 | with +01:00 / +0100
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?/;
// Nov 21 10:00:00 (syslog, no year)
const SYSLOG = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)/;
// [21/Nov/2026:10:00:00 +0000] (common/combined log format, may follow a client address)
const CLF = /\[(\d\d)\/([A-Z][a-z]{2})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\]/;
// [Sun Dec 04 04:47:44 2005] (Apache error log)
const APACHE_ERR = /^\[[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)? (\d{4})\]/;
// 081109 203615 (HDFS) | 2026/11/21 10:00:00 | 17/06/09 20:10:40 (Spark)
const COMPACT = /^(\d\d)(\d\d)(\d\d) (\d\d)(\d\d)(\d\d)\b/;
const SLASHED = /^(\d{2}|\d{4})\/(\d\d)\/(\d\d)[ -](\d\d):(\d\d):(\d\d)/;

// Sat, 21 Nov 2026 10:00:00 GMT (HTTP dates, e-mail headers)
const RFC1123 = /^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d (?:GMT|UTC|[+-]\d{4})$/;

function offsetMs(z: string | undefined): number {
  if (!z || z === 'Z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

function fullYear(y: string): number {
  return y.length === 2 ? 2000 + Number(y) : Number(y);
}

// Consecutive lines mostly share their second: remember the last numeric prefix that parsed (a one-entry
// cache). A hit needs the same prefix followed by whitespace, so `10:00:00.250` or `10:00:00+05:00`
// never reuse `10:00:00`; syslog times (which depend on `now` for the year) are not cached.
let lastPrefix = '';
let lastFound: FoundTime | undefined;
const PREFIX = 19;
// Sparser logs still share their minute: for a time that ends with its two seconds digits (set by
// detectUncached in `secondsAt`), remember the text before them and the time at second 0. A line with the
// same text there, two digits up to 60 and whitespace after them takes the same branch through the
// patterns above, so its time is that minute plus its seconds (Date.UTC is linear in them).
let secondsAt = -1;
let lastMinuteHead = '';
let lastMinuteEnd = -1;
let lastMinuteTs = 0;

/** Finds a timestamp at the start of `text`; `now` supplies the year for syslog times. */
export function detectTimestamp(text: string, now: number): FoundTime | undefined {
  if (lastFound !== undefined && text.startsWith(lastPrefix) && isSpaceOrEnd(text, lastFound.end)) return lastFound;
  const e = lastMinuteEnd;
  if (e > 0 && isSpaceOrEnd(text, e) && text.startsWith(lastMinuteHead)) {
    const s = twoDigits(text, e - 2);
    if (s >= 0 && s <= 60) return { ts: lastMinuteTs + s * 1000, end: e };
  }
  secondsAt = -1;
  const found = detectUncached(text, now);
  if (found && found.end <= PREFIX && isDigit(text.charCodeAt(0)) && isSpaceOrEnd(text, found.end)) {
    lastPrefix = text.slice(0, found.end);
    lastFound = found;
    if (secondsAt === found.end - 2) {
      lastMinuteHead = text.slice(0, secondsAt);
      lastMinuteEnd = found.end;
      lastMinuteTs = found.ts - twoDigits(text, secondsAt) * 1000;
    }
  }
  return found;
}

/** The number written by the two digits at `i`, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpaceOrEnd(text: string, i: number): boolean {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === 32 || c === 9;
}

/** Date.UTC rolls 2026-13-01 over to 2027-01-01; a real timestamp's fields must survive the round trip. */
function utc(y: number, mon: number, d: number, h: number, mi: number, s: number, ms = 0): number | undefined {
  if (mon < 0 || mon > 11 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  const days = mon === 1 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : DAYS[mon];
  return d > days ? undefined : Date.UTC(y, mon, d, h, mi, s, ms);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function detectUncached(text: string, now: number): FoundTime | undefined {
  const c = text.charCodeAt(0);
  let m: RegExpExecArray | null;
  if (c >= 48 && c <= 57) {
    if ((m = ISO.exec(text))) {
      const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
      const ts = utc(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
      if (m[7] === undefined && m[8] === undefined) secondsAt = m[0].length - 2;
      return ts === undefined ? undefined : { ts: ts - offsetMs(m[8]), end: m[0].length };
    }
    if ((m = COMPACT.exec(text))) {
      const ts = utc(2000 + +m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
      secondsAt = m[0].length - 2;
      return ts === undefined ? undefined : { ts, end: m[0].length };
    }
    if ((m = SLASHED.exec(text))) {
      const ts = utc(fullYear(m[1]), +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
      secondsAt = m[0].length - 2;
      return ts === undefined ? undefined : { ts, end: m[0].length };
    }
    return accessLogTime(text);
  }
  if (c === 91 /* [ */) {
    if ((m = APACHE_ERR.exec(text))) {
      const mon = MONTHS[m[1]];
      if (mon === undefined) return undefined;
      return { ts: Date.UTC(+m[6], mon, +m[2], +m[3], +m[4], +m[5]), end: m[0].length };
    }
    return accessLogTime(text);
  }
  if (c >= 65 && c <= 90 && (m = SYSLOG.exec(text))) {
    const mon = MONTHS[m[1]];
    if (mon === undefined) return undefined;
    const year = new Date(now).getUTCFullYear();
    let ts = Date.UTC(year, mon, +m[2], +m[3], +m[4], +m[5]);
    // a December line read in January belongs to last year
    if (ts > now + 86_400_000) ts = Date.UTC(year - 1, mon, +m[2], +m[3], +m[4], +m[5]);
    return { ts, end: m[0].length, syslog: true };
  }
  return accessLogTime(text);
}

/** A client address or host name first, then a [dd/Mon/yyyy:HH:MM:SS +zzzz] time: access logs. */
function accessLogTime(text: string): FoundTime | undefined {
  const open = text.indexOf('[');
  if (open < 0 || open > 80) return undefined;
  const m = CLF.exec(text.slice(open, open + 40));
  if (!m) return undefined;
  const mon = MONTHS[m[2]];
  const ts = mon === undefined ? undefined : utc(+m[3], mon, +m[1], +m[4], +m[5], +m[6]);
  return ts === undefined ? undefined : { ts: ts - offsetMs(m[7]), end: open + m.index + m[0].length };
}

/** A time from a structured field: epoch seconds/ms (number or digit string) or an ISO 8601 string. */
export function timeFromValue(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
  if (typeof v !== 'string' || v.length === 0) return undefined;
  if (/^\d{9,13}(\.\d+)?$/.test(v)) return timeFromValue(Number(v));
  // Only the formats we recognise: Date.parse alone would turn '404' or 'foo 12' into a time.
  if (RFC1123.test(v)) return Date.parse(v);
  return detectTimestamp(v, Date.now())?.ts;
}
