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

function offsetMs(z: string | undefined): number {
  if (!z || z === 'Z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

function fullYear(y: string): number {
  return y.length === 2 ? 2000 + Number(y) : Number(y);
}

// Consecutive lines mostly share their second: remember the last prefix that parsed (a one-entry cache).
let lastPrefix = '';
let lastFound: FoundTime | undefined;
const PREFIX = 19;

/** Finds a timestamp at the start of `text`; `now` supplies the year for syslog times. */
export function detectTimestamp(text: string, now: number): FoundTime | undefined {
  if (lastFound !== undefined && lastFound.end <= PREFIX && text.startsWith(lastPrefix) && !isDigit(text.charCodeAt(lastFound.end))) return lastFound;
  const found = detectUncached(text, now);
  if (found && found.end <= PREFIX) {
    lastPrefix = text.slice(0, found.end);
    lastFound = found;
  }
  return found;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function detectUncached(text: string, now: number): FoundTime | undefined {
  const c = text.charCodeAt(0);
  let m: RegExpExecArray | null;
  if (c >= 48 && c <= 57) {
    if ((m = ISO.exec(text))) {
      const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
      const ts = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms) - offsetMs(m[8]);
      return Number.isNaN(ts) ? undefined : { ts, end: m[0].length };
    }
    if ((m = COMPACT.exec(text))) {
      const ts = Date.UTC(2000 + +m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
      return +m[2] >= 1 && +m[2] <= 12 ? { ts, end: m[0].length } : undefined;
    }
    if ((m = SLASHED.exec(text))) {
      const ts = Date.UTC(fullYear(m[1]), +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
      return Number.isNaN(ts) ? undefined : { ts, end: m[0].length };
    }
    // a client address first, then a [dd/Mon/yyyy:...] time: access logs
    if ((m = CLF.exec(text.slice(0, 80)))) return clf(m);
    return undefined;
  }
  if (c === 91 /* [ */) {
    if ((m = APACHE_ERR.exec(text))) {
      const mon = MONTHS[m[1]];
      if (mon === undefined) return undefined;
      return { ts: Date.UTC(+m[6], mon, +m[2], +m[3], +m[4], +m[5]), end: m[0].length };
    }
    if ((m = CLF.exec(text.slice(0, 40)))) return clf(m);
    return undefined;
  }
  if (c >= 65 && c <= 90 && (m = SYSLOG.exec(text))) {
    const mon = MONTHS[m[1]];
    if (mon === undefined) return undefined;
    const year = new Date(now).getUTCFullYear();
    let ts = Date.UTC(year, mon, +m[2], +m[3], +m[4], +m[5]);
    // a December line read in January belongs to last year
    if (ts > now + 86_400_000) ts = Date.UTC(year - 1, mon, +m[2], +m[3], +m[4], +m[5]);
    return { ts, end: m[0].length };
  }
  return undefined;
}

function clf(m: RegExpExecArray): FoundTime | undefined {
  const mon = MONTHS[m[2]];
  if (mon === undefined) return undefined;
  const ts = Date.UTC(+m[3], mon, +m[1], +m[4], +m[5], +m[6]) - offsetMs(m[7]);
  return { ts, end: m.index + m[0].length };
}

/** A time from a structured field: epoch seconds/ms (number or digit string) or an ISO 8601 string. */
export function timeFromValue(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
  if (typeof v !== 'string' || v.length === 0) return undefined;
  if (/^\d{9,13}(\.\d+)?$/.test(v)) return timeFromValue(Number(v));
  const found = detectTimestamp(v, Date.now());
  if (found) return found.ts;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
