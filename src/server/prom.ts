/**
 * Prometheus metrics (prom-client, a registry per server): the pipeline's component counters (received,
 * emitted, dropped{reason}, errors{stage}) read at scrape time, per-source records and templates,
 * anomalies by detector and status with a grade histogram, alert sends/failures by channel, byte lag per
 * source, the age of each source's active model version, HTTP requests, and Node's default metrics (event-loop delay among them).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsRegistry } from '../model/metrics.js';
import type { Anomaly } from '../model/record.js';
import type { Pipeline } from '../pipeline/pipeline.js';

export interface PromMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  anomaly(a: Anomaly): void;
}

/** The store's part of the metrics: files (for lag) and model versions (for model age). */
export interface PromStore {
  listFiles(): Array<{ source: string; size: number; offset: number; gone: boolean }>;
  versions?: { list(source?: string): Array<{ source: string; created: number; active: boolean }> };
}

export function promMetrics(metrics: MetricsRegistry, pipeline?: Pipeline, store?: PromStore): PromMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'logradar_' });
  const counter = <L extends string>(name: string, help: string, labelNames: L[], fill: (c: Counter<L>) => void) =>
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        fill(this);
      },
    });
  counter('logradar_received_total', 'Items received per component (source.*: lines read; decode, detect, store: records)', ['component'], (c) => {
    for (const m of metrics.all()) c.inc({ component: m.component }, m.received);
  });
  counter('logradar_emitted_total', 'Items emitted per component (detect: anomalies; store: lines committed)', ['component'], (c) => {
    for (const m of metrics.all()) c.inc({ component: m.component }, m.emitted);
  });
  counter('logradar_dropped_total', 'Items dropped per component and reason', ['component', 'reason'], (c) => {
    for (const m of metrics.all()) for (const [reason, n] of Object.entries(m.dropped)) c.inc({ component: m.component, reason }, n);
  });
  counter('logradar_errors_total', 'Errors per component and stage (decode: parse errors)', ['component', 'stage'], (c) => {
    for (const m of metrics.all()) for (const [stage, n] of Object.entries(m.errors)) c.inc({ component: m.component, stage }, n);
  });
  // alert channels keep their counters in components `alert.<channel>` (src/alerts/delivery.ts)
  const alertChannels = () => metrics.all().filter((m) => m.component.startsWith('alert.'));
  counter('logradar_alert_sends_total', 'Alert messages delivered, by channel', ['channel'], (c) => {
    for (const m of alertChannels()) c.inc({ channel: m.component.slice(6) }, m.emitted);
  });
  counter('logradar_alert_failures_total', 'Alert messages given up after the last retry, by channel', ['channel'], (c) => {
    for (const m of alertChannels()) c.inc({ channel: m.component.slice(6) }, m.errors.send ?? 0);
  });
  if (pipeline) {
    const status = (name: string, help: string, pick: (s: ReturnType<Pipeline['status']>[number]) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['source'],
        registers: [registry],
        collect() {
          this.reset();
          for (const s of pipeline.status()) this.set({ source: s.source }, pick(s));
        },
      });
    status('logradar_source_records', 'Records ingested per source (since its models started)', (s) => s.records);
    status('logradar_source_templates', 'Live templates per source', (s) => s.templates);
  }
  if (store) {
    new Gauge({
      name: 'logradar_source_lag_bytes',
      help: 'Bytes written to a source\'s files and not read yet',
      labelNames: ['source'],
      registers: [registry],
      collect() {
        this.reset();
        const lag = new Map<string, number>();
        for (const f of store.listFiles()) if (!f.gone) lag.set(f.source, (lag.get(f.source) ?? 0) + Math.max(0, f.size - f.offset));
        for (const [source, bytes] of lag) this.set({ source }, bytes);
      },
    });
    const versions = store.versions;
    if (versions) {
      new Gauge({
        name: 'logradar_model_age_seconds',
        help: 'Age of the active model version of a source (its refit or rollback target); sources never refitted have none',
        labelNames: ['source'],
        registers: [registry],
        collect() {
          this.reset();
          const now = Date.now();
          for (const v of versions.list()) if (v.active) this.set({ source: v.source }, Math.max(0, (now - v.created) / 1000));
        },
      });
    }
  }
  const grades = new Histogram({
    name: 'logradar_anomaly_grade',
    help: 'Grades of the anomalies found since start, by detector (suppressed ones included)',
    labelNames: ['detector'],
    buckets: [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
    registers: [registry],
  });
  const anomalies = new Counter({ name: 'logradar_anomalies_total', help: 'Anomalies found since start, by detector and status (new or suppressed by feedback)', labelNames: ['detector', 'status'], registers: [registry] });
  const httpRequests = new Counter({ name: 'logradar_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const anomaly = (a: Anomaly) => {
    anomalies.inc({ detector: a.detector, status: a.status ?? 'new' });
    grades.observe({ detector: a.detector }, a.grade);
  };
  return { registry, httpRequests, anomaly };
}
