/**
 * Delivery of notifications, one queue per channel: quiet hours (hold or drop), a sliding-window rate
 * limit, then sends in order with bounded exponential backoff. Counters per channel, in component
 * `alert.<channel>`: received (messages due), emitted (sent), dropped{quiet_hours, rate_limited,
 * queue_full, not_announced}, errors{send} (given up after the last try), errors{retry} (tries that failed
 * and were retried). Time comes from `now()`; waiting between tries from `sleep`, so tests need no timers.
 */
import type { Logger } from 'pino';
import type { AlertChannelName, AlertsConfig } from '../config/schema.js';
import type { MetricsRegistry } from '../model/metrics.js';
import { SendError, type Channel } from './channel.js';
import type { Notification } from './incident.js';
import { QuietHours } from './quiet-hours.js';
import type { Redactor } from './redact.js';

/** Messages waiting per channel (held for quiet hours, or in flight) before new ones are dropped. */
const MAX_QUEUED = 1000;

export interface DeliveryDeps {
  metrics: MetricsRegistry;
  log: Logger;
  redactor: Redactor;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface ChannelStatus {
  channel: AlertChannelName;
  sent: number;
  failed: number;
  dropped: number;
  held: number;
  lastError?: string;
}

class ChannelQueue {
  private readonly held: Notification[] = [];
  /** Wall times of recent admissions (rate limit). */
  private readonly recent: number[] = [];
  /** Incidents whose open (or held resolve) this channel admitted: their resolve is always sent. */
  private readonly announced = new Set<number>();
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  lastError?: string;

  constructor(
    readonly channel: Channel,
    private readonly cfg: AlertsConfig,
    private readonly rateLimit: { max: number; window: number },
    private readonly quiet: QuietHours | undefined,
    private readonly deps: DeliveryDeps,
  ) {}

  private get m() {
    return this.deps.metrics.get(`alert.${this.channel.name}`);
  }

  heldCount(): number {
    return this.held.length;
  }

  push(n: Notification, now: number): void {
    this.m.received++;
    if (this.quiet?.isQuiet(now)) {
      if (this.cfg.quietHours.action === 'drop') return this.m.drop('quiet_hours');
      this.hold(n);
      return;
    }
    this.admit(n, now);
  }

  /** Releases what quiet hours held, in order, once they are over. */
  release(now: number): void {
    if (this.held.length === 0 || this.quiet?.isQuiet(now)) return;
    for (const n of this.held.splice(0)) this.admit(n, now);
  }

  idle(): Promise<void> {
    return this.chain;
  }

  private hold(n: Notification): void {
    if (n.kind === 'resolve') {
      // an incident that opened and ended during quiet hours: its resolve alone tells the story
      const before = this.held.length;
      for (let i = this.held.length - 1; i >= 0; i--) if (this.held[i].incident.id === n.incident.id) this.held.splice(i, 1);
      if (this.held.length < before) n = { ...n, heldOpen: true };
    }
    if (this.held.length >= MAX_QUEUED) return this.m.drop('queue_full');
    this.held.push(n);
  }

  private admit(n: Notification, now: number): void {
    const id = n.incident.id;
    const opens = n.kind === 'open' || n.heldOpen === true;
    // updates and resolves follow only an open this channel sent: never a resolve of an unknown incident
    if (!opens && !this.announced.has(id)) return this.m.drop('not_announced');
    const window = this.rateLimit.window;
    while (this.recent.length && now - this.recent[0] >= window) this.recent.shift();
    const exempt = n.kind === 'resolve' && !opens;
    if (!exempt && this.rateLimit.max > 0 && this.recent.length >= this.rateLimit.max) return this.m.drop('rate_limited');
    if (this.inFlight >= MAX_QUEUED) return this.m.drop('queue_full');
    // a resolve of an alert sent here is neither limited nor counted: it closes what the channel already shows
    if (!exempt) this.recent.push(now);
    if (n.kind === 'resolve') this.announced.delete(id);
    else this.announced.add(id);
    this.inFlight++;
    this.chain = this.chain.then(() => this.sendWithRetries(n)).finally(() => this.inFlight--);
  }

  private async sendWithRetries(n: Notification): Promise<void> {
    const { attempts, initialDelay, maxDelay, timeout } = this.cfg.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.channel.send(n, timeout);
        this.m.emitted++;
        return;
      } catch (e) {
        const message = this.deps.redactor.redact((e as Error).message);
        const retryable = !(e instanceof SendError) || e.retryable;
        if (!retryable || attempt >= attempts) {
          this.m.error('send');
          this.lastError = message;
          this.deps.log.warn({ channel: this.channel.name, incident: n.incident.id, kind: n.kind, attempts: attempt, err: message }, 'alert not delivered');
          return;
        }
        this.m.error('retry');
        await this.deps.sleep(Math.min(maxDelay, initialDelay * 2 ** (attempt - 1)));
      }
    }
  }
}

export class AlertDelivery {
  private readonly queues = new Map<AlertChannelName, ChannelQueue>();

  constructor(
    channels: Channel[],
    cfg: AlertsConfig,
    private readonly deps: DeliveryDeps,
  ) {
    const quiet = new QuietHours(cfg.quietHours);
    for (const ch of channels) {
      const rateLimit = cfg.channels[ch.name]?.rateLimit ?? { max: 0, window: 0 };
      const q = new ChannelQueue(ch, cfg, rateLimit, cfg.quietHours.channels.includes(ch.name) ? quiet : undefined, deps);
      this.queues.set(ch.name, q);
      // the counters exist from the start, so /metrics and /healthz show every configured channel
      deps.metrics.get(`alert.${ch.name}`);
    }
  }

  deliver = (n: Notification): void => {
    const now = this.deps.now();
    for (const name of n.channels) this.queues.get(name)?.push(n, now);
  };

  tick(now = this.deps.now()): void {
    for (const q of this.queues.values()) q.release(now);
  }

  /** Resolves when every message handed over so far has been sent or given up. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.idle()));
  }

  status(): ChannelStatus[] {
    return [...this.queues.values()].map((q) => {
      const m = this.deps.metrics.get(`alert.${q.channel.name}`);
      return { channel: q.channel.name, sent: m.emitted, failed: m.errors.send ?? 0, dropped: Object.values(m.dropped).reduce((s, x) => s + x, 0), held: q.heldCount(), lastError: q.lastError };
    });
  }

  close(): void {
    for (const q of this.queues.values()) q.channel.close?.();
  }
}
