/**
 * /metrics read back with a Prometheus text-format parser after a known run: the counters equal what
 * was ingested, stored and found (real pipeline, real SQLite store, HTTP ingest through inject()).
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndjson, startTestServer, type TestServer } from '../../test/helpers/server.js';

const FATAL = (i: number) => JSON.stringify({ timestamp: `2026-11-21T10:0${i}:30Z`, level: 'FATAL', message: 'disk controller on fire, shutting down now' });

let s: TestServer;
let accepted = 0;
let rejected = 0;
beforeAll(async () => {
  s = await startTestServer({ detect: { warmupRecords: 20, interval: '1m', fields: [{ field: 'level', known: ['INFO'] }] } });
  for (const source of ['app', 'db']) {
    const r = await s.app.inject({ method: 'POST', url: `/api/ingest?source=${source}`, headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(60, [FATAL(1), FATAL(2)]) + 'not json at all\n' });
    expect(r.statusCode, r.body).toBe(200);
    accepted += r.json<{ accepted: number }>().accepted;
    rejected += r.json<{ rejected: number }>().rejected;
  }
  // a watched file 1,000 bytes behind: the lag gauge reads the store's file rows
  const now = Date.now();
  s.runner.store.addFile({ path: '/var/log/x.log', source: 'x', dev: '1', ino: '2', fp: 'f', fpLen: 10, offset: 500, line: 5, skipping: false, size: 1500, firstSeen: now, lastRead: now, gone: false });
});
afterAll(() => s.close(true));

async function scrape(): Promise<Map<string, ReturnType<typeof parsePrometheusTextFormat>[number]>> {
  const r = await s.app.inject({ url: '/metrics' });
  expect(r.statusCode).toBe(200);
  return new Map(parsePrometheusTextFormat(r.body).map((f) => [f.name, f]));
}

const value = (m: Map<string, ReturnType<typeof parsePrometheusTextFormat>[number]>, name: string, labels: Record<string, string>) =>
  Number(m.get(name)?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v))?.value);

describe('GET /metrics after a known run', () => {
  it('counts lines per source component, records, templates, anomalies by detector with their grades, lag and event-loop delay', async () => {
    const m = await scrape();
    expect(m.get('logradar_received_total')?.type).toBe('COUNTER');
    // 2 sources × 62 records through HTTP ingest; the line that is not JSON is refused in an NDJSON body
    expect([accepted, rejected]).toEqual([124, 2]);
    expect(value(m, 'logradar_received_total', { component: 'source.http' })).toBe(accepted);
    expect(value(m, 'logradar_source_records', { source: 'app' })).toBe(62);
    expect(value(m, 'logradar_source_records', { source: 'db' })).toBe(62);
    const stored = s.runner.store.anomalies({});
    const bySeverity = stored.filter((a) => a.detector === 'severity').length;
    expect(bySeverity).toBeGreaterThanOrEqual(2);
    expect(value(m, 'logradar_anomalies_total', { detector: 'severity', status: 'new' })).toBe(bySeverity);
    const hist = m.get('logradar_anomaly_grade');
    expect(hist?.type).toBe('HISTOGRAM');
    // this parser drops a histogram's labels other than le (and merges its series): read those lines as text
    const text = (await s.app.inject({ url: '/metrics' })).body;
    const counts = [...text.matchAll(/^logradar_anomaly_grade_count\{detector="([^"]+)"\} (\d+)$/gm)];
    expect(counts.reduce((n, c) => n + Number(c[2]), 0)).toBe(stored.length);
    expect(text).toContain(`logradar_anomaly_grade_bucket{le="0.7",detector="severity"} 0`); // FATAL lines grade 0.8
    expect(text).toContain(`logradar_anomaly_grade_bucket{le="0.8",detector="severity"} ${bySeverity}`);
    expect(value(m, 'logradar_source_templates', { source: 'app' })).toBe(s.runner.pipeline.status().find((x) => x.source === 'app')!.templates);
    expect(value(m, 'logradar_source_lag_bytes', { source: 'x' })).toBe(1000);
    expect(m.has('logradar_nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(m.has('logradar_model_age_seconds')).toBe(true);
  });
});
