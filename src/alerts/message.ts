/**
 * The words of an alert, shared by every channel: a subject and labelled fields. Log text is untrusted:
 * channels escape it for their own markup (HTML, Slack mrkdwn); here control characters are made visible
 * and lengths bounded.
 */
import type { Notification } from './incident.js';

const SAMPLE_MAX = 500;
const REASON_MAX = 300;

export interface AlertText {
  subject: string;
  /** Label → value, in display order. */
  fields: Array<[string, string]>;
  /** The line behind the strongest anomaly, if any. */
  sample?: string;
  /** The dashboard page of the strongest anomaly. */
  link?: string;
}

const HEADS = { open: 'ALERT', update: 'UPDATE', resolve: 'RESOLVED' } as const;

export function alertText(n: Notification, dashboardUrl: string): AlertText {
  const inc = n.incident;
  const a = inc.anomaly;
  const reason = clean(a.reason, REASON_MAX);
  const head = n.heldOpen ? 'ALERT (resolved during quiet hours)' : HEADS[n.kind];
  const fields: Array<[string, string]> = [
    ['grade', inc.maxGrade.toFixed(2)],
    ['reason', reason],
    ['source', clean(inc.source, 200)],
    ['detector', a.detector],
    ['rule', inc.rule],
    ['anomalies', `${inc.count} (${inc.signatures} distinct)`],
    ['opened', new Date(inc.openedAt).toISOString()],
  ];
  if (inc.resolvedAt !== undefined) fields.push(['resolved', new Date(inc.resolvedAt).toISOString()]);
  if (a.line !== undefined) fields.push(['line', String(a.line)]);
  return {
    subject: clean(`[logradar] ${head} ${inc.source}: ${reason}`, 200),
    fields,
    sample: a.raw === undefined ? undefined : clean(a.raw, SAMPLE_MAX),
    link: a.id === undefined ? undefined : `${dashboardUrl.replace(/\/+$/, '')}/#/anomaly/${a.id}`,
  };
}

/** The text of an alert as plain lines (stdout, the e-mail's text part). */
export function plainText(t: AlertText): string {
  const lines = [t.subject, ...t.fields.map(([k, v]) => `${k}: ${v}`)];
  if (t.sample !== undefined) lines.push(`sample: ${t.sample}`);
  if (t.link) lines.push(`link: ${t.link}`);
  return lines.join('\n');
}

/** One line, bounded: control characters (CR/LF among them: header injection) shown as U+FFFD. */
function clean(s: string, max: number): string {
  const one = s.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}
