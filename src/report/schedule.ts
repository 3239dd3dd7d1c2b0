/**
 * The scheduled report of `watch`, `serve` and `demo`: at each `report.schedule` time (cron, croner) the
 * report of the `report.since` before it is written to `report.outDir` and, with `report.mail`, mailed.
 * Time is given to `tick(now)`, so tests drive it with a fake clock; the timer of `startReportSchedule`
 * only calls `tick(Date.now())` at the due time. A run missed while the process was down is not made up
 * for; one that came due while it was suspended is made once on waking. A failure is logged and
 * counted, never fatal to the pipeline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ComponentMetrics } from '../model/metrics.js';
import type { LogStore } from '../model/store.js';
import { mailReport, reportMailer } from './mail.js';
import { makeReport } from './report.js';

const EXTENSIONS = { text: 'txt', html: 'html', markdown: 'md' } as const;
/** Longest single wait of the timer: after a suspend or a clock change the due time is looked at again this soon. */
const MAX_WAIT_MS = 60_000;

/** `report-20261121-0700.html`: the UTC time the report ends at. */
export function reportFileName(until: number, format: Config['report']['format']): string {
  const iso = new Date(until).toISOString();
  return `report-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 16).replace(':', '')}.${EXTENSIONS[format]}`;
}

export class ReportSchedule {
  private readonly cron: Cron;
  private due: number | undefined;
  private running = false;

  constructor(
    private readonly config: Config,
    private readonly store: LogStore,
    private readonly log: Logger,
    private readonly metrics: ComponentMetrics,
    now: number,
  ) {
    this.cron = new Cron(config.report.schedule, { paused: true, ...(config.report.timezone ? { timezone: config.report.timezone } : {}) });
    this.due = this.nextAfter(now);
  }

  /** When the next report is due (ms), undefined when the pattern has no future time. */
  get next(): number | undefined {
    return this.due;
  }

  /**
   * Makes the report due at or before `now`, if any and none is being made; resolves with the file
   * written (undefined when nothing was due or the run failed).
   */
  async tick(now: number): Promise<string | undefined> {
    if (this.due === undefined || now < this.due || this.running) return undefined;
    const at = this.due;
    this.due = this.nextAfter(now);
    this.running = true;
    try {
      return await this.run(at);
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.cron.stop();
  }

  private nextAfter(t: number): number | undefined {
    return this.cron.nextRun(new Date(t))?.getTime();
  }

  private async run(until: number): Promise<string | undefined> {
    const r = this.config.report;
    this.metrics.received++;
    let file: string;
    let report;
    try {
      report = makeReport(this.store, this.config, { since: until - r.since, until });
      const dir = r.outDir ?? join(this.config.dataDir, 'reports');
      mkdirSync(dir, { recursive: true });
      file = join(dir, reportFileName(until, r.format));
      writeFileSync(file, report.render(r.format));
      this.metrics.emitted++;
      this.log.info({ file, incidents: report.data.incidents.length }, 'scheduled report written');
    } catch (e) {
      this.metrics.error('report');
      this.log.error({ err: (e as Error).message }, 'scheduled report failed');
      return undefined;
    }
    if (r.mail) {
      try {
        const mailer = reportMailer(this.config);
        try {
          await mailReport(report, mailer, r.to);
        } finally {
          mailer.close();
        }
        this.log.info({ subject: report.subject }, 'scheduled report mailed');
      } catch (e) {
        this.metrics.error('mail');
        this.log.error({ err: (e as Error).message }, 'scheduled report not mailed');
      }
    }
    return file;
  }
}

/** Runs the schedule on a timer; returns the function that stops it. */
export function startReportSchedule(config: Config, store: LogStore, log: Logger, metrics: ComponentMetrics): () => void {
  const schedule = new ReportSchedule(config, store, log, metrics, Date.now());
  log.debug({ next: schedule.next === undefined ? null : new Date(schedule.next).toISOString() }, 'report schedule');
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped || schedule.next === undefined) return;
    timer = setTimeout(() => void schedule.tick(Date.now()).finally(arm), Math.min(MAX_WAIT_MS, Math.max(0, schedule.next - Date.now())));
    timer.unref();
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
    schedule.stop();
  };
}
