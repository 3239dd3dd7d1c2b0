/**
 * The body of `POST /api/ingest`: decoded (gzip/deflate) with the body limit applied to the decoded
 * bytes — inflation stops at the limit, so a small gzip bomb never expands in memory — then split into
 * records: NDJSON, a JSON array, or plain text lines. A line that is not a record is rejected and
 * counted; it never fails the request.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { httpError } from './errors.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

export async function decodeBody(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'x-gzip' && enc !== 'deflate') throw httpError(415, 'unsupported_encoding', `Content-Encoding ${enc} is not supported (gzip, deflate or none)`);
  try {
    // maxOutputLength makes zlib stop (and fail) as soon as the output would pass the limit
    return await (enc === 'deflate' ? inflate(body, { maxOutputLength: limit }) : gunzip(body, { maxOutputLength: limit }));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw httpError(413, 'payload_too_large', `the decoded body exceeds the limit of ${limit} bytes`);
    throw httpError(400, 'bad_encoding', `the body is not valid ${enc}: ${err.message}`);
  }
}

export type BodyKind = 'ndjson' | 'json' | 'text';

export function bodyKind(contentType: string | undefined): BodyKind | undefined {
  const t = (contentType ?? 'text/plain').split(';')[0].trim().toLowerCase();
  if (t === 'application/x-ndjson' || t === 'application/ndjson' || t === 'application/jsonl' || t === 'application/x-jsonlines') return 'ndjson';
  if (t === 'application/json') return 'json';
  if (t === 'text/plain') return 'text';
  return undefined;
}

/** Lines for the pipeline: a record object becomes its JSON text, a string record is a log line as it is. */
export function splitRecords(text: string, kind: BodyKind): { lines: string[]; rejected: number } {
  const lines: string[] = [];
  let rejected = 0;
  const take = (v: unknown, asText?: string) => {
    if (typeof v === 'string') lines.push(v);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) lines.push(asText ?? JSON.stringify(v));
    else rejected++;
  };
  if (kind === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      // not one JSON document: perhaps NDJSON sent as application/json
      return splitRecords(text, 'ndjson');
    }
    if (Array.isArray(doc)) for (const v of doc) take(v);
    else take(doc);
    return { lines, rejected };
  }
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (kind === 'text') {
      lines.push(line);
      continue;
    }
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      rejected++;
      continue;
    }
    take(v, line.trim());
  }
  return { lines, rejected };
}
