import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { Decoder } from './decoder.js';
import { mailDomain } from './postfix.js';

const parse = configSchema.parse({}).parse;
const decoder = new Decoder({ format: 'auto', messageFields: parse.messageFields, timestampFields: parse.timestampFields });
const NOW = Date.parse('2026-11-22T00:00:00Z');
const decode = (text: string) => decoder.decode({ text, offset: 0, line: 1, truncated: false }, 'mail', NOW);
const H = 'Nov 21 10:00:01 mail ';

/** Every line shape `logradar generate postfix` writes, with the fields the decoder must give it. */
const SHAPES: Array<[string, Record<string, unknown>, string?]> = [
  [`${H}postfix/smtpd[1234]: connect from mail-out2.globex.net[212.54.195.105]`, { event: 'connect', client: 'mail-out2.globex.net[212.54.195.105]', clientHost: 'mail-out2.globex.net', clientIp: '212.54.195.105' }],
  [`${H}postfix/smtpd[1234]: 3F2A81C0B4: client=mail-out2.globex.net[212.54.195.105]`, { event: 'client', queueId: '3F2A81C0B4', clientIp: '212.54.195.105' }, 'client=mail-out2.globex.net[212.54.195.105]'],
  [
    `${H}postfix/submission/smtpd[1200]: FD0D24447C: client=unknown[85.142.44.63], sasl_method=PLAIN, sasl_username=sybil@example.com`,
    { program: 'postfix/submission/smtpd', event: 'client', queueId: 'FD0D24447C', client: 'unknown[85.142.44.63]', clientHost: 'unknown', sasl: 'success', sasl_username: 'sybil@example.com' },
  ],
  [`${H}postfix/cleanup[1201]: FD0D24447C: message-id=<h1qp1wum@example.com>`, { event: 'message-id', queueId: 'FD0D24447C', messageId: '<h1qp1wum@example.com>' }],
  [`${H}postfix/qmgr[1202]: FD0D24447C: from=<Rupert@Example.COM>, size=25678, nrcpt=4 (queue active)`, { event: 'queued', from: '<Rupert@Example.COM>', fromDomain: 'example.com', size: '25678', nrcpt: '4' }],
  [`${H}postfix/qmgr[1202]: 14CF61BBD4: from=<>, size=4021, nrcpt=1 (queue active)`, { event: 'queued', from: '<>', fromDomain: undefined }],
  [
    `${H}postfix/lmtp[1203]: FD0D24447C: to=<victor@example.com>, relay=mail.example.com[private/dovecot-lmtp], delay=0.51, delays=0.27/0.16/0.02/0.06, dsn=2.0.0, status=sent (250 2.0.0 <victor@example.com> d9eY5sVC Saved)`,
    { event: 'delivery', status: 'sent', toDomain: 'example.com', relayHost: 'mail.example.com', delay: 0.51, delays: '0.27/0.16/0.02/0.06', dsn: '2.0.0' },
  ],
  [
    `${H}postfix/smtp[1204]: FD0D24447C: to=<carlos@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=2.06, delays=0.27/0.16/0.92/0.64, dsn=4.2.0, status=deferred (host gmail-smtp-in.l.google.com[142.250.102.27] said: 450 4.2.0 <carlos@gmail.com>: Recipient address rejected: Greylisted (in reply to RCPT TO command))`,
    { event: 'delivery', status: 'deferred', toDomain: 'gmail.com', relayHost: 'gmail-smtp-in.l.google.com', delay: 2.06 },
  ],
  [`${H}postfix/smtp[1204]: FD0D24447C: to=<x@globex.net>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx1.globex.net[1.2.3.4]:25: Connection timed out)`, { event: 'delivery', status: 'deferred', relayHost: 'none', delay: 30 }],
  [
    `${H}postfix/smtp[1204]: 6992D2A066: to=<nobody@hooli.com>, relay=mx1.hooli.com[62.1.2.3]:25, delay=1.2, delays=0.1/0.01/0.5/0.6, dsn=5.1.1, status=bounced (host mx1.hooli.com[62.1.2.3] said: 550 5.1.1 <nobody@hooli.com>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))`,
    { event: 'delivery', status: 'bounced', dsn: '5.1.1', toDomain: 'hooli.com' },
  ],
  [`${H}postfix/bounce[1538]: 6992D2A066: sender non-delivery notification: 14CF61BBD4`, { event: 'bounce-notice', queueId: '6992D2A066', bounceQueueId: '14CF61BBD4' }],
  [`${H}postfix/qmgr[1202]: FD0D24447C: removed`, { event: 'removed', queueId: 'FD0D24447C' }, 'removed'],
  [`${H}postfix/pickup[1206]: D1B4AEFAAC: uid=0 from=<root>`, { event: 'pickup', queueId: 'D1B4AEFAAC', uid: '0', from: '<root>' }],
  [
    `${H}postfix/local[1207]: D1B4AEFAAC: to=<root@mail.example.com>, orig_to=<root>, relay=local, delay=0.48, delays=0.27/0.1/0.04/0.07, dsn=2.0.0, status=sent (forwarded as 4B2A81C0B4)`,
    { event: 'delivery', status: 'sent', relayHost: 'local', toDomain: 'mail.example.com', orig_to: '<root>' },
  ],
  [
    `${H}postfix/smtpd[1205]: NOQUEUE: reject: RCPT from unknown[85.23.117.55]: 554 5.7.1 <victim@initech.io>: Relay access denied; from=<promo@deal-xkcd.top> to=<victim@initech.io> proto=ESMTP helo=<deal-xkcd.top>`,
    { event: 'reject', queueId: undefined, rejectStage: 'RCPT', clientIp: '85.23.117.55', replyCode: '554', dsn: '5.7.1', reason: 'Relay access denied', fromDomain: 'deal-xkcd.top', toDomain: 'initech.io', helo: '<deal-xkcd.top>' },
  ],
  [
    `${H}postfix/smtpd[1205]: NOQUEUE: reject: RCPT from unknown[85.23.117.55]: 450 4.1.8 <x@nxdomain.top>: Sender address rejected: Domain not found; from=<x@nxdomain.top> to=<alice@example.com> proto=ESMTP helo=<[85.23.117.55]>`,
    { event: 'reject', replyCode: '450', reason: 'Sender address rejected: Domain not found' },
  ],
  [
    `${H}postfix/smtpd[1205]: NOQUEUE: reject: RCPT from unknown[85.23.117.55]: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table; from=<a@b.com> to=<nobody@example.com> proto=ESMTP helo=<h>`,
    { event: 'reject', reason: 'Recipient address rejected: User unknown in virtual mailbox table' },
  ],
  [
    `${H}postfix/submission/smtpd[1200]: warning: unknown[193.228.55.108]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`,
    { event: 'sasl-failure', sasl: 'failed', saslMethod: 'LOGIN', clientIp: '193.228.55.108', level: 'WARNING' },
  ],
  [`${H}postfix/smtpd[1205]: warning: hostname abc-217-202-2-177.static.hinet.net does not resolve to address 217.202.2.177: Name or service not known`, { event: 'warning', level: 'WARNING' }],
  [`${H}postfix/smtpd[1205]: lost connection after EHLO from unknown[217.202.2.177]`, { event: 'lost-connection', clientIp: '217.202.2.177' }],
  [`${H}postfix/smtpd[1205]: disconnect from unknown[85.23.117.55] ehlo=1 mail=1 rcpt=0/1 rset=1 quit=1 commands=4/5`, { event: 'disconnect', clientIp: '85.23.117.55', rcpt: '0/1' }],
];

describe('Postfix fields', () => {
  it.each(SHAPES)('%s', (line, fields, message) => {
    const r = decode(line);
    expect(r.ts).toBe(Date.UTC(2026, 10, 21, 10, 0, 1));
    expect(r.fields.program).toMatch(/^postfix\//);
    for (const [k, v] of Object.entries(fields)) expect(r.fields[k], k).toEqual(v);
    if (message !== undefined) expect(r.message).toBe(message);
    expect(r.message).not.toMatch(/^[0-9A-F]{10}: /);
  });

  it('reads the same fields behind an RFC 3164 <PRI> and from RFC 5424', () => {
    const a = decode('<22>Nov 21 10:00:01 mail postfix/smtp[4321]: 3F2A81C0B4: to=<bob@Example.org>, relay=mx.example.org[10.0.0.5]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 ok)');
    expect(a.fields).toMatchObject({ facility: 'mail', queueId: '3F2A81C0B4', event: 'delivery', status: 'sent', toDomain: 'example.org', relayHost: 'mx.example.org', delay: 1.2 });
    const b = decode('<20>1 2026-11-21T10:00:01Z mail postfix/smtpd 1200 - - warning: unknown[1.2.3.4]: SASL PLAIN authentication failed: authentication failure');
    expect(b.fields).toMatchObject({ program: 'postfix/smtpd', event: 'sasl-failure', sasl: 'failed', clientIp: '1.2.3.4' });
  });

  it('other programs get no Postfix fields; odd Postfix text is kept without them', () => {
    expect(decode(`${H}sshd[1]: connect from host[1.2.3.4]`).fields.event).toBeUndefined();
    const odd = decode(`${H}postfix/smtp[1]: constructor: something`);
    expect(odd.fields.event).toBeUndefined();
    expect(odd.fields.level).toBeUndefined();
    expect(decode(`${H}postfix/smtp[1]: 3F2A81C0B4: to=<a@b.c>, relay=x, delay=soon, status=sent (ok)`).fields.delay).toBe('soon');
  });

  it('mail domains: lowercased, none for the null sender or a bare local part', () => {
    expect(mailDomain('<A@B.Example>')).toBe('b.example');
    expect(mailDomain('a@b.c')).toBe('b.c');
    expect(mailDomain('<>')).toBeUndefined();
    expect(mailDomain('<root>')).toBeUndefined();
    expect(mailDomain('<a@>')).toBeUndefined();
    expect(mailDomain(3)).toBeUndefined();
  });
});
