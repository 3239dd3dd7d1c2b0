/** Real local receivers for alert channels: an HTTP server and an in-process SMTP server on 127.0.0.1:0. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface HttpRequestSeen {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver {
  url: string;
  requests: HttpRequestSeen[];
  /** Status codes answered in turn; once used up, 200. */
  failWith: number[];
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: HttpRequestSeen[] = [];
  const rec = { requests, failWith: [] as number[] } as unknown as HttpReceiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = rec.failWith.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  rec.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return rec;
}

export interface MailSeen {
  from: string;
  to: string[];
  data: string;
  user?: string;
  pass?: string;
}

export interface SmtpReceiver {
  port: number;
  mails: MailSeen[];
  close(): Promise<void>;
}

/** Plain SMTP (no STARTTLS offered) with optional AUTH PLAIN/LOGIN, keeping every message it receives. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const mails: MailSeen[] = [];
  const creds = new Map<string, { user?: string; pass?: string }>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, session, cb) {
      creds.set(session.id, { user: auth.username, pass: auth.password ?? undefined });
      cb(null, { user: auth.username });
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('utf8'), ...creds.get(session.id) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
