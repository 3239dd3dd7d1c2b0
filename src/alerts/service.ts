/**
 * Alerting as a running service: channels from config, the engine fed by the pipeline's anomalies, and a
 * tick (once a second) that ends quiet incidents and releases what quiet hours held.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { MetricsRegistry } from '../model/metrics.js';
import type { Anomaly } from '../model/record.js';
import type { Channel } from './channel.js';
import { AlertDelivery } from './delivery.js';
import { emailChannel } from './email-channel.js';
import { AlertEngine } from './engine.js';
import { Redactor, redactUrl } from './redact.js';
import { slackChannel } from './slack.js';
import { stdoutChannel } from './stdout.js';
import { webhookChannel } from './webhook.js';

/** What alerting needs of the pipeline (kept structural: alerts sit below the pipeline). */
export interface AnomalyFeed {
  onAnomaly(fn: (a: Anomaly) => void): void;
  onSuppressed(fn: (a: Anomaly) => void): void;
}

export interface AlertsOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Where the stdout channel writes (default process.stdout). */
  stdout?: NodeJS.WritableStream;
  /** Tick period; 0: no timer (tests call `tick`). */
  tickMs?: number;
}

export interface Alerts {
  engine: AlertEngine;
  delivery: AlertDelivery;
  tick(now?: number): void;
  /** Waits for messages in flight (bounded by `maxWaitMs`), then closes the channels. */
  close(maxWaitMs?: number): Promise<void>;
}

export function dashboardUrlOf(config: Config): string {
  return config.alerts.dashboardUrl ?? `http://${config.server.listen}`;
}

/** Builds the configured channels; the secrets they hold are registered with the redactor. */
export function buildChannels(config: Config, redactor: Redactor, stdout?: NodeJS.WritableStream): Channel[] {
  const c = config.alerts.channels;
  const url = dashboardUrlOf(config);
  const out: Channel[] = [];
  if (c.slack) {
    redactor.add(c.slack.url);
    out.push(slackChannel(c.slack.url, url));
  }
  if (c.webhook) {
    redactor.add(c.webhook.url, c.webhook.secret);
    out.push(webhookChannel(c.webhook.url, c.webhook.secret, url));
  }
  if (c.email) {
    redactor.add(c.email.pass);
    out.push(emailChannel({ ...c.email, timeout: config.alerts.retry.timeout }, url));
  }
  if (c.stdout) out.push(stdoutChannel(c.stdout.format, url, stdout));
  return out;
}

/** Starts alerting over a pipeline when rules are configured; undefined otherwise. */
export function startAlerts(config: Config, feed: AnomalyFeed, metrics: MetricsRegistry, log: Logger, opts: AlertsOptions = {}): Alerts | undefined {
  if (config.alerts.rules.length === 0) return undefined;
  const now = opts.now ?? Date.now;
  const redactor = new Redactor();
  const channels = buildChannels(config, redactor, opts.stdout);
  const delivery = new AlertDelivery(channels, config.alerts, { metrics, log, redactor, now, sleep: opts.sleep ?? ((ms) => delay(ms)) });
  const engine = new AlertEngine(config.alerts, delivery.deliver, metrics, now);
  feed.onAnomaly((a) => engine.observe(a));
  feed.onSuppressed(() => engine.suppressed());
  const c = config.alerts.channels;
  log.info(
    { rules: config.alerts.rules.map((r) => r.name), slack: c.slack && redactUrl(c.slack.url), webhook: c.webhook && redactUrl(c.webhook.url), email: c.email && { host: c.email.host, to: c.email.to }, stdout: !!c.stdout },
    'alerting on',
  );
  const tick = (t = now()) => {
    engine.tick(t);
    delivery.tick(t);
  };
  const timer = opts.tickMs === 0 ? undefined : setInterval(tick, opts.tickMs ?? 1000);
  timer?.unref();
  return {
    engine,
    delivery,
    tick,
    async close(maxWaitMs = 5000) {
      if (timer) clearInterval(timer);
      const ac = new AbortController();
      await Promise.race([delivery.idle(), delay(maxWaitMs, undefined, { signal: ac.signal }).catch(() => undefined)]);
      ac.abort();
      delivery.close();
    },
  };
}
