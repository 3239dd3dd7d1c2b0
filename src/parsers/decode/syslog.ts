/**
 * Syslog with a `<PRI>` prefix: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD…] MSG`) is read
 * field by field, structured data becoming `sdId.param` fields; RFC 3164 (`<PRI>Mmm dd hh:mm:ss host
 * prog[pid]: msg`) leaves the rest to the free-text decoder, which knows that header. Either way the
 * priority gives `facility` and `severity` (and `level`, in the words header detection uses).
 */

const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron'];
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

export interface SyslogPri {
  facility: string;
  severity: string;
  /** Index just after `>`. */
  end: number;
}

/** `<PRI>` at the start of a line: 0..191, at most three digits, no leading zero (RFC 5424 §6.2.1). */
export function readPri(text: string): SyslogPri | undefined {
  if (text.charCodeAt(0) !== 60 /* < */) return undefined;
  let pri = 0;
  let i = 1;
  for (; i < 5 && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 62 /* > */) break;
    if (c < 48 || c > 57 || (i === 2 && text.charCodeAt(1) === 48)) return undefined;
    pri = pri * 10 + (c - 48);
  }
  if (i === 1 || text.charCodeAt(i) !== 62 || pri > 191) return undefined;
  const f = pri >> 3;
  return { facility: f < 16 ? FACILITIES[f] : `local${f - 16}`, severity: SEVERITIES[pri & 7], end: i + 1 };
}

/** The level word for a severity (`err` → `ERR`), as header detection reports levels. */
export function severityLevel(severity: string): string {
  return severity.toUpperCase();
}

export interface Syslog5424 {
  timestamp?: string;
  host?: string;
  app?: string;
  procId?: string;
  msgId?: string;
  /** Structured data as `sdId.param` → value (null prototype: keys come from the line). */
  sd: Record<string, string>;
  sdIds: string[];
  message: string;
}

/**
 * Reads the part of an RFC 5424 line after `<PRI>` (which must be `1 …`); undefined when malformed.
 * `-` is the nil value of every header field.
 */
export function read5424(text: string, from: number): Syslog5424 | undefined {
  if (text.charCodeAt(from) !== 49 /* 1 */ || text.charCodeAt(from + 1) !== 32) return undefined;
  let pos = from + 2;
  const head: (string | undefined)[] = [];
  for (let k = 0; k < 5; k++) {
    const sp = text.indexOf(' ', pos);
    if (sp <= pos) return undefined; // a missing field or two spaces
    const v = text.slice(pos, sp);
    head.push(v === '-' ? undefined : v);
    pos = sp + 1;
  }
  const sd = Object.create(null) as Record<string, string>;
  const sdIds: string[] = [];
  if (text.charCodeAt(pos) === 45 /* - */) pos++;
  else {
    if (text.charCodeAt(pos) !== 91 /* [ */) return undefined;
    while (text.charCodeAt(pos) === 91) {
      const end = readSdElement(text, pos + 1, sd, sdIds);
      if (end < 0) return undefined;
      pos = end;
    }
  }
  if (pos < text.length && text.charCodeAt(pos) !== 32) return undefined;
  let message = text.slice(pos + 1);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1); // the BOM that marks UTF-8 MSG
  return { timestamp: head[0], host: head[1], app: head[2], procId: head[3], msgId: head[4], sd, sdIds, message };
}

/** `ID param="value" …]` from `pos`; returns the index after `]`, or -1. Values unescape `\" \\ \]`. */
function readSdElement(text: string, pos: number, sd: Record<string, string>, ids: string[]): number {
  const idEnd = nameEnd(text, pos);
  if (idEnd === pos) return -1;
  const id = text.slice(pos, idEnd);
  ids.push(id);
  pos = idEnd;
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c === 93 /* ] */) return pos + 1;
    if (c !== 32) return -1;
    pos++;
    const ne = nameEnd(text, pos);
    if (ne === pos || text.charCodeAt(ne) !== 61 /* = */ || text.charCodeAt(ne + 1) !== 34 /* " */) return -1;
    const name = text.slice(pos, ne);
    let value = '';
    let i = ne + 2;
    for (;;) {
      if (i >= text.length) return -1;
      const ch = text.charCodeAt(i);
      if (ch === 34) break;
      if (ch === 92 /* \ */ && i + 1 < text.length) {
        const nx = text[i + 1];
        value += nx === '"' || nx === '\\' || nx === ']' ? nx : '\\' + nx;
        i += 2;
        continue;
      }
      value += text[i++];
    }
    sd[`${id}.${name}`] = value;
    pos = i + 1;
  }
}

/** End of an SD-NAME: printable ASCII except `= ] "` and space. */
function nameEnd(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 61 || c === 93 || c === 34) break;
    i++;
  }
  return i;
}
