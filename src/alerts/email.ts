/**
 * E-mail over SMTP (nodemailer): the alert channel's transport, also used by `logradar report --mail`.
 * `createMailer(cfg).send({ subject, text, html })` sends one message with a text and an HTML part to
 * `cfg.to` (or the `to` given). The password never appears in what this module logs or throws.
 */
import nodemailer from 'nodemailer';
import { Redactor } from './redact.js';

export interface MailerConfig {
  host: string;
  port: number;
  /** TLS from the start (port 465); false: plain, upgraded with STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
  to: string[];
  /** Most time to connect, greet and send (ms). */
  timeout?: number;
}

export interface MailMessage {
  to?: string[];
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(m: MailMessage): Promise<void>;
  close(): void;
}

export function createMailer(cfg: MailerConfig): Mailer {
  const timeout = cfg.timeout ?? 30_000;
  const transport = nodemailer.createTransport({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    auth: cfg.user ? { user: cfg.user, pass: cfg.pass ?? '' } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
  });
  const redactor = new Redactor().add(cfg.pass);
  return {
    async send(m) {
      const to = m.to ?? cfg.to;
      try {
        await transport.sendMail({ from: cfg.from, to, subject: m.subject, text: m.text, html: m.html });
      } catch (e) {
        throw new Error(`smtp ${cfg.host}:${cfg.port}: ${redactor.redact((e as Error).message)}`);
      }
    },
    close: () => transport.close(),
  };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML body: log text is untrusted and must never become markup. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}
