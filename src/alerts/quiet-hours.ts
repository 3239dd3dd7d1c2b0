/** A daily quiet period in a time zone, possibly over midnight (22:00–07:00). */
import type { AlertsConfig } from '../config/schema.js';

export class QuietHours {
  private readonly start?: number;
  private readonly end?: number;
  private readonly clock: Intl.DateTimeFormat;

  constructor(cfg: AlertsConfig['quietHours']) {
    this.start = minutes(cfg.start);
    this.end = minutes(cfg.end);
    this.clock = new Intl.DateTimeFormat('en-GB', { timeZone: cfg.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }

  /** True inside [start, end) local time; equal start and end mean no quiet hours. */
  isQuiet(now: number): boolean {
    if (this.start === undefined || this.end === undefined || this.start === this.end) return false;
    const parts = this.clock.formatToParts(now);
    const m = Number(parts.find((p) => p.type === 'hour')?.value) * 60 + Number(parts.find((p) => p.type === 'minute')?.value);
    return this.start < this.end ? m >= this.start && m < this.end : m >= this.start || m < this.end;
  }
}

function minutes(hhmm: string | undefined): number | undefined {
  if (!hhmm) return undefined;
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}
