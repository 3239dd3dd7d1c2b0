/**
 * pflogsumm's totals from decoded Postfix records, counted by pflogsumm's own definitions (Debian
 * pflogsumm 1.1.5), so a report can stand in for it:
 * - received: `client=` lines of smtpd (port 25, submission, smtps) and `uid=`/`sender=` lines of pickup —
 *   messages entering the system, not cleanup or qmgr lines (those also count forwarded copies and bounces);
 * - delivered: `status=sent` lines, one per recipient, except local `forwarded as …` ones (→ forwarded);
 * - deferred: distinct queue ids with a `status=deferred` line; deferrals: the lines themselves;
 * - bounced: `status=bounced` lines, one per recipient;
 * - rejected: smtpd `reject:` lines (with or without a queue id);
 * - senders: the `from=` of the first qmgr line of each received message; recipients: delivered `to=`
 *   addresses (domain parts lowercased); bytes: sizes of received and of delivered messages.
 * Not pflogsumm: relays (delivered recipients by relay host) and SASL failures by client address.
 * Known gaps: cleanup header/body rejects and holds/discards are not counted (the decoder does not
 * parse them), and pflogsumm's VERP munging (off by default) is not done.
 */
import { configSchema } from '../config/schema.js';
import { Decoder } from '../parsers/decode/decoder.js';

export interface PostfixRecordLike {
  ts: number;
  message: string;
  fields: Record<string, unknown>;
}

export interface DayTotals {
  received: number;
  delivered: number;
  /** Deferral lines (pflogsumm's per-day column). */
  deferred: number;
  bounced: number;
  rejected: number;
}

/** A day's columns plus the SASL failures: what shows an incident hour by hour. */
export interface HourTotals extends DayTotals {
  saslFailures: number;
}

export interface Ranked {
  key: string;
  count: number;
}

export interface PostfixTotals {
  received: number;
  delivered: number;
  forwarded: number;
  /** Messages deferred at least once. */
  deferred: number;
  /** Deferral lines. */
  deferrals: number;
  bounced: number;
  rejected: number;
  bytesReceived: number;
  bytesDelivered: number;
  saslFailures: number;
  /** Distinct counts, as pflogsumm's "senders", "sending hosts/domains", "recipients", "recipient hosts/domains". */
  senders: number;
  sendingDomains: number;
  recipients: number;
  recipientDomains: number;
  /** Per UTC day `YYYY-MM-DD`. */
  perDay: Record<string, DayTotals>;
  /** Per UTC hour `YYYY-MM-DDTHH`. */
  perHour: Record<string, HourTotals>;
  topSenders: Ranked[];
  topRecipients: Ranked[];
  topRelays: Ranked[];
  topSaslClients: Ranked[];
}

const isSmtpd = (program: unknown) => typeof program === 'string' && (program.endsWith('/smtpd') || program.endsWith('/postscreen'));

/** `<Bob@Example.ORG>` → `Bob@example.org` (pflogsumm lowercases the domain part only); `<>` → `from=<>`. */
function address(value: unknown): string {
  if (typeof value !== 'string') return '';
  const a = value.startsWith('<') && value.endsWith('>') ? value.slice(1, -1) : value;
  const at = a.indexOf('@');
  return at < 0 ? a : a.slice(0, at) + a.slice(at).toLowerCase();
}

/** pflogsumm's gimme_domain for `host[ip]`: the last two labels (three for `co.uk`-like), or the address for `unknown`. */
function clientDomain(client: string): string {
  const m = /^([^[]*)\[([^\]]*)\]/.exec(client);
  if (!m) return client;
  if (m[1] === '' || m[1] === 'unknown') return m[2];
  return m[1].replace(/^(.*)\.([^.]+)\.([^.]{3}|[^.]{2,3}\.[^.]{2})$/, (_, __, a: string, b: string) => `${a}.${b}`.toLowerCase());
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function ranked(map: Map<string, number>, top: number): Ranked[] {
  return [...map]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, top)
    .map(([key, count]) => ({ key, count }));
}

/**
 * Counts records one at a time (each message's lines in log order). Like pflogsumm it remembers every
 * queue id's size for the period counted, so memory grows with the messages in it (fine for a day or a week).
 */
export class PostfixTotalsCounter {
  private t = { received: 0, delivered: 0, forwarded: 0, deferrals: 0, bounced: 0, rejected: 0, bytesReceived: 0, bytesDelivered: 0, saslFailures: 0 };
  /** Queue id → where a received message came from (sender domain falls back to it), until its size is seen. */
  private readonly receivedFrom = new Map<string, string>();
  private readonly sizes = new Map<string, number>();
  private readonly deferredIds = new Set<string>();
  private readonly perDay = new Map<string, DayTotals>();
  private readonly perHour = new Map<string, HourTotals>();
  private readonly senders = new Map<string, number>();
  private readonly sendingDomains = new Map<string, number>();
  private readonly recipients = new Map<string, number>();
  private readonly recipientDomains = new Map<string, number>();
  private readonly relays = new Map<string, number>();
  private readonly saslClients = new Map<string, number>();

  add(rec: PostfixRecordLike): void {
    const f = rec.fields;
    if (typeof f.program !== 'string' || !f.program.startsWith('postfix')) return;
    const qid = typeof f.queueId === 'string' ? f.queueId : undefined;
    switch (f.event) {
      case 'client':
        if (qid && isSmtpd(f.program)) this.receive(rec, qid, clientDomain(String(f.client ?? '')));
        break;
      case 'pickup':
        if (qid && f.program.endsWith('/pickup')) this.receive(rec, qid, 'pickup');
        break;
      case 'queued':
      case 'from':
        if (qid && f.size !== undefined && !this.sizes.has(qid)) this.sized(qid, f);
        break;
      case 'delivery':
        if (qid) this.delivery(rec, qid, f);
        break;
      case 'reject':
        this.t.rejected++;
        this.day(rec).rejected++;
        this.hour(rec).rejected++;
        break;
      case 'sasl-failure':
        this.t.saslFailures++;
        this.hour(rec).saslFailures++;
        bump(this.saslClients, String(f.clientIp ?? f.client ?? '?'));
        break;
    }
  }

  totals(top = 10): PostfixTotals {
    return {
      ...this.t,
      deferred: this.deferredIds.size,
      senders: this.senders.size,
      sendingDomains: this.sendingDomains.size,
      recipients: this.recipients.size,
      recipientDomains: this.recipientDomains.size,
      perDay: Object.fromEntries([...this.perDay].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      perHour: Object.fromEntries([...this.perHour].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      topSenders: ranked(this.senders, top),
      topRecipients: ranked(this.recipients, top),
      topRelays: ranked(this.relays, top),
      topSaslClients: ranked(this.saslClients, top),
    };
  }

  private day(rec: PostfixRecordLike): DayTotals {
    const key = new Date(rec.ts).toISOString().slice(0, 10);
    let d = this.perDay.get(key);
    if (!d) this.perDay.set(key, (d = { received: 0, delivered: 0, deferred: 0, bounced: 0, rejected: 0 }));
    return d;
  }

  private hour(rec: PostfixRecordLike): HourTotals {
    const key = new Date(rec.ts).toISOString().slice(0, 13);
    let h = this.perHour.get(key);
    if (!h) this.perHour.set(key, (h = { received: 0, delivered: 0, deferred: 0, bounced: 0, rejected: 0, saslFailures: 0 }));
    return h;
  }

  private receive(rec: PostfixRecordLike, qid: string, whence: string): void {
    this.t.received++;
    this.day(rec).received++;
    this.hour(rec).received++;
    this.receivedFrom.set(qid, whence);
  }

  /** The first `from=<…>, size=…` line of a message; a received message's sender is counted here. */
  private sized(qid: string, f: Record<string, unknown>): void {
    const size = Number(f.size) || 0;
    this.sizes.set(qid, size);
    const whence = this.receivedFrom.get(qid);
    if (whence === undefined) return;
    this.receivedFrom.delete(qid);
    const from = address(f.from) || 'from=<>';
    const at = from.indexOf('@');
    bump(this.senders, from);
    bump(this.sendingDomains, at >= 0 ? from.slice(at + 1) : whence === 'pickup' ? from : whence);
    this.t.bytesReceived += size;
  }

  private delivery(rec: PostfixRecordLike, qid: string, f: Record<string, unknown>): void {
    const to = address(f.to);
    switch (f.status) {
      case 'sent': {
        if (/ \(forwarded as /.test(rec.message)) {
          this.t.forwarded++;
          return;
        }
        this.t.delivered++;
        this.day(rec).delivered++;
        this.hour(rec).delivered++;
        bump(this.recipients, to);
        bump(this.recipientDomains, to.slice(to.indexOf('@') + 1));
        bump(this.relays, String(f.relayHost ?? f.relay ?? '?'));
        this.t.bytesDelivered += this.sizes.get(qid) ?? 0;
        return;
      }
      case 'deferred':
        this.t.deferrals++;
        this.day(rec).deferred++;
        this.hour(rec).deferred++;
        this.deferredIds.add(qid);
        return;
      case 'bounced':
        this.t.bounced++;
        this.day(rec).bounced++;
        this.hour(rec).bounced++;
    }
  }
}

/** Totals of raw Postfix log lines (syslog format), decoded as `--format auto` would. */
export function postfixTotalsOfLines(lines: Iterable<string>, now = Date.now(), top = 10): PostfixTotals {
  const parse = configSchema.parse({}).parse;
  const decoder = new Decoder({ format: 'auto', messageFields: parse.messageFields, timestampFields: parse.timestampFields });
  const counter = new PostfixTotalsCounter();
  let n = 0;
  for (const text of lines) {
    if (text === '') continue;
    counter.add(decoder.decode({ text, offset: 0, line: ++n, truncated: false }, 'postfix', now));
  }
  return counter.totals(top);
}
