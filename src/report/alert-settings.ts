/**
 * The alert settings a report shares with the alert channels: the SMTP server of the e-mail channel
 * (`alerts.channels.email`) and the dashboard's public URL (`alerts.dashboardUrl`), so they are
 * configured once. Read structurally: the `alerts` config section belongs to the alerts component.
 */
import type { MailerConfig } from '../alerts/email.js';
import type { Config } from '../config/schema.js';

export interface AlertSettings {
  dashboardUrl?: string;
  channels?: { email?: MailerConfig };
}

export function alertSettings(config: Config): AlertSettings | undefined {
  return (config as unknown as { alerts?: AlertSettings }).alerts;
}

/** `alerts.dashboardUrl` when set (behind a proxy, another host name), else the address the server listens on. */
export function dashboardBase(config: Config): string {
  return (alertSettings(config)?.dashboardUrl ?? `http://${config.server.listen}`).replace(/\/+$/, '');
}
