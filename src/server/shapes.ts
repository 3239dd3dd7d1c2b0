/**
 * The JSON shapes of the API (docs/api.md): schemas that validate queries, serialise replies and make
 * the OpenAPI document, and the mapping of stored rows to those shapes.
 */
import { anomalySignature } from '../model/signature.js';
import type { StoredAnomaly } from '../model/store.js';
import { highlights } from './highlights.js';

const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const freeObject = { type: 'object', additionalProperties: true } as const;

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: str, message: str }, required: ['code', 'message'] } },
  required: ['error'],
} as const;

export const anomalySchema = {
  type: 'object',
  properties: {
    id: int,
    ts: num,
    created: num,
    kind: { type: 'string', enum: ['record', 'window', 'session'] },
    source: str,
    file: str,
    line: int,
    offset: int,
    grade: num,
    detector: str,
    detectors: { type: 'array', items: { type: 'object', properties: { detector: str, grade: num }, required: ['detector', 'grade'] } },
    reason: str,
    raw: str,
    templateId: int,
    template: str,
    window: { type: 'object', properties: { start: num, end: num }, required: ['start', 'end'] },
    session: str,
    explain: freeObject,
    signature: str,
    status: { type: 'string', enum: ['new', 'confirmed', 'false_positive', 'muted', 'suppressed'] },
    incident: int,
  },
  required: ['id', 'ts', 'created', 'kind', 'source', 'grade', 'detector', 'detectors', 'reason', 'signature', 'status'],
} as const;

/** An incident (issue 12): times in ms since the epoch, like the anomalies'. */
export const incidentSchema = {
  type: 'object',
  properties: {
    id: int,
    start: num,
    end: num,
    sources: { type: 'array', items: str },
    grade: num,
    anomalies: int,
    summary: str,
    status: { type: 'string', enum: ['open', 'closed'] },
    kinds: { type: 'array', items: { type: 'string', enum: ['record', 'window', 'session', 'cross-source'] } },
    detectors: { type: 'array', items: { type: 'object', properties: { detector: str, grade: num }, required: ['detector', 'grade'] } },
  },
  required: ['id', 'start', 'end', 'sources', 'grade', 'anomalies', 'summary', 'status', 'kinds', 'detectors'],
} as const;

export const templateSchema = {
  type: 'object',
  properties: { id: int, source: str, template: str, count: int, firstSeen: num, lastSeen: num },
  required: ['id', 'source', 'template', 'count', 'firstSeen', 'lastSeen'],
} as const;

export const lineSchema = {
  type: 'object',
  properties: { line: int, offset: int, ts: num, raw: str, templateId: int },
  required: ['line', 'offset', 'ts', 'raw'],
} as const;

export const feedbackSchema = {
  type: 'object',
  properties: {
    id: int,
    anomalyId: int,
    action: { type: 'string', enum: ['confirm', 'false_positive', 'mute'] },
    signature: str,
    by: str,
    note: str,
    created: num,
    until: num,
  },
  required: ['id', 'anomalyId', 'action', 'signature', 'by', 'created'],
} as const;

export const sourceSchema = {
  type: 'object',
  properties: {
    name: str,
    lines: int,
    linesPerSec: num,
    lagBytes: int,
    errors: int,
    templates: int,
    anomalies: int,
    warmingUp: { type: 'boolean' },
    files: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: str, size: int, offset: int, lagBytes: int, gone: { type: 'boolean' }, lastRead: num },
        required: ['path', 'size', 'offset', 'lagBytes', 'gone', 'lastRead'],
      },
    },
  },
  required: ['name', 'lines', 'linesPerSec', 'lagBytes', 'errors', 'templates', 'anomalies', 'warmingUp', 'files'],
} as const;

/** `{ items, nextCursor }` of a paged list. */
export const pageOf = (item: object) => ({
  type: 'object',
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  required: ['items', 'nextCursor'],
});

/** A time in a query: ms since the epoch, ISO 8601, or a duration back from now (`24h`). */
export const timeParam = { type: 'string', pattern: '^(\\d+|\\d{4}-\\d{2}-\\d{2}.*|\\d+(\\.\\d+)?(ms|s|m|h|d|w))$', description: 'ms since the epoch, ISO 8601, or a duration back from now (24h, 15m)' } as const;
/** A source name in a query: printable text. */
export const sourceParam = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
export const cursorParam = { type: 'string', pattern: '^-?\\d+(_-?\\d+)?$', description: 'nextCursor of the previous page' } as const;
export const limitParam = (def: number, max: number) => ({ type: 'integer', minimum: 1, maximum: max, default: def }) as const;

/** A stored anomaly as the API shows it: signature filled in for rows stored before signatures, highlights of its raw line. */
export function apiAnomaly(a: StoredAnomaly, templateText?: (id: number) => string | undefined): Record<string, unknown> {
  const explain = a.explain ? { ...a.explain } : undefined;
  if (explain && a.raw !== undefined && !Array.isArray(explain.highlights)) explain.highlights = highlights(a.raw, a);
  const template = typeof a.explain?.template === 'string' ? a.explain.template : a.templateId !== undefined ? templateText?.(a.templateId) : undefined;
  return {
    ...a,
    file: a.file ?? (typeof a.explain?.file === 'string' ? a.explain.file : undefined),
    explain,
    template,
    signature: a.signature || anomalySignature(a),
    status: a.status ?? 'new',
  };
}
