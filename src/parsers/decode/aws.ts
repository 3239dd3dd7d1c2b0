/**
 * AWS records, recognised by their keys once a JSON object is flattened:
 *  - WAF (`action`, `httpRequest.*`, `webaclId`/`terminatingRuleId`): the message is
 *    `ACTION terminatingRuleId METHOD uri`, so a template is an action × rule × method (the miner turns
 *    the uri into `<*>` as soon as two differ: one differing token always merges) and a rule that starts
 *    blocking, or a method never seen, is a new template; request headers become
 *    `httpRequest.headers.<name>` fields;
 *  - CloudTrail (`eventSource`, `eventName`): the message is `eventSource eventName [errorCode]`;
 *  - CloudWatch Logs (`message` with `logStream` or `logGroup`): the message is decoded again (JSON or
 *    free text), so a CloudTrail or application record delivered through CloudWatch reads as itself.
 * Exports holding many records in one JSON document (`{"Records":[…]}`, `{"logEvents":[…]}`,
 * `{"events":[…]}`, a top-level array) are split into their elements.
 */

export type AwsKind = 'waf' | 'cloudtrail' | 'cloudwatch';

export function awsKind(f: Record<string, unknown>): AwsKind | undefined {
  if (typeof f.eventSource === 'string' && typeof f.eventName === 'string') return 'cloudtrail';
  if (typeof f.action === 'string' && typeof f['httpRequest.uri'] === 'string' && (f.webaclId !== undefined || f.terminatingRuleId !== undefined)) return 'waf';
  if (typeof f.message === 'string' && (typeof f.logStream === 'string' || typeof f.logGroup === 'string')) return 'cloudwatch';
  return undefined;
}

/** WAF: headers as named fields; returns the message. */
export function wafMessage(f: Record<string, unknown>): string {
  const headers = f['httpRequest.headers'];
  if (Array.isArray(headers)) {
    delete f['httpRequest.headers'];
    for (const h of headers as { name?: unknown; value?: unknown }[]) {
      if (h && typeof h.name === 'string') f[`httpRequest.headers.${h.name.toLowerCase()}`] = h.value;
    }
  }
  return `${word(f.action)} ${word(f.terminatingRuleId)} ${word(f['httpRequest.httpMethod'])} ${word(f['httpRequest.uri'])}`;
}

export function cloudTrailMessage(f: Record<string, unknown>): string {
  const base = `${word(f.eventSource)} ${word(f.eventName)}`;
  return typeof f.errorCode === 'string' && f.errorCode !== '' ? `${base} ${f.errorCode}` : base;
}

/** A field as one token: missing values are `-`, inner whitespace is kept out of the template. */
function word(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '-' : v.replace(/\s+/g, '_');
  return v === undefined || v === null ? '-' : String(v);
}

/** Which container keys each format splits (`auto` all of them; a top-level array always). */
const CONTAINER_KEYS: Record<string, readonly string[]> = {
  auto: ['Records', 'logEvents', 'events'],
  cloudtrail: ['Records'],
  cloudwatch: ['logEvents', 'events'],
};

export interface Container {
  items: unknown[];
  /** The key holding the array, or undefined for a top-level array. */
  key?: string;
  /** Fields every element gets (a CloudWatch subscription payload's logGroup and logStream). */
  shared?: Record<string, unknown>;
  /** What the elements are, when the container says it (CloudWatch events need not name their stream). */
  kind?: AwsKind;
}

/** The array of records a JSON document holds, when it is an export rather than one record. */
export function containerOf(obj: unknown, format: string): Container | undefined {
  if (Array.isArray(obj)) return { items: obj };
  if (obj === null || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  for (const key of CONTAINER_KEYS[format] ?? []) {
    const items = o[key];
    if (!Array.isArray(items) || !items.every(isObject)) continue;
    // `events` is a common word: only the CloudWatch CLI shape (elements with timestamp and message)
    if (key === 'events' && !items.every((e) => typeof (e as Record<string, unknown>).message === 'string')) continue;
    if (key === 'logEvents') {
      const shared: Record<string, unknown> = {};
      for (const k of ['logGroup', 'logStream', 'owner']) if (typeof o[k] === 'string') shared[k] = o[k];
      return { items, key, shared, kind: 'cloudwatch' };
    }
    return { items, key, kind: key === 'events' ? 'cloudwatch' : undefined };
  }
  return undefined;
}

function isObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * [start, end) of each element of the document's record array in `text` (already valid JSON), so each
 * record keeps its own text and position; undefined if the scan disagrees with the parse.
 */
export function elementSpans(text: string, key: string | undefined): [number, number][] | undefined {
  let i = skipWs(text, 0);
  if (key === undefined) {
    if (text[i] !== '[') return undefined;
  } else {
    if (text[i] !== '{') return undefined;
    i = findKey(text, i + 1, key);
    if (i < 0 || text[i] !== '[') return undefined;
  }
  const spans: [number, number][] = [];
  i = skipWs(text, i + 1);
  if (text[i] === ']') return spans;
  for (;;) {
    const start = i;
    i = skipValue(text, i);
    spans.push([start, i]);
    i = skipWs(text, i);
    if (text[i] === ']') return spans;
    if (text[i] !== ',') return undefined;
    i = skipWs(text, i + 1);
  }
}

/** Index of the value of top-level `key` in the object whose body starts at `i`, or -1. */
function findKey(text: string, i: number, key: string): number {
  for (;;) {
    i = skipWs(text, i);
    if (text[i] !== '"') return -1;
    const end = skipString(text, i);
    const name = JSON.parse(text.slice(i, end)) as string;
    i = skipWs(text, end);
    if (text[i] !== ':') return -1;
    i = skipWs(text, i + 1);
    if (name === key) return i;
    i = skipWs(text, skipValue(text, i));
    if (text[i] !== ',') return -1;
    i++;
  }
}

function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

/** Index after the string starting at `i` (a `"`). */
function skipString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
  }
  return i;
}

/** Index after the JSON value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 34) i = skipString(text, i) - 1;
      else if (ch === 123 || ch === 91) depth++;
      else if ((ch === 125 || ch === 93) && --depth === 0) return i + 1;
    }
    return i;
  }
  while (i < text.length && !',]} \n\r\t'.includes(text[i])) i++;
  return i;
}
