/** The HTTP API of docs/api.md, as the page uses it (same origin; the session cookie carries auth). */
import type { Point, SeriesKey } from './series.js';

export type Status = 'new' | 'confirmed' | 'false_positive' | 'muted' | 'suppressed';

export interface Anomaly {
  id: string | number;
  ts: number;
  created?: number;
  kind: 'record' | 'window' | 'session';
  source: string;
  file?: string;
  line?: number;
  offset?: number;
  grade: number;
  detector: string;
  detectors: Array<{ detector: string; grade: number }>;
  reason: string;
  raw?: string;
  templateId?: number;
  template?: string;
  window?: { start: number; end: number };
  session?: string;
  explain?: Record<string, unknown>;
  signature: string;
  status: Status;
  /** The incident it belongs to. */
  incident?: number;
}

/** Anomalies of one source close in time (merged across sources by the master): GET /api/incidents. */
export interface Incident {
  id: number;
  start: number;
  end: number;
  sources: string[];
  grade: number;
  anomalies: number;
  summary: string;
  status: 'open' | 'closed';
  kinds: string[];
  detectors: Array<{ detector: string; grade: number }>;
}

export interface Line {
  line: number;
  offset: number;
  ts: number;
  raw: string;
  templateId?: number;
}

export interface Feedback {
  id: string | number;
  anomalyId: string | number;
  action: 'confirm' | 'false_positive' | 'mute';
  signature: string;
  by: string;
  note?: string;
  created: number;
  until?: number;
}

export interface AnomalyDetail {
  anomaly: Anomaly;
  context: { before: Line[]; after: Line[] };
  feedback: Feedback[];
}

export interface SourceFile {
  path: string;
  size: number;
  offset: number;
  lagBytes: number;
  gone: boolean;
  lastRead: number;
}

export interface Source {
  name: string;
  lines: number;
  linesPerSec: number;
  lagBytes: number;
  errors: number;
  templates: number;
  anomalies: number;
  warmingUp: boolean;
  files: SourceFile[];
}

export interface Template {
  id: number | string;
  source: string;
  template: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Session {
  auth: 'none' | 'required';
  signedIn: boolean;
  scopes: string[];
}

export interface SeriesResponse {
  source: string;
  key: string;
  step: number;
  points: Point[];
}

export interface SeriesEvent {
  source: string;
  key: string;
  t: number;
  value: number;
}

/** A failed request; `status` 401 sends the page to the sign-in form. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Called on any 401, so that whichever page asked shows the sign-in form instead. */
let onUnauthorised: () => void = () => {};
export function setUnauthorisedHandler(fn: () => void): void {
  onUnauthorised = fn;
}

type Query = Record<string, string | number | undefined | null>;

function url(path: string, q: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

async function request<T>(method: string, path: string, q?: Query, body?: unknown): Promise<T> {
  const res = await fetch(url(path, q), {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && path !== '/api/session') onUnauthorised();
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const e = (await res.json()) as { error?: { message?: string } };
      if (e.error?.message) message = e.error.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  session: () => request<Session>('GET', '/api/session'),
  signIn: (token: string) => request<void>('POST', '/api/session', undefined, { token }),
  signOut: () => request<void>('DELETE', '/api/session'),
  sources: () => request<{ items: Source[] }>('GET', '/api/sources'),
  templates: (q: { source?: string; q?: string; limit?: number; cursor?: string | null }) =>
    request<Page<Template>>('GET', '/api/templates', q),
  anomalies: (q: {
    since?: number;
    until?: number;
    source?: string;
    detector?: string;
    minGrade?: number;
    status?: string;
    incident?: number;
    limit?: number;
    cursor?: string | null;
  }) => request<Page<Anomaly>>('GET', '/api/anomalies', q),
  incidents: (q: { since?: number; until?: number; source?: string; limit?: number; cursor?: string | null }) =>
    request<Page<Incident>>('GET', '/api/incidents', q),
  anomaly: (id: string) => request<AnomalyDetail>('GET', `/api/anomalies/${encodeURIComponent(id)}`),
  feedback: (id: string, body: { action: Feedback['action']; hours?: number; note?: string }) =>
    request<Feedback>('POST', `/api/anomalies/${encodeURIComponent(id)}/feedback`, undefined, body),
  seriesKeys: (source?: string) => request<{ items: SeriesKey[] }>('GET', '/api/series/keys', { source }),
  series: (q: { source: string; key: string; since?: number; until?: number; points?: number }) =>
    request<SeriesResponse>('GET', '/api/series', q),
};
