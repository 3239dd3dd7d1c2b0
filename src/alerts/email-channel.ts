/** Alerts by e-mail: the text part is the plain alert, the HTML part the same with every value escaped. */
import type { Channel } from './channel.js';
import { createMailer, escapeHtml, type MailerConfig } from './email.js';
import type { Notification } from './incident.js';
import { alertText, plainText, type AlertText } from './message.js';

export function alertHtml(t: AlertText): string {
  const rows = t.fields.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const sample = t.sample === undefined ? '' : `<pre style="white-space:pre-wrap">${escapeHtml(t.sample)}</pre>`;
  const link = t.link ? `<p><a href="${escapeHtml(t.link)}">Open in logradar</a></p>` : '';
  return `<!doctype html><html><body><h3>${escapeHtml(t.subject)}</h3><table>${rows}</table>${sample}${link}</body></html>`;
}

export function emailChannel(cfg: MailerConfig, dashboardUrl: string): Channel {
  const mailer = createMailer(cfg);
  return {
    name: 'email',
    async send(n: Notification) {
      const t = alertText(n, dashboardUrl);
      await mailer.send({ subject: t.subject, text: plainText(t), html: alertHtml(t) });
    },
    close: () => mailer.close(),
  };
}
