/**
 * Mock Postfix mail server logs: RFC 3164 syslog lines in the shapes Postfix really writes (smtpd,
 * cleanup, qmgr, smtp/lmtp/local, bounce, pickup; queue ids shared by a message's lines), with a daily
 * and weekly traffic shape and labelled incidents. Deterministic for a seed: every random draw comes from
 * one Rng, and lines come out of a time-ordered queue, so the same seed, span and plan give the same bytes.
 * Times are written in UTC (logradar reads zone-less syslog times as UTC).
 */
import { UsageError } from '../model/errors.js';
import { Rng } from '../util/rng.js';

export const POSTFIX_INCIDENT_TYPES = ['delivery-failures', 'sasl-bruteforce', 'spam-relay', 'queue-backlog'] as const;
export type PostfixIncidentType = (typeof POSTFIX_INCIDENT_TYPES)[number];

/** One incident in epoch ms, end exclusive. */
export interface PostfixIncident {
  type: PostfixIncidentType;
  start: number;
  end: number;
}

/** One incident as written to the labels NDJSON file. */
export interface PostfixLabel {
  type: PostfixIncidentType;
  start: string;
  end: string;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Length range of each incident type (ms). */
export const INCIDENT_LENGTH: Record<PostfixIncidentType, [number, number]> = {
  'delivery-failures': [2 * HOUR, 6 * HOUR],
  'sasl-bruteforce': [HOUR, 3 * HOUR],
  'spam-relay': [HOUR, 3 * HOUR],
  'queue-backlog': [HOUR, 3 * HOUR],
};

/** Share of delivery attempts deferred: normally, and during a delivery-failures incident. */
export const NORMAL_DEFER = 0.02;
const INCIDENT_DEFER = 0.55;
/** Share of outbound recipients the remote side bounces. */
const BOUNCE = 0.008;
/** In a queue-backlog incident nothing is delivered until this long before its end, then the queue drains. */
const BACKLOG_DRAIN = 20 * MINUTE;
/** After this many attempts a deferred recipient is delivered (keeps retry chains short). */
const MAX_ATTEMPTS = 6;

/** Relative traffic per UTC hour of a weekday (mail follows office hours). */
const DIURNAL = [0.15, 0.12, 0.1, 0.1, 0.12, 0.2, 0.4, 0.8, 1.4, 1.8, 1.9, 1.9, 1.6, 1.7, 1.9, 1.8, 1.6, 1.2, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2];
const WEEKEND = 0.45;
const WEEK_MEAN = (DIURNAL.reduce((a, b) => a + b, 0) * (5 + 2 * WEEKEND)) / (7 * 24);

/** Traffic at `t` relative to the weekly mean (1 on average). */
export function trafficShape(t: number): number {
  const d = new Date(t);
  const weekday = d.getUTCDay();
  return (DIURNAL[d.getUTCHours()] * (weekday === 0 || weekday === 6 ? WEEKEND : 1)) / WEEK_MEAN;
}

export const startOfUtcDay = (t: number) => Math.floor(t / DAY) * DAY;

/** `TYPE` or `TYPE@DAY` (DAY 1-based within the span). */
export interface IncidentRequest {
  type: PostfixIncidentType;
  day?: number;
}

export function parseIncidentSpec(text: string): IncidentRequest {
  const m = /^([a-z-]+)(?:@(\d+))?$/.exec(text.trim());
  const type = m?.[1] as PostfixIncidentType | undefined;
  if (!m || !POSTFIX_INCIDENT_TYPES.includes(type!)) {
    throw new UsageError(`--incident: "${text}" must be TYPE or TYPE@DAY with TYPE one of ${POSTFIX_INCIDENT_TYPES.join(', ')}`);
  }
  const day = m[2] === undefined ? undefined : Number(m[2]);
  if (day === 0) throw new UsageError(`--incident: "${text}": days count from 1`);
  return { type: type!, day };
}

/** The span of `days` UTC calendar days whose last one holds `end` (partial up to `end`). */
export function daySpan(end: number, days: number): { start: number; end: number } {
  return { start: startOfUtcDay(end - 1) - (days - 1) * DAY, end };
}

/**
 * Places incidents in the span: each on its day (or a random day of the second half of the span),
 * at a random minute, lasting a random length of its type that fits before the day (and the span) ends.
 * Without requests: two incidents of different types on different days when there are two.
 */
export function planIncidents(requests: IncidentRequest[] | undefined, span: { start: number; end: number }, seed: number): PostfixIncident[] {
  const rng = new Rng(seed ^ 0x1ced5eed);
  const days = Math.round((startOfUtcDay(span.end - 1) - span.start) / DAY) + 1;
  const window = (day: number) => {
    const from = span.start + (day - 1) * DAY;
    return { from, to: Math.min(from + DAY, span.end) };
  };
  const fits = (type: PostfixIncidentType, day: number) => {
    const w = window(day);
    return w.to - w.from >= INCIDENT_LENGTH[type][0];
  };
  const secondHalf = (type: PostfixIncidentType) => {
    const out: number[] = [];
    for (let d = Math.floor(days / 2) + 1; d <= days; d++) if (fits(type, d)) out.push(d);
    return out;
  };
  let reqs = requests;
  if (!reqs || reqs.length === 0) {
    const types = [...POSTFIX_INCIDENT_TYPES];
    const a = types.splice(rng.int(types.length), 1)[0];
    const b = rng.pick(types);
    const daysA = secondHalf(a);
    const dayA = daysA.length > 0 ? rng.pick(daysA) : undefined;
    const daysB = secondHalf(b).filter((d) => d !== dayA);
    reqs = [
      { type: a, day: dayA },
      { type: b, day: daysB.length > 0 ? rng.pick(daysB) : dayA },
    ].filter((r) => r.day !== undefined);
  }
  const out: PostfixIncident[] = [];
  for (const r of reqs) {
    let day = r.day;
    if (day === undefined) {
      const choices = secondHalf(r.type);
      if (choices.length === 0) throw new UsageError(`--incident: no day of the span has room for ${r.type}`);
      day = rng.pick(choices);
    }
    if (day > days) throw new UsageError(`--incident: day ${day} is past the span of ${days} days`);
    if (!fits(r.type, day)) throw new UsageError(`--incident: day ${day} ends too soon for ${r.type} (it lasts at least ${INCIDENT_LENGTH[r.type][0] / HOUR} h)`);
    const w = window(day);
    const [lo, hi] = INCIDENT_LENGTH[r.type];
    const length = Math.min(Math.round((lo + rng.next() * (hi - lo)) / MINUTE) * MINUTE, w.to - w.from);
    const start = w.from + Math.floor((rng.next() * (w.to - w.from - length)) / MINUTE) * MINUTE;
    out.push({ type: r.type, start, end: start + length });
  }
  return out.sort((x, y) => x.start - y.start);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => (n < 10 ? '0' : '') + n;

/** `Nov  1 09:05:03` (RFC 3164: the day padded with a space). */
export function syslogTime(t: number): string {
  const d = new Date(t);
  const day = d.getUTCDate();
  return `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ' ' : ''}${day} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** Seconds as Postfix prints delays: two significant decimals below 10 s, fewer above. */
export function formatDelay(sec: number): string {
  if (sec >= 100) return String(Math.round(sec));
  const s = sec >= 10 ? sec.toFixed(1) : sec.toFixed(2);
  return s.replace(/\.?0+$/, '') || '0';
}

interface Pending {
  ts: number;
  seq: number;
  line?: string;
  run?: (ts: number) => void;
}

/** Binary min-heap on (ts, seq): events of one time come out in the order they were queued. */
class EventQueue {
  private readonly items: Pending[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Pending | undefined {
    return this.items[0];
  }

  push(e: Pending): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): Pending | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

const distinct = (xs: string[]) => [...new Set(xs)];

const before = (x: Pending, y: Pending) => x.ts < y.ts || (x.ts === y.ts && x.seq < y.seq);

/** An arrival process: a rate (per hour) constant until `until`, and what one arrival does. */
interface Process {
  next: number;
  rate(t: number): { perHour: number; until: number };
  fire(t: number): void;
}

interface Domain {
  name: string;
  mx: string;
  mxIp: string;
  /** Host and address its outbound mail comes from. */
  out: string;
  outIp: string;
}

interface Message {
  qid: string;
  from: string;
  size: number;
  arrived: number;
  messageId: string;
}

const LOCAL_USERS = [
  'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert',
  'sybil', 'trent', 'victor', 'walter', 'sales', 'support', 'info', 'billing', 'hr', 'admin', 'noreply', 'jobs', 'press',
];
const REMOTE_DOMAINS = [
  'gmail.com', 'outlook.com', 'yahoo.com', 'hotmail.com', 'icloud.com', 'gmx.de', 'web.de', 'proton.me', 'acme-supplies.com', 'globex.net',
  'initech.io', 'umbrella-corp.org', 'hooli.com', 'vandelay.biz', 'stark-industries.com', 'wayne-enterprises.com', 'cyberdyne.net', 'tyrell.co',
  'soylent.org', 'wonka.co.uk', 'massive-dynamic.com', 'oceanic-air.com', 'dunder-mifflin.com', 'pied-piper.io', 'aperture-science.com',
];
const FIRST_NAMES = ['john', 'mary', 'lee', 'anna', 'omar', 'li.wei', 'sofia', 'raj', 'kim', 'marco', 'nina', 'paul', 'eva', 'tom', 'yuki', 'carlos', 'fatima', 'olga'];
const SINGLE_PROCESS = new Set(['qmgr', 'pickup']);
const SPAM_TLDS = ['top', 'xyz', 'click', 'buzz', 'icu', 'ru', 'cn', 'loan'];
const SPAM_WORDS = ['promo', 'deal', 'win', 'crypto', 'pharma', 'bonus', 'offer', 'lucky', 'prize', 'seo'];

export interface PostfixGeneratorOptions {
  seed: number;
  /** First instant generated (epoch ms). */
  start: number;
  /** Mean messages accepted per hour, averaged over a week (default 100). */
  ratePerHour?: number;
  incidents?: readonly PostfixIncident[];
  /** Syslog host name; the mail domain is `example.com`. */
  hostname?: string;
}

export class PostfixGenerator {
  readonly hostname: string;
  readonly domain = 'example.com';
  private readonly rng: Rng;
  private readonly queue = new EventQueue();
  private readonly processes: Process[];
  private readonly incidents: readonly PostfixIncident[];
  private readonly remote: Domain[];
  private readonly correspondents: string[];
  private readonly pids = new Map<string, number[]>();
  private readonly usedIds = new Set<string>();
  private seq = 0;
  private nextPid = 1200;
  /** Per sasl-bruteforce incident: its attackers and its attempts per hour. */
  private readonly attacks = new Map<PostfixIncident, { ips: string[]; perHour: number }>();

  constructor(opts: PostfixGeneratorOptions) {
    this.rng = new Rng(opts.seed);
    this.hostname = opts.hostname ?? 'mail';
    this.incidents = [...(opts.incidents ?? [])].sort((a, b) => a.start - b.start);
    const rate = opts.ratePerHour ?? 100;
    this.remote = REMOTE_DOMAINS.map((name) => this.domainOf(name));
    this.correspondents = [];
    for (let i = 0; i < 160; i++) this.correspondents.push(`${this.rng.pick(FIRST_NAMES)}${this.rng.next() < 0.5 ? '' : '.' + this.rng.pick(FIRST_NAMES)}@${this.rng.pick(REMOTE_DOMAINS)}`);
    for (const inc of this.incidents) {
      if (inc.type === 'sasl-bruteforce') {
        const n = 3 + this.rng.int(4);
        this.attacks.set(inc, { ips: Array.from({ length: n }, () => this.ip()), perHour: 700 + this.rng.int(500) });
      }
    }
    const during = (type: PostfixIncidentType, perHour: (inc: PostfixIncident) => number) => (t: number) => {
      for (const inc of this.incidents) {
        if (inc.type !== type || inc.end <= t) continue;
        if (inc.start > t) return { perHour: 0, until: inc.start };
        return { perHour: perHour(inc), until: inc.end };
      }
      return { perHour: 0, until: Infinity };
    };
    this.processes = [
      { next: 0, rate: (t) => ({ perHour: rate * trafficShape(t), until: Math.floor(t / HOUR + 1) * HOUR }), fire: (t) => this.message(t) },
      // background: rejected probes, failed logins, unresolvable clients — bots keep no office hours
      { next: 0, rate: (t) => ({ perHour: 8, until: t + DAY }), fire: (t) => this.noise(t) },
      { next: 0, rate: during('sasl-bruteforce', (inc) => this.attacks.get(inc)!.perHour), fire: (t) => this.saslAttempt(t) },
      { next: 0, rate: during('spam-relay', () => 20), fire: (t) => this.relayBurst(t) },
      { next: 0, rate: during('spam-relay', () => 150), fire: (t) => this.inbound(t, true) },
    ];
    for (const p of this.processes) p.next = this.nextArrival(p, opts.start);
  }

  /** Emits, in time order, every line with a time before `to` that has not been emitted yet. */
  advance(to: number, emit: (ts: number, line: string) => void): void {
    for (;;) {
      let p = this.processes[0];
      for (const q of this.processes) if (q.next < p.next) p = q;
      const e = this.queue.peek();
      if (e && e.ts <= p.next) {
        if (e.ts >= to) return;
        this.queue.pop();
        if (e.line !== undefined) emit(e.ts, e.line);
        else e.run!(e.ts);
      } else {
        if (p.next >= to) return;
        const t = p.next;
        p.fire(t);
        p.next = this.nextArrival(p, t);
      }
    }
  }

  /** Non-homogeneous Poisson arrivals: a unit exponential spent across the piecewise-constant rate. */
  private nextArrival(p: Process, t: number): number {
    let budget = this.rng.exponential(1);
    for (let i = 0; i < 100_000; i++) {
      const { perHour, until } = p.rate(t);
      const need = perHour > 0 ? (budget / perHour) * HOUR : Infinity;
      if (t + need < until) return t + need;
      if (until === Infinity) return Infinity;
      budget -= (perHour * (until - t)) / HOUR;
      t = until;
    }
    return Infinity;
  }

  private active(type: PostfixIncidentType, t: number): PostfixIncident | undefined {
    for (const inc of this.incidents) if (inc.type === type && inc.start <= t && t < inc.end) return inc;
    return undefined;
  }

  private line(ts: number, program: string, text: string, pid = this.pid(program)): void {
    this.queue.push({ ts, seq: this.seq++, line: `${syslogTime(ts)} ${this.hostname} postfix/${program}[${pid}]: ${text}` });
  }

  private later(ts: number, run: (ts: number) => void): void {
    this.queue.push({ ts, seq: this.seq++, run });
  }

  /** Daemons that run once (qmgr, pickup) keep their pid; others are a small pool that is renewed now and then. */
  private pid(program: string): number {
    let pool = this.pids.get(program);
    if (!pool) this.pids.set(program, (pool = [this.nextPid++]));
    if (SINGLE_PROCESS.has(program)) return pool[0];
    if (this.rng.next() < 0.01) {
      if (pool.length >= 4) pool.splice(this.rng.int(pool.length), 1);
      pool.push((this.nextPid = this.nextPid + 1 + this.rng.int(40)));
    }
    return this.rng.pick(pool);
  }

  private queueId(): string {
    for (;;) {
      let id = '';
      for (let i = 0; i < 10; i++) id += '0123456789ABCDEF'[this.rng.int(16)];
      if (this.usedIds.has(id)) continue;
      if (this.usedIds.size > 1_000_000) this.usedIds.clear();
      this.usedIds.add(id);
      return id;
    }
  }

  private ip(): string {
    return `${[23, 31, 45, 62, 77, 85, 91, 103, 109, 141, 176, 185, 193, 194, 212, 217][this.rng.int(16)]}.${this.rng.int(256)}.${this.rng.int(256)}.${1 + this.rng.int(254)}`;
  }

  private token(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.rng.int(alphabet.length)];
    return s;
  }

  private domainOf(name: string): Domain {
    const base = name.split('.')[0];
    if (name === 'gmail.com') return { name, mx: 'gmail-smtp-in.l.google.com', mxIp: '142.250.102.27', out: 'mail-wr1-f54.google.com', outIp: '209.85.221.54' };
    if (name === 'outlook.com' || name === 'hotmail.com') {
      return { name, mx: `${base}-com.olc.protection.outlook.com`, mxIp: '52.101.68.14', out: 'mail-db8eur05olkn2045.outbound.protection.outlook.com', outIp: '40.92.89.45' };
    }
    return { name, mx: `mx${1 + this.rng.int(2)}.${name}`, mxIp: this.ip(), out: `mail-out${1 + this.rng.int(4)}.${name}`, outIp: this.ip() };
  }

  /** A local user, the popular ones more often. */
  private localUser(): string {
    const i = Math.floor(LOCAL_USERS.length * this.rng.next() ** 2);
    return `${LOCAL_USERS[i]}@${this.domain}`;
  }

  private correspondent(): string {
    return this.correspondents[Math.floor(this.correspondents.length * this.rng.next() ** 2.5)];
  }

  private remoteOf(address: string): Domain {
    const name = address.slice(address.indexOf('@') + 1);
    return this.remote.find((d) => d.name === name) ?? this.domainOf(name);
  }

  private size(): number {
    return Math.round(Math.exp(8 + this.rng.next() * 4 + (this.rng.next() < 0.05 ? 3 : 0)));
  }

  private spamDomain(): string {
    return `${this.rng.pick(SPAM_WORDS)}-${this.token(5, 'abcdefghijklmnopqrstuvwxyz')}.${this.rng.pick(SPAM_TLDS)}`;
  }

  /** One message accepted: inbound from the internet, submitted by a local user, or cron mail. */
  private message(t: number): void {
    const r = this.rng.next();
    if (r < 0.55) this.inbound(t, false);
    else if (r < 0.93) this.submission(t);
    else this.pickup(t);
  }

  private inbound(t: number, spam: boolean): void {
    let from: string;
    let client: string;
    if (spam) {
      from = `${this.rng.pick(SPAM_WORDS)}${this.rng.int(1000)}@${this.spamDomain()}`;
      client = `unknown[${this.ip()}]`;
    } else {
      from = this.correspondent();
      const d = this.remoteOf(from);
      client = `${d.out}[${d.outIp}]`;
    }
    const rcpts = distinct(Array.from({ length: this.rng.next() < 0.85 ? 1 : 2 + this.rng.int(2) }, () => this.localUser()));
    const pid = this.pid('smtpd');
    this.line(t, 'smtpd', `connect from ${client}`, pid);
    const msg = this.accept(t + 300 + this.rng.int(400), 'smtpd', `client=${client}`, from, rcpts, pid, `<${this.token(20)}@${from.slice(from.indexOf('@') + 1)}>`);
    this.line(msg.arrived + 500 + this.rng.int(300), 'smtpd', `disconnect from ${client} ehlo=1 mail=1 rcpt=${rcpts.length} data=1 quit=1 commands=${rcpts.length + 4}`, pid);
  }

  private submission(t: number): void {
    const from = this.localUser();
    const rcpts = distinct(Array.from({ length: this.rng.next() < 0.75 ? 1 : 2 + this.rng.int(3) }, () => (this.rng.next() < 0.8 ? this.correspondent() : this.localUser())));
    const n = rcpts.length;
    const client = this.rng.next() < 0.6 ? `unknown[${this.ip()}]` : `host-${this.token(6, '0123456789')}.dyn.${this.rng.pick(['telekom.de', 'comcast.net', 'vodafone.it', 'bt.com'])}[${this.ip()}]`;
    const pid = this.pid('submission/smtpd');
    this.line(t, 'submission/smtpd', `connect from ${client}`, pid);
    const msg = this.accept(t + 800 + this.rng.int(800), 'submission/smtpd', `client=${client}, sasl_method=PLAIN, sasl_username=${from}`, from, rcpts, pid, `<${this.token(8)}-${this.token(4)}-${this.token(12)}@${this.domain}>`);
    this.line(msg.arrived + 400 + this.rng.int(300), 'submission/smtpd', `disconnect from ${client} ehlo=2 starttls=1 auth=1 mail=1 rcpt=${n} data=1 quit=1 commands=${n + 7}`, pid);
  }

  /** Cron mail to root: picked up locally, forwarded to the admin's mailbox by an alias. */
  private pickup(t: number): void {
    const qid = this.queueId();
    this.line(t, 'pickup', `${qid}: uid=0 from=<root>`);
    this.queueMessage(t, qid, `root@${this.hostname}.${this.domain}`, [`root@${this.hostname}.${this.domain}`], this.localMessageId(t, qid), 2000 + this.rng.int(6000));
  }

  /** `<20261121100001.3F2A81C0B4@mail.example.com>`, as Postfix makes one for mail without a Message-ID. */
  private localMessageId(t: number, qid: string): string {
    return `<${new Date(t).toISOString().slice(0, 19).replace(/\D/g, '')}.${qid}@${this.hostname}.${this.domain}>`;
  }

  /** The receiving smtpd's `client=` line, then cleanup and qmgr; delivery follows. */
  private accept(t: number, program: string, clientText: string, from: string, rcpts: string[], pid: number, messageId: string): Message {
    const qid = this.queueId();
    this.line(t, program, `${qid}: ${clientText}`, pid);
    return this.queueMessage(t, qid, from, rcpts, messageId, this.size());
  }

  private queueMessage(t: number, qid: string, from: string, rcpts: string[], messageId: string, size: number): Message {
    const msg: Message = { qid, from, size, arrived: t, messageId };
    const cleanupAt = t + 80 + this.rng.int(150);
    this.line(cleanupAt, 'cleanup', `${qid}: message-id=${messageId}`);
    const qmgrAt = cleanupAt + 30 + this.rng.int(80);
    this.line(qmgrAt, 'qmgr', `${qid}: from=<${from}>, size=${size}, nrcpt=${rcpts.length} (queue active)`);
    this.later(this.deliveryStart(qmgrAt + 20 + this.rng.int(300), qmgrAt), (ts) => this.attempt(msg, rcpts, ts, qmgrAt, 1));
    return msg;
  }

  /** When a delivery queued at `t` can start: at once, or when a stuck queue drains. */
  private deliveryStart(t: number, queuedAt: number): number {
    const inc = this.active('queue-backlog', t);
    if (!inc || t >= inc.end - BACKLOG_DRAIN) return t;
    // stuck messages leave in arrival order while the queue drains
    const drainFrom = inc.end - BACKLOG_DRAIN;
    return drainFrom + ((queuedAt - inc.start) / (drainFrom - inc.start)) * BACKLOG_DRAIN * 0.9 + this.rng.int(30_000);
  }

  /** One delivery attempt for `rcpts`; deferred ones are retried with backoff, bounced ones notified. */
  private attempt(msg: Message, rcpts: string[], start: number, qmgrAt: number, attempt: number): void {
    const deferP = attempt >= MAX_ATTEMPTS ? 0 : this.active('delivery-failures', start) ? INCIDENT_DEFER : NORMAL_DEFER;
    const deferred: string[] = [];
    let t = start;
    for (const to of rcpts) {
      const local = to.endsWith(`@${this.domain}`) || to.endsWith(`@${this.hostname}.${this.domain}`);
      const conn = (local ? 0.005 : 0.1) + this.rng.next() * (local ? 0.05 : 1.5);
      const xfer = (local ? 0.02 : 0.1) + this.rng.next() * (local ? 0.3 : 2) * (msg.size / 100_000 + 0.2);
      t += (conn + xfer) * 1000;
      const a = (qmgrAt - msg.arrived) / 1000;
      const b = (start - qmgrAt) / 1000;
      const timing = `delay=${formatDelay((t - msg.arrived) / 1000)}, delays=${formatDelay(a)}/${formatDelay(b)}/${formatDelay(conn)}/${formatDelay(xfer)}`;
      const defer = this.rng.next() < deferP;
      if (to === `root@${this.hostname}.${this.domain}`) {
        this.line(t, 'local', `${msg.qid}: to=<${to}>, orig_to=<root>, relay=local, ${timing}, dsn=2.0.0, status=sent (forwarded as ${this.forward(t, msg)})`);
      } else if (local) {
        const relay = `${this.hostname}.${this.domain}[private/dovecot-lmtp]`;
        if (defer) {
          deferred.push(to);
          const why = this.active('delivery-failures', start) ? `connect to ${relay}: Connection refused` : `host ${relay} said: 452 4.2.2 <${to}> Quota exceeded (mailbox for user is full) (in reply to end of DATA command)`;
          this.line(t, 'lmtp', `${msg.qid}: to=<${to}>, relay=${relay}, ${timing}, dsn=4.${why.startsWith('connect') ? '4.1' : '2.2'}, status=deferred (${why})`);
        } else this.line(t, 'lmtp', `${msg.qid}: to=<${to}>, relay=${relay}, ${timing}, dsn=2.0.0, status=sent (250 2.0.0 <${to}> ${this.token(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')} Saved)`);
      } else {
        const d = this.remoteOf(to);
        const relay = `${d.mx}[${d.mxIp}]:25`;
        if (defer) {
          deferred.push(to);
          const kind = this.rng.int(3);
          const why =
            kind === 0
              ? ['4.4.1', `connect to ${relay}: Connection timed out`]
              : kind === 1
                ? ['4.7.0', `host ${d.mx}[${d.mxIp}] said: 421 4.7.0 Try again later, closing connection. (in reply to MAIL FROM command)`]
                : ['4.2.0', `host ${d.mx}[${d.mxIp}] said: 450 4.2.0 <${to}>: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/${d.name}.html (in reply to RCPT TO command)`];
          this.line(t, 'smtp', `${msg.qid}: to=<${to}>, relay=${kind === 0 ? 'none' : relay}, ${timing}, dsn=${why[0]}, status=deferred (${why[1]})`);
        } else if (msg.from !== '' && this.rng.next() < BOUNCE) {
          this.line(t, 'smtp', `${msg.qid}: to=<${to}>, relay=${relay}, ${timing}, dsn=5.1.1, status=bounced (host ${d.mx}[${d.mxIp}] said: 550 5.1.1 <${to}>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))`);
          t += 20;
          this.line(t, 'bounce', `${msg.qid}: sender non-delivery notification: ${this.bounceNotice(t, msg)}`);
        } else {
          const reply = d.name === 'gmail.com' ? `250 2.0.0 OK  ${Math.floor(t / 1000)} ${this.token(6)}.${this.token(3)} - gsmtp` : `250 2.0.0 Ok: queued as ${this.token(10, '0123456789ABCDEF')}`;
          this.line(t, 'smtp', `${msg.qid}: to=<${to}>, relay=${relay}, ${timing}, dsn=2.0.0, status=sent (${reply})`);
        }
      }
    }
    if (deferred.length > 0) {
      const backoff = Math.min(300 * 2 ** (attempt - 1), 4000) * 1000 * (1 + 0.3 * this.rng.next());
      const again = t + backoff;
      this.later(again, (ts) => {
        this.line(ts, 'qmgr', `${msg.qid}: from=<${msg.from}>, size=${msg.size}, nrcpt=${deferred.length} (queue active)`);
        this.later(this.deliveryStart(ts + 20 + this.rng.int(200), ts), (s) => this.attempt(msg, deferred, s, ts, attempt + 1));
      });
    } else this.line(t + 1 + this.rng.int(5), 'qmgr', `${msg.qid}: removed`);
  }

  /** The local alias's copy: a new message to the admin; returns its queue id. */
  private forward(t: number, original: Message): string {
    const qid = this.queueId();
    this.queueMessage(t, qid, original.from, [`admin@${this.domain}`], original.messageId, original.size + 300);
    return qid;
  }

  /** The non-delivery notification to the (local) sender: a new message from `<>`; returns its queue id. */
  private bounceNotice(t: number, original: Message): string {
    const qid = this.queueId();
    this.queueMessage(t, qid, '', [original.from], this.localMessageId(t, qid), 2500 + this.rng.int(2000) + Math.min(original.size, 40_000));
    return qid;
  }

  /** A background probe: a relay attempt, a wrong recipient or sender, a failed login, an unresolvable client. */
  private noise(t: number): void {
    const r = this.rng.next();
    const ip = this.ip();
    if (r < 0.3) this.saslFailure(t, ip, 'submission/smtpd');
    else if (r < 0.9) {
      const helo = this.rng.next() < 0.5 ? `[${ip}]` : this.token(8, 'abcdefghijklmnopqrstuvwxyz');
      const kind = this.rng.next();
      const pid = this.pid('smtpd');
      const client = `unknown[${ip}]`;
      this.line(t, 'smtpd', `connect from ${client}`, pid);
      let text: string;
      if (kind < 0.5) {
        const to = this.correspondent();
        const from = `${this.token(6, 'abcdefghijklmnopqrstuvwxyz')}@${this.rng.pick(REMOTE_DOMAINS)}`;
        text = `RCPT from ${client}: 554 5.7.1 <${to}>: Relay access denied; from=<${from}> to=<${to}> proto=ESMTP helo=<${helo}>`;
      } else if (kind < 0.8) {
        const to = `${this.rng.pick(FIRST_NAMES)}${this.rng.int(100)}@${this.domain}`;
        text = `RCPT from ${client}: 550 5.1.1 <${to}>: Recipient address rejected: User unknown in virtual mailbox table; from=<${this.correspondent()}> to=<${to}> proto=ESMTP helo=<${helo}>`;
      } else {
        const from = `${this.token(7, 'abcdefghijklmnopqrstuvwxyz')}@${this.token(9, 'abcdefghijklmnopqrstuvwxyz')}.${this.rng.pick(SPAM_TLDS)}`;
        text = `RCPT from ${client}: 450 4.1.8 <${from}>: Sender address rejected: Domain not found; from=<${from}> to=<${this.localUser()}> proto=ESMTP helo=<${helo}>`;
      }
      this.line(t + 400 + this.rng.int(600), 'smtpd', `NOQUEUE: reject: ${text}`, pid);
      this.line(t + 1200 + this.rng.int(800), 'smtpd', `disconnect from ${client} ehlo=1 mail=1 rcpt=0/1 rset=1 quit=1 commands=4/5`, pid);
    } else {
      const pid = this.pid('smtpd');
      const host = `${this.token(4, 'abcdefghijklmnopqrstuvwxyz')}-${ip.replace(/\./g, '-')}.static.${this.rng.pick(['hinet.net', 'vnpt.vn', 'ttnet.com.tr', 'telecom.net.ar'])}`;
      this.line(t, 'smtpd', `warning: hostname ${host} does not resolve to address ${ip}: Name or service not known`, pid);
      this.line(t + 5, 'smtpd', `connect from unknown[${ip}]`, pid);
      this.line(t + 3000 + this.rng.int(5000), 'smtpd', `lost connection after EHLO from unknown[${ip}]`, pid);
      this.line(t + 3010 + this.rng.int(5000), 'smtpd', `disconnect from unknown[${ip}] ehlo=1 commands=1`, pid);
    }
  }

  private saslFailure(t: number, ip: string, program: string): void {
    const pid = this.pid(program);
    const client = `unknown[${ip}]`;
    const method = this.rng.next() < 0.7 ? 'LOGIN' : 'PLAIN';
    this.line(t, program, `connect from ${client}`, pid);
    const reason = method === 'LOGIN' ? 'UGFzc3dvcmQ6' : 'authentication failure';
    this.line(t + 1500 + this.rng.int(1500), program, `warning: ${client}: SASL ${method} authentication failed: ${reason}`, pid);
    this.line(t + 3200 + this.rng.int(1000), program, `disconnect from ${client} ehlo=1 auth=0/1 rset=1 quit=1 commands=3/4`, pid);
  }

  private saslAttempt(t: number): void {
    const inc = this.active('sasl-bruteforce', t);
    const ips = inc ? this.attacks.get(inc)!.ips : [this.ip()];
    this.saslFailure(t, this.rng.pick(ips), this.rng.next() < 0.7 ? 'submission/smtpd' : 'smtpd');
  }

  /** An open-relay probe: one connection trying many foreign recipients, every one refused. */
  private relayBurst(t: number): void {
    const ip = this.ip();
    const client = `unknown[${ip}]`;
    const helo = this.spamDomain();
    const from = `${this.rng.pick(SPAM_WORDS)}@${this.spamDomain()}`;
    const n = 8 + this.rng.int(33);
    const pid = this.pid('smtpd');
    this.line(t, 'smtpd', `connect from ${client}`, pid);
    let at = t + 500;
    for (let i = 0; i < n; i++) {
      at += 200 + this.rng.int(1500);
      const to = `${this.token(6, 'abcdefghijklmnopqrstuvwxyz')}@${this.rng.pick(REMOTE_DOMAINS)}`;
      this.line(at, 'smtpd', `NOQUEUE: reject: RCPT from ${client}: 554 5.7.1 <${to}>: Relay access denied; from=<${from}> to=<${to}> proto=ESMTP helo=<${helo}>`, pid);
    }
    this.line(at + 300, 'smtpd', `disconnect from ${client} ehlo=1 mail=1 rcpt=0/${n} quit=1 commands=3/${n + 3}`, pid);
  }
}
