/**
 * Prometheus metrics (prom-client, a registry per server): the pipeline's component counters (received,
 * emitted, dropped{reason}, errors{stage}) read at scrape time, per-source records and templates,
 * anomalies by detector and status, alert sends/failures by channel, HTTP requests, and Node's default metrics (event-loop delay among them).
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { MetricsRegistry } from '../model/metrics.js';
import type { Anomaly } from '../model/record.js';
import type { Pipeline } from '../pipeline/pipeline.js';

export interface PromMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  anomaly(a: Anomaly): void;
}

export function promMetrics(metrics: MetricsRegistry, pipeline?: Pipeline): PromMetrics {
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
  const anomalies = new Counter({ name: 'logradar_anomalies_total', help: 'Anomalies found since start, by detector and status (new or suppressed by feedback)', labelNames: ['detector', 'status'], registers: [registry] });
  const httpRequests = new Counter({ name: 'logradar_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  return { registry, httpRequests, anomaly: (a) => anomalies.inc({ detector: a.detector, status: a.status ?? 'new' }) };
}
