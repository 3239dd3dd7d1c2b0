/** Every route through `inject()`, over a real store fed by the real pipeline through HTTP ingest. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndjson, startTestServer, tmpDataDir, type TestServer } from '../../test/helpers/server.js';
import type { Anomaly } from '../model/record.js';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const FATAL = JSON.stringify({ timestamp: '2026-11-21T10:01:00Z', level: 'FATAL', message: 'disk controller on fire, shutting down now' });

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ detect: { warmupRecords: 20, interval: '1m', fields: [{ field: 'level', known: ['INFO'] }] } });
  const r = await s.app.inject({ method: 'POST', url: '/api/ingest?source=app', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(40, [FATAL, ...ndjsonAfter(3)]) });
  expect(r.statusCode, r.body).toBe(200);
});
afterAll(() => s.close());

/** Records after the FATAL line (it is then not the last line: its context has lines after it). */
function ndjsonAfter(n: number): string[] {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ timestamp: new Date(T0 + 61_000 + i * 1000).toISOString(), level: 'INFO', message: `request ${100 + i} served in 12 ms` }));
}

const get = async (url: string) => {
  const r = await s.app.inject({ url });
  return { status: r.statusCode, body: r.headers['content-type']?.toString().includes('json') ? r.json() : r.body, headers: r.headers };
};

describe('read routes', () => {
  it('GET /healthz', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', version: '0.1.0' });
    expect(r.body.uptimeS).toBeGreaterThanOrEqual(0);
  });

  it('GET /metrics: Prometheus text with pipeline counters, anomalies, HTTP requests and event-loop delay', async () => {
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    expect(r.body).toMatch(/logradar_received_total\{component="source.http"\} 44/);
    expect(r.body).toMatch(/logradar_anomalies_total\{detector="severity",status="new"\} 1/);
    expect(r.body).toMatch(/logradar_http_requests_total\{method="POST",route="\/api\/ingest",status="200"\} 1/);
    expect(r.body).toContain('logradar_nodejs_eventloop_lag_p99_seconds');
    expect(r.body).toMatch(/logradar_source_records\{source="app"\} 44/);
  });

  it('GET /api/openapi.json lists every /api route', async () => {
    const r = await get('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(r.body.paths).sort();
    expect(paths).toEqual(
      ['/api/anomalies', '/api/anomalies/{id}', '/api/anomalies/{id}/feedback', '/api/feedback', '/api/incidents', '/api/incidents/{id}', '/api/ingest', '/api/series', '/api/series/keys', '/api/session', '/api/sources', '/api/stream', '/api/templates'].sort(),
    );
  });

  it('GET /api/sources', async () => {
    const r = await get('/api/sources');
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([{ name: 'app', lines: 44, linesPerSec: expect.any(Number), lagBytes: 0, errors: 0, templates: 2, anomalies: 1, warmingUp: true, files: [] }]);
    expect(r.body.items[0].linesPerSec).toBeGreaterThan(0);
  });

  it('GET /api/templates: most frequent first, substring search, cursor pages', async () => {
    const all = await get('/api/templates?source=app');
    expect(all.body.items.map((t: { template: string }) => t.template)).toEqual(['request <*> served in <*> ms', 'disk controller on fire, shutting down now']);
    expect(all.body.items[0]).toMatchObject({ source: 'app', count: 43, firstSeen: T0 });
    const q = await get('/api/templates?q=DISK');
    expect(q.body.items).toHaveLength(1);
    const p1 = await get('/api/templates?limit=1');
    expect(p1.body.items).toHaveLength(1);
    const p2 = await get(`/api/templates?limit=1&cursor=${p1.body.nextCursor}`);
    expect(p2.body.items[0].id).not.toBe(p1.body.items[0].id);
    expect(p2.body.nextCursor).toBeNull();
    expect((await get('/api/templates?limit=0')).status).toBe(400);
  });

  it('GET /api/anomalies: the pipeline’s anomaly with signature, status and highlights', async () => {
    const r = await get('/api/anomalies');
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    const a = r.body.items[0];
    expect(a).toMatchObject({ kind: 'record', source: 'app', detector: 'severity', line: 41, status: 'new', signature: expect.stringMatching(/^severity\|app\|\d+\|level=FATAL$/), template: 'disk controller on fire, shutting down now' });
    expect(a.raw).toBe(FATAL);
    const h = a.explain.highlights as Array<{ start: number; end: number }>;
    expect(h.map((x) => a.raw.slice(x.start, x.end))).toEqual(['FATAL']);
  });

  it('GET /api/incidents: the stored incident of the anomaly, and its anomalies by incident', async () => {
    const r = await get('/api/incidents?since=2026-11-21T00:00:00Z&until=2026-11-21T10:30:00Z');
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    const i = r.body.items[0];
    expect(i).toMatchObject({ sources: ['app'], anomalies: 1, status: 'open', kinds: ['record'], start: Date.parse('2026-11-21T10:01:00Z') });
    expect(i.detectors[0].detector).toBe('severity');
    expect(i.summary).toContain('app: ');
    expect((await get(`/api/incidents/${i.id}`)).body).toEqual(i);
    expect((await get('/api/incidents/424242')).status).toBe(404);
    const a = await get(`/api/anomalies?incident=${i.id}`);
    expect(a.body.items.map((x: { incident: number }) => x.incident)).toEqual([i.id]);
    expect((await get('/api/incidents?since=2026-11-22T00:00:00Z')).body.items).toEqual([]);
  });

  it('GET /api/anomalies: newest first with filters and cursor pages over many', async () => {
    const many: Anomaly[] = Array.from({ length: 25 }, (_, i) => ({
      kind: 'window',
      source: i % 2 ? 'odd' : 'even',
      ts: T0 + 3_600_000 + i * 1000,
      grade: 0.7 + i / 100,
      detector: i % 5 === 0 ? 'window-rcf' : 'field-rate',
      detectors: [{ detector: 'field-rate', grade: 0.8 }],
      reason: `r${i}`,
      window: { start: T0, end: T0 + 60_000 },
      status: i === 24 ? 'suppressed' : 'new',
      signature: `sig${i % 3}`,
    }));
    s.runner.store.commit({ anomalies: many });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: { items: Array<{ ts: number }>; nextCursor: string | null } } = await get(`/api/anomalies?source=even&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.items.map((a) => a.ts));
      cursor = r.body.nextCursor;
    } while (cursor);
    // 13 even ones, the suppressed one (i = 24) left out by default
    expect(seen).toHaveLength(12);
    expect([...seen].sort((x, y) => y - x)).toEqual(seen);
    expect((await get('/api/anomalies?source=even&status=all&limit=100')).body.items).toHaveLength(13);
    expect((await get('/api/anomalies?status=suppressed')).body.items.map((a: { reason: string }) => a.reason)).toEqual(['r24']);
    expect((await get('/api/anomalies?detector=window-rcf&status=all')).body.items).toHaveLength(5);
    expect((await get('/api/anomalies?minGrade=0.9&status=all')).body.items.every((a: { grade: number }) => a.grade >= 0.9)).toBe(true);
    const since = new Date(T0 + 3_600_000 + 20_000).toISOString();
    expect((await get(`/api/anomalies?since=${since}&status=all`)).body.items).toHaveLength(5);
    expect((await get(`/api/anomalies?until=${T0 + 3_600_000}&status=all`)).body.items).toHaveLength(2);
    expect((await get('/api/anomalies?since=1h')).body.items).toHaveLength(0);
    expect((await get('/api/anomalies?since=yesterday')).status).toBe(400);
    expect((await get('/api/anomalies?status=bogus')).status).toBe(400);
  });

  it('GET /api/anomalies/:id: explanation, raw context lines before and after, feedback', async () => {
    const list = await get('/api/anomalies?source=app');
    const id = list.body.items[0].id;
    const r = await get(`/api/anomalies/${id}`);
    expect(r.status).toBe(200);
    expect(r.body.anomaly.id).toBe(id);
    expect(r.body.context.before.map((l: { line: number }) => l.line)).toEqual([36, 37, 38, 39, 40]);
    expect(r.body.context.after.map((l: { line: number }) => l.line)).toEqual([42, 43, 44]);
    expect(r.body.context.before[4].raw).toContain('request 39 served');
    expect(r.body.feedback).toEqual([]);
    expect((await get('/api/anomalies/999999')).status).toBe(404);
    expect((await get('/api/anomalies/abc')).status).toBe(400);
  });

  it('GET /api/series/keys and /api/series (closed windows, downsampled)', async () => {
    const keys = await get('/api/series/keys?source=app');
    const names = keys.body.items.map((k: { key: string }) => k.key);
    expect(names).toEqual(expect.arrayContaining(['records', 'unknown:level', 'value:level=INFO']));
    expect(keys.body.items.find((k: { key: string }) => k.key === 'value:level=INFO').label).toBe('level = INFO');
    expect(keys.body.items.find((k: { key: string }) => k.key.startsWith('template:')).label).toContain('request <*> served');
    const r = await get(`/api/series?source=app&key=records&since=${T0 - 3_600_000}&until=${T0 + 3_600_000}&points=10`);
    expect(r.status).toBe(200);
    expect(r.body.step).toBeGreaterThanOrEqual(60_000);
    expect(r.body.step % 60_000).toBe(0);
    expect(r.body.points.length).toBeLessThanOrEqual(10);
    expect(r.body.points.reduce((sum: number, p: number[]) => sum + p[1], 0)).toBe(40);
    const fine = await get(`/api/series?source=app&key=records&since=${T0}&until=${T0 + 59_000}`);
    expect(fine.body).toMatchObject({ source: 'app', key: 'records', step: 60_000, points: [[T0, 40]] });
    expect((await get('/api/series?source=app')).status).toBe(400);
  });

  it('GET /api/session without tokens: nothing to sign in to', async () => {
    expect((await get('/api/session')).body).toEqual({ auth: 'none', signedIn: true, scopes: ['read', 'write', 'ingest'] });
  });

  it('GET / serves the placeholder page without a built dashboard; unknown API routes are JSON 404s', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('dashboard was not built');
    expect(r.body).not.toContain('<script');
    const nf = await get('/api/nothing');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('not_found');
  });
});

describe('GET /api/stream', () => {
  it('streams anomaly and series events as the pipeline commits them, and pings', async () => {
    const res = await s.app.inject({ url: '/api/stream', payloadAsStream: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const events = collectEvents(res.stream());
    const late = JSON.stringify({ timestamp: '2026-11-21T10:05:00Z', level: 'EMERG', message: 'power supply lost on rack 7' });
    const r = await s.app.inject({ method: 'POST', url: '/api/ingest?source=app', headers: { 'content-type': 'application/x-ndjson' }, payload: late });
    expect(r.json()).toEqual({ accepted: 1, rejected: 0 });
    const anomaly = await events.next('anomaly');
    expect(anomaly).toMatchObject({ source: 'app', raw: late, status: 'new', id: expect.any(Number) });
    const series = await events.next('series');
    expect(series).toMatchObject({ source: 'app', t: T0 + 60_000 });
    expect(await events.next('ping')).toHaveProperty('t');
    events.stop();
  });
});

describe('POST /api/ingest', () => {
  it('takes a JSON array, text lines and gzip; rejects what is not a record, never failing the request', async () => {
    const arr = await s.app.inject({ method: 'POST', url: '/api/ingest?source=arr', headers: { 'content-type': 'application/json' }, payload: JSON.stringify([{ message: 'a 1' }, 'b 2', 3, null, [1]]) });
    expect(arr.json()).toEqual({ accepted: 2, rejected: 3 });
    const text = await s.app.inject({ method: 'POST', url: '/api/ingest?source=txt', headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: 'one line\r\n\r\ntwo {not json\n' });
    expect(text.json()).toEqual({ accepted: 2, rejected: 0 });
    const gz = await s.app.inject({ method: 'POST', url: '/api/ingest?source=txt', headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' }, payload: gzipSync('{"message":"zipped 1"}\n{broken\n') });
    expect(gz.json()).toEqual({ accepted: 1, rejected: 1 });
    const events = [...s.runner.store.events({ source: 'txt' })];
    expect(events.map((e) => [e.line, e.raw])).toEqual([
      [1, 'one line'],
      [2, 'two {not json'],
      [3, '{"message":"zipped 1"}'],
    ]);
    const dflt = await s.app.inject({ method: 'POST', url: '/api/ingest', headers: { 'content-type': 'text/plain' }, payload: 'to the default source' });
    expect(dflt.statusCode).toBe(200);
    expect([...s.runner.store.events({ source: 'http' })]).toHaveLength(1);
    const bad = await s.app.inject({ method: 'POST', url: '/api/ingest', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(bad.statusCode).toBe(415);
    const enc = await s.app.inject({ method: 'POST', url: '/api/ingest', headers: { 'content-type': 'text/plain', 'content-encoding': 'br' }, payload: 'x' });
    expect(enc.statusCode).toBe(415);
    const corrupt = await s.app.inject({ method: 'POST', url: '/api/ingest', headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, payload: 'not gzip at all' });
    expect(corrupt.statusCode).toBe(400);
  });
});

describe('feedback routes', () => {
  it('POST /api/anomalies/:id/feedback and GET /api/feedback', async () => {
    const a = (await get('/api/anomalies?source=app&limit=1')).body.items[0];
    const r = await s.app.inject({ method: 'POST', url: `/api/anomalies/${a.id}/feedback`, payload: { action: 'confirm', by: 'ana', note: 'real outage' } });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ anomalyId: a.id, action: 'confirm', by: 'ana', note: 'real outage', signature: a.signature });
    const mute = await s.app.inject({ method: 'POST', url: `/api/anomalies/${a.id}/feedback`, payload: { action: 'mute', hours: 2 } });
    expect(mute.json().until - mute.json().created).toBe(2 * 3_600_000);
    expect(mute.json().by).toBe('anonymous');
    expect((await get(`/api/anomalies/${a.id}`)).body.anomaly.status).toBe('muted');
    expect((await get(`/api/anomalies/${a.id}`)).body.feedback.map((f: { action: string }) => f.action)).toEqual(['confirm', 'mute']);
    const list = await get('/api/feedback?limit=1');
    expect(list.body.items[0].action).toBe('mute');
    const next = await get(`/api/feedback?limit=1&cursor=${list.body.nextCursor}`);
    expect(next.body.items[0].action).toBe('confirm');
    expect((await s.app.inject({ method: 'POST', url: `/api/anomalies/${a.id}/feedback`, payload: { action: 'delete' } })).statusCode).toBe(400);
    expect((await s.app.inject({ method: 'POST', url: '/api/anomalies/424242/feedback', payload: { action: 'confirm' } })).statusCode).toBe(404);
  });
});

/** Parses an SSE byte stream; `next(event)` waits for the next event of that name. */
function collectEvents(stream: Readable) {
  let buf = '';
  const queue: Array<{ event: string; data: unknown }> = [];
  const waiters: Array<() => void> = [];
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) queue.push({ event, data: JSON.parse(data) });
      for (const w of waiters.splice(0)) w();
    }
  });
  stream.on('error', () => undefined);
  return {
    async next(event: string): Promise<Record<string, unknown>> {
      for (;;) {
        const k = queue.findIndex((e) => e.event === event);
        if (k >= 0) return queue.splice(k, 1)[0].data as Record<string, unknown>;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    stop: () => stream.destroy(),
  };
}

describe('the dashboard’s files', () => {
  it('serves the built dashboard without a token, its index page for client-side routes, JSON 404s elsewhere', async () => {
    const web = tmpDataDir('logradar-web-');
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>dash</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(web, 'assets', 'app.js'), 'export const x = 1;\n');
    const t = await startTestServer({ auth: { token: 'dashboard-test-token' } }, undefined, { webRoot: web });
    try {
      const index = await t.app.inject({ url: '/' });
      expect(index.statusCode).toBe(200);
      expect(index.body).toContain('<title>dash</title>');
      expect(index.headers['content-security-policy']).toMatch(/^default-src 'self'/);
      const js = await t.app.inject({ url: '/assets/app.js' });
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toContain('javascript');
      const page = await t.app.inject({ url: '/anomalies/12', headers: { accept: 'text/html,*/*' } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<title>dash</title>');
      expect((await t.app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
      expect((await t.app.inject({ url: '/api/missing', headers: { accept: 'text/html' } })).statusCode).toBe(401);
      expect((await t.app.inject({ url: '/api/missing', headers: { authorization: 'Bearer dashboard-test-token' } })).json().error.code).toBe('not_found');
    } finally {
      await t.close();
      rmSync(web, { recursive: true, force: true });
    }
  });
});
