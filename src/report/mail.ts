/**
 * Mailing a report through the e-mail alert channel's transport (alerts/email.ts): an HTML part and a
 * text part, to `report.to` or else the channel's recipients. The SMTP settings and the dashboard URL
 * are the alert settings (`alerts.channels.email`, `alerts.dashboardUrl`), so a server is configured once.
 */
import { createMailer, type Mailer } from '../alerts/email.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../model/errors.js';
import type { MadeReport } from './report.js';

/** A mailer over the e-mail alert channel; a usage error (exit 2) when none is configured. */
export function reportMailer(config: Config, timeout?: number): Mailer {
  const email = config.alerts.channels.email;
  if (!email) throw new UsageError('--mail / report.mail: no e-mail channel is configured (alerts.channels.email: host, port, from, to)');
  return createMailer({ ...email, ...(timeout !== undefined ? { timeout } : {}) });
}

export async function mailReport(report: MadeReport, mailer: Mailer, to: readonly string[] = []): Promise<void> {
  await mailer.send({ ...(to.length ? { to: [...to] } : {}), subject: report.subject, text: report.render('text'), html: report.render('html') });
}
