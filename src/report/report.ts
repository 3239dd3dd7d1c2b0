/** A whole report: figures of a period from the store, laid out, rendered in the asked format (and in HTML and text for mail). */
import type { Config } from '../config/schema.js';
import type { LogStore } from '../model/store.js';
import { dashboardUrlOf } from '../alerts/service.js';
import { collectReport, type ReportData } from './collect.js';
import { minuteTime, reportDocument, type ReportDocument } from './document.js';
import { renderReport, type ReportFormat } from './render.js';

export interface MadeReport {
  data: ReportData;
  document: ReportDocument;
  subject: string;
  render(format: ReportFormat): string;
}

export interface MakeReportOptions {
  since: number;
  until: number;
  now?: number;
  top?: number;
}

export function makeReport(store: LogStore, config: Config, opts: MakeReportOptions): MadeReport {
  const data = collectReport(store, config.parse, {
    since: opts.since,
    until: opts.until,
    now: opts.now,
    top: opts.top ?? config.report.top,
    dashboardUrl: dashboardUrlOf(config).replace(/\/+$/, ''),
  });
  const document = reportDocument(data);
  return { data, document, subject: reportSubject(data), render: (format) => renderReport(document, format) };
}

/** `logradar report 2026-11-21 07:00 UTC: 3 incidents, 12 error lines, 1,234,567 lines` (+ Postfix figures). */
export function reportSubject(d: ReportData): string {
  const errors = Object.values(d.errorLevels).reduce((a, b) => a + b, 0);
  const parts = [`${d.incidents.length} incidents`, `${errors} error lines`, `${d.lines} lines`];
  for (const p of d.postfix) parts.push(`${p.source}: ${p.totals.received} received, ${p.totals.deferred} deferred, ${p.totals.bounced} bounced, ${p.totals.rejected} rejected, ${p.totals.saslFailures} SASL failures`);
  // source names are file paths: no control character reaches a mail header
  return `logradar report ${minuteTime(d.until)} UTC: ${parts.join(', ')}`.replace(/[\u0000-\u001f\u007f]/g, ' ');
}
