/** The e-mail transport against an in-process SMTP server: envelope, headers, both parts, credentials. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpReceiver, type SmtpReceiver } from '../../test/helpers/receivers.js';
import { createMailer, escapeHtml } from './email.js';

let smtp: SmtpReceiver | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

describe('createMailer', () => {
  it('sends a text and an HTML part, authenticated, to the configured recipients', async () => {
    smtp = await startSmtpReceiver();
    const mailer = createMailer({ host: '127.0.0.1', port: smtp.port, secure: false, user: 'alerts', pass: 's3cret-pass', from: 'logradar@example.org', to: ['ops@example.org', 'oncall@example.org'] });
    await mailer.send({ subject: 'hello', text: 'plain body', html: '<p>html body</p>' });
    mailer.close();
    expect(smtp.mails).toHaveLength(1);
    const m = smtp.mails[0];
    expect(m).toMatchObject({ from: 'logradar@example.org', to: ['ops@example.org', 'oncall@example.org'], user: 'alerts', pass: 's3cret-pass' });
    expect(m.data).toMatch(/^Subject: hello$/m);
    expect(m.data).toMatch(/^Content-Type: text\/plain/m);
    expect(m.data).toMatch(/^Content-Type: text\/html/m);
    expect(m.data).toContain('plain body');
    expect(m.data).toContain('<p>html body</p>');
  });

  it('a refused connection fails without the password in the error', async () => {
    smtp = await startSmtpReceiver();
    const port = smtp.port;
    await smtp.close();
    smtp = undefined;
    const mailer = createMailer({ host: '127.0.0.1', port, secure: false, user: 'u', pass: 'hunter2-password', from: 'a@example.org', to: ['b@example.org'], timeout: 2000 });
    const err = await mailer.send({ subject: 's', text: 't' }).then(() => undefined, (e: Error) => e);
    mailer.close();
    expect(err?.message).toMatch(/^smtp 127\.0\.0\.1:\d+: /);
    expect(err?.message).not.toContain('hunter2');
  });
});

describe('escapeHtml', () => {
  it('turns markup into text', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });
});
