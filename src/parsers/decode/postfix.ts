/**
 * Fields of Postfix messages (after the syslog header and the queue id): what kind of line it is
 * (`event`: connect, client, message-id, queued, delivery, removed, disconnect, reject, sasl-failure, …), and the categorical and numeric values per-hour mail summaries count — delivery status,
 * relay host, sender and recipient domains, reject reasons, SASL outcome, queue delay. Keys are fixed
 * names; values are taken from the text and never interpreted beyond splitting.
 */

/** `host[1.2.3.4]` (also `host[private/dovecot-lmtp]`, `host[::1]:25`). */
const HOST_ADDR = /^([^\s[\]]*)\[([^\]]*)\]/;
// reject: RCPT from unknown[1.2.3.4]: 554 5.7.1 <x@y>: Relay access denied; from=<…> to=<…> proto=ESMTP helo=<…>
const REJECT = /^(reject|reject_warning|hold|discard): (\S+) from (\S+?): (\d{3}) (\d\.\d{1,3}\.\d{1,3}) (?:<[^>]*>: )?([^;]*)/;
// warning: unknown[1.2.3.4]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
const SASL_FAILED = /^warning: (\S+): SASL (\S+) authentication failed/;
const SEVERITY = new Map([
  ['warning', 'WARNING'],
  ['error', 'ERROR'],
  ['fatal', 'FATAL'],
  ['panic', 'PANIC'],
]);

/** `<Bob@Example.ORG>` → `example.org`; undefined for the null sender or a bare local part. */
export function mailDomain(address: unknown): string | undefined {
  if (typeof address !== 'string') return undefined;
  const at = address.lastIndexOf('@');
  if (at < 0) return undefined;
  const end = address.endsWith('>') ? address.length - 1 : address.length;
  return end > at + 1 ? address.slice(at + 1, end).toLowerCase() : undefined;
}

function setClient(f: Record<string, unknown>, text: string): void {
  const m = HOST_ADDR.exec(text);
  if (!m) return;
  f.client = m[0];
  f.clientHost = m[1];
  f.clientIp = m[2];
}

/**
 * Adds Postfix fields to `f` (which already holds the header fields, the queue id and the message's
 * key=value pairs, as strings). `message` is the text after the queue id.
 */
export function addPostfixFields(f: Record<string, unknown>, message: string): void {
  let msg = message;
  if (msg.startsWith('NOQUEUE: ')) msg = msg.slice(9);
  const c0 = msg.charCodeAt(0);
  if (msg.startsWith('to=<')) {
    f.event = 'delivery';
    const toDomain = mailDomain(f.to);
    if (toDomain) f.toDomain = toDomain;
    if (typeof f.relay === 'string') f.relayHost = HOST_ADDR.exec(f.relay)?.[1] || f.relay;
    const delay = Number(f.delay);
    if (f.delay !== undefined && Number.isFinite(delay)) f.delay = delay;
    return;
  }
  if (msg.startsWith('from=<')) {
    f.event = msg.includes(' (queue active)') ? 'queued' : 'from';
    const fromDomain = mailDomain(f.from);
    if (fromDomain) f.fromDomain = fromDomain;
    return;
  }
  if (msg.startsWith('client=')) {
    f.event = 'client';
    setClient(f, msg.slice(7));
    if (typeof f.sasl_username === 'string') f.sasl = 'success';
    return;
  }
  if (msg.startsWith('message-id=')) {
    f.event = 'message-id';
    f.messageId = msg.slice(11);
    return;
  }
  if (msg === 'removed') {
    f.event = 'removed';
    return;
  }
  if (msg.startsWith('connect from ') || msg.startsWith('disconnect from ')) {
    f.event = c0 === 99 /* c */ ? 'connect' : 'disconnect';
    setClient(f, msg.slice(msg.indexOf(' from ') + 6));
    return;
  }
  if (msg.startsWith('lost connection after ')) {
    f.event = 'lost-connection';
    const from = msg.indexOf(' from ');
    if (from > 0) setClient(f, msg.slice(from + 6));
    return;
  }
  const reject = REJECT.exec(msg);
  if (reject) {
    f.event = reject[1];
    f.rejectStage = reject[2];
    setClient(f, reject[3]);
    f.replyCode = reject[4];
    f.dsn = reject[5];
    f.reason = reject[6].trim();
    const fromDomain = mailDomain(f.from);
    if (fromDomain) f.fromDomain = fromDomain;
    const toDomain = mailDomain(f.to);
    if (toDomain) f.toDomain = toDomain;
    return;
  }
  if (msg.startsWith('sender non-delivery notification: ')) {
    f.event = 'bounce-notice';
    f.bounceQueueId = msg.slice(34).trim();
    return;
  }
  const colon = msg.indexOf(': ');
  const severity = colon > 0 ? SEVERITY.get(msg.slice(0, colon)) : undefined;
  if (severity) {
    f.level = severity;
    const sasl = SASL_FAILED.exec(msg);
    if (sasl) {
      f.event = 'sasl-failure';
      f.sasl = 'failed';
      f.saslMethod = sasl[2];
      setClient(f, sasl[1]);
    } else f.event = msg.slice(0, colon);
    return;
  }
  if (msg.startsWith('uid=') || msg.startsWith('sender=')) {
    f.event = 'pickup';
    const fromDomain = mailDomain(f.from ?? f.sender);
    if (fromDomain) f.fromDomain = fromDomain;
  }
}
