/** Alerts on standard output: one text line (fields joined) or one JSON object (the webhook's body) each. */
import type { Channel } from './channel.js';
import { alertText } from './message.js';
import { webhookBody } from './webhook.js';

export function stdoutChannel(format: 'text' | 'json', dashboardUrl: string, out: NodeJS.WritableStream = process.stdout): Channel {
  return {
    name: 'stdout',
    async send(n) {
      let line: string;
      if (format === 'json') line = JSON.stringify({ alert: webhookBody(n, dashboardUrl) });
      else {
        const t = alertText(n, dashboardUrl);
        const fields = t.fields.filter(([k]) => k !== 'reason').map(([k, v]) => `${k}=${v}`);
        line = [t.subject, ...fields, ...(t.link ? [t.link] : [])].join(' · ');
      }
      await new Promise<void>((resolve, reject) => out.write(line + '\n', (e) => (e ? reject(e) : resolve())));
    },
  };
}
