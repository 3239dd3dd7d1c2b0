import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { Decoder } from '../parsers/decode/decoder.js';
import {
  DAY,
  daySpan,
  formatDelay,
  INCIDENT_LENGTH,
  parseIncidentSpec,
  planIncidents,
  POSTFIX_INCIDENT_TYPES,
  syslogTime,
  type PostfixIncident,
  type PostfixIncidentType,
} from './postfix.js';
import { runPostfix } from './postfix-run.js';

const HOUR = 3_600_000;
const END = Date.parse('2026-11-21T18:00:00Z'); // a Saturday evening
const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'logradar-postfix-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const parse = configSchema.parse({}).parse;
const decoder = new Decoder({ format: 'auto', messageFields: parse.messageFields, timestampFields: parse.timestampFields });

interface Rec {
  ts: number;
  raw: string;
  f: Record<string, unknown>;
}

function readDir(dir: string): Rec[] {
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((name) => fs.readFileSync(path.join(dir, name), 'utf8').split('\n').filter(Boolean))
    .map((text, i) => {
      const r = decoder.decode({ text, offset: 0, line: i + 1, truncated: false }, 'mail', END);
      return { ts: r.ts, raw: text, f: r.fields };
    });
}

const inSpan = (r: Rec, a: number, b: number) => r.ts >= a && r.ts < b;
const deliveries = (rs: Rec[]) => rs.filter((r) => r.f.event === 'delivery');
const deferredShare = (rs: Rec[]) => {
  const d = deliveries(rs);
  return d.filter((r) => r.f.status === 'deferred').length / d.length;
};

describe('incident plans', () => {
  const span = daySpan(END, 14);

  it('a span is whole UTC days, the last one ending at the end', () => {
    expect(span.start).toBe(Date.parse('2026-11-08T00:00:00Z'));
    expect(daySpan(Date.parse('2026-11-21T00:00:00Z'), 1).start).toBe(Date.parse('2026-11-20T00:00:00Z'));
  });

  it('by default: two incidents of different types on days of the second half, each within its day and length range', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const plan = planIncidents(undefined, span, seed);
      expect(plan).toHaveLength(2);
      expect(plan[0].type).not.toBe(plan[1].type);
      const days = plan.map((p) => Math.floor((p.start - span.start) / DAY) + 1);
      expect(days[0]).not.toBe(days[1]);
      for (const [i, p] of plan.entries()) {
        expect(days[i]).toBeGreaterThanOrEqual(8);
        expect(days[i]).toBeLessThanOrEqual(14);
        expect(Math.floor((p.end - 1 - span.start) / DAY) + 1).toBe(days[i]);
        expect(p.end).toBeLessThanOrEqual(END);
        expect(p.end - p.start).toBeGreaterThanOrEqual(INCIDENT_LENGTH[p.type][0]);
        expect(p.end - p.start).toBeLessThanOrEqual(INCIDENT_LENGTH[p.type][1]);
      }
    }
    expect(planIncidents(undefined, span, 5)).toEqual(planIncidents(undefined, span, 5));
  });

  it('places requested incidents on their days; refuses days outside the span or too short', () => {
    const plan = planIncidents([{ type: 'sasl-bruteforce', day: 2 }, { type: 'spam-relay' }], span, 3);
    const sasl = plan.find((p) => p.type === 'sasl-bruteforce')!;
    expect(Math.floor((sasl.start - span.start) / DAY)).toBe(1);
    expect(() => planIncidents([{ type: 'spam-relay', day: 15 }], span, 1)).toThrow(/past the span/);
    const short = daySpan(Date.parse('2026-11-21T01:30:00Z'), 2);
    expect(() => planIncidents([{ type: 'delivery-failures', day: 2 }], short, 1)).toThrow(/ends too soon/);
  });

  it('parses TYPE and TYPE@DAY', () => {
    expect(parseIncidentSpec('queue-backlog')).toEqual({ type: 'queue-backlog', day: undefined });
    expect(parseIncidentSpec('spam-relay@9')).toEqual({ type: 'spam-relay', day: 9 });
    expect(() => parseIncidentSpec('outage')).toThrow(/--incident.*delivery-failures/);
    expect(() => parseIncidentSpec('spam-relay@0')).toThrow(/from 1/);
  });
});

describe('formatting', () => {
  it('syslog times pad the day with a space; delays print like Postfix', () => {
    expect(syslogTime(Date.parse('2026-11-01T09:05:03Z'))).toBe('Nov  1 09:05:03');
    expect(syslogTime(Date.parse('2026-12-24T23:59:59.999Z'))).toBe('Dec 24 23:59:59');
    expect([0, 0.004, 0.5, 1.234, 12.34, 355.4].map(formatDelay)).toEqual(['0', '0', '0.5', '1.23', '12.3', '355']);
  });
});

describe('generated logs', () => {
  const span = daySpan(END, 7);
  let dir: string;
  let recs: Rec[];
  let incidents: PostfixIncident[];
  const of = (type: PostfixIncidentType) => incidents.find((i) => i.type === type)!;

  beforeAll(async () => {
    dir = tmp();
    incidents = planIncidents(POSTFIX_INCIDENT_TYPES.map((type, i) => ({ type, day: 3 + i })), span, 4);
    await runPostfix({ outDir: dir, seed: 4, start: span.start, end: span.end, incidents, labelsFile: path.join(dir, '..', path.basename(dir) + '.labels') });
    recs = readDir(dir);
  }, 120_000);

  it('the same seed and span give the same bytes; another seed does not', async () => {
    const a = tmp();
    const b = tmp();
    const c = tmp();
    const short = daySpan(END, 2);
    const plan = planIncidents(undefined, short, 9);
    await runPostfix({ outDir: a, seed: 9, start: short.start, end: short.end, incidents: plan });
    await runPostfix({ outDir: b, seed: 9, start: short.start, end: short.end, incidents: plan });
    await runPostfix({ outDir: c, seed: 10, start: short.start, end: short.end, incidents: plan });
    const bytes = (d: string) => fs.readdirSync(d).sort().map((f) => [f, fs.readFileSync(path.join(d, f), 'utf8')]);
    expect(bytes(a)).toEqual(bytes(b));
    expect(bytes(a)[0][1].length).toBeGreaterThan(100_000);
    expect(bytes(c)).not.toEqual(bytes(a));
  });

  it('one file per UTC day, named mail.log-YYYYMMDD, lines of that day in time order, none at or after the end', () => {
    const names = fs.readdirSync(dir).sort();
    expect(names).toEqual(['20261115', '20261116', '20261117', '20261118', '20261119', '20261120', '20261121'].map((d) => `mail.log-${d}`));
    for (const name of names) {
      const day = name.slice(-8);
      const lines = fs.readFileSync(path.join(dir, name), 'utf8').split('\n').filter(Boolean);
      expect(lines[0].slice(0, 6)).toBe(syslogTime(Date.parse(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T00:00:00Z`)).slice(0, 6));
    }
    expect(recs.findIndex((r, i) => i > 0 && r.ts < recs[i - 1].ts)).toBe(-1);
    expect(recs[0].ts).toBeGreaterThanOrEqual(span.start);
    expect(recs[recs.length - 1].ts).toBeLessThan(END);
  });

  it('every line is a Postfix syslog line with a program, and message lines carry a 10-hex-digit queue id', () => {
    const withId = new Set(['client', 'message-id', 'queued', 'delivery', 'removed', 'pickup', 'bounce-notice']);
    const bad = recs.filter(
      (r) =>
        !/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d mail postfix\/[a-z/]+\[\d+\]: /.test(r.raw) ||
        !String(r.f.program).startsWith('postfix/') ||
        r.f.event === undefined ||
        (withId.has(String(r.f.event)) && !/^[0-9A-F]{10}$/.test(String(r.f.queueId))),
    );
    expect(bad.slice(0, 3).map((r) => r.raw)).toEqual([]);
    // a message's lines share its queue id: client → cleanup → qmgr → delivery → removed
    const byQid = new Map<string, string[]>();
    for (const r of recs) {
      if (typeof r.f.queueId !== 'string') continue;
      const ev = byQid.get(r.f.queueId);
      if (ev) ev.push(String(r.f.event));
      else byQid.set(r.f.queueId, [String(r.f.event)]);
    }
    const complete = [...byQid.values()].filter((ev) => ev[0] === 'client' && ev.at(-1) === 'removed');
    expect(complete.length / byQid.size).toBeGreaterThan(0.8);
    for (const ev of complete.slice(0, 200)) expect(ev.slice(0, 3)).toEqual(['client', 'message-id', 'queued']);
  });

  it('the labels file holds one {type, start, end} line per incident, ISO 8601 with an offset', () => {
    const text = fs.readFileSync(path.join(dir, '..', path.basename(dir) + '.labels'), 'utf8');
    const labels = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(labels).toHaveLength(4);
    for (const [i, l] of labels.entries()) {
      expect(Object.keys(l)).toEqual(['type', 'start', 'end']);
      expect(l.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
      expect(Date.parse(l.start)).toBe(incidents[i].start);
      expect(Date.parse(l.end)).toBe(incidents[i].end);
    }
  });

  it('traffic follows office hours: weekday daytime is several times the night', () => {
    const weekday = span.start + 2 * DAY; // Tuesday 2026-11-17 (no incident before noon)
    const count = (h0: number, h1: number) => recs.filter((r) => r.f.event === 'client' && inSpan(r, weekday + h0 * HOUR, weekday + h1 * HOUR)).length / (h1 - h0);
    expect(count(9, 12)).toBeGreaterThan(4 * count(0, 5));
    const saturday = span.start + 6 * DAY;
    const inDay = (d: number) => recs.filter((r) => r.f.event === 'client' && inSpan(r, d, d + 17 * HOUR)).length;
    expect(inDay(weekday)).toBeGreaterThan(1.5 * inDay(saturday));
  });

  it('normally about 2 % of delivery attempts are deferred, a few bounce, a few are rejected', () => {
    const normalDay = recs.filter((r) => inSpan(r, span.start, span.start + 2 * DAY));
    const share = deferredShare(normalDay);
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.035);
    const bounced = deliveries(normalDay).filter((r) => r.f.status === 'bounced').length;
    expect(bounced).toBeGreaterThan(0);
    const rejects = normalDay.filter((r) => r.f.event === 'reject').length;
    expect(rejects).toBeGreaterThan(48);
    expect(rejects).toBeLessThan(48 * 10);
  });

  it('delivery-failures: at least 30 % of delivery attempts deferred over the span and in every busy hour', () => {
    const inc = of('delivery-failures');
    expect(deferredShare(recs.filter((r) => inSpan(r, inc.start, inc.end)))).toBeGreaterThanOrEqual(0.3);
    for (let h = Math.ceil(inc.start / HOUR) * HOUR; h + HOUR <= inc.end; h += HOUR) {
      const hour = recs.filter((r) => inSpan(r, h, h + HOUR));
      if (deliveries(hour).length >= 40) expect(deferredShare(hour), new Date(h).toISOString()).toBeGreaterThanOrEqual(0.3);
    }
  });

  it('sasl-bruteforce: at least 500 SASL failures in every hour of the span, from a handful of addresses', () => {
    const inc = of('sasl-bruteforce');
    let hours = 0;
    for (let h = inc.start; h + HOUR <= inc.end; h += 15 * 60_000) {
      hours++;
      expect(recs.filter((r) => r.f.event === 'sasl-failure' && inSpan(r, h, h + HOUR)).length).toBeGreaterThanOrEqual(500);
    }
    expect(hours).toBeGreaterThan(0);
    const byIp = new Map<string, number>();
    for (const r of recs) if (r.f.event === 'sasl-failure' && inSpan(r, inc.start, inc.end)) byIp.set(String(r.f.clientIp), (byIp.get(String(r.f.clientIp)) ?? 0) + 1);
    const top = [...byIp.values()].sort((a, b) => b - a);
    const total = top.reduce((a, b) => a + b, 0);
    expect(top.slice(0, 6).reduce((a, b) => a + b, 0) / total).toBeGreaterThan(0.98);
    // outside: a few an hour
    expect(recs.filter((r) => r.f.event === 'sasl-failure' && inSpan(r, span.start, span.start + DAY)).length).toBeLessThan(24 * 10);
  });

  it('spam-relay: bursts of "Relay access denied" and an unusual sender domain mix', () => {
    const inc = of('spam-relay');
    const hours = (inc.end - inc.start) / HOUR;
    const relayDenied = (a: number, b: number) => recs.filter((r) => r.f.event === 'reject' && r.f.reason === 'Relay access denied' && inSpan(r, a, b)).length;
    expect(relayDenied(inc.start, inc.end) / hours).toBeGreaterThan(100);
    expect(relayDenied(span.start, span.start + DAY) / 24).toBeLessThan(5);
    const oddShare = (a: number, b: number) => {
      const q = recs.filter((r) => r.f.event === 'queued' && inSpan(r, a, b));
      return q.filter((r) => /\.(top|xyz|click|buzz|icu|ru|cn|loan)$/.test(String(r.f.fromDomain))).length / q.length;
    };
    expect(oddShare(inc.start, inc.end)).toBeGreaterThan(0.2);
    expect(oddShare(span.start, span.start + DAY)).toBe(0);
  });

  it('queue-backlog: deliveries delayed over 10 minutes and an active queue that grows', () => {
    const inc = of('queue-backlog');
    const queuedIn = new Set(recs.filter((r) => r.f.event === 'queued' && inSpan(r, inc.start, inc.end - 21 * 60_000)).map((r) => r.f.queueId));
    const late = recs.filter((r) => r.f.event === 'delivery' && r.ts >= inc.start && queuedIn.has(r.f.queueId));
    expect(late.length).toBeGreaterThan(20);
    for (const r of late) expect(r.f.delay as number).toBeGreaterThan(600);
    // the wait is in the active queue (delays b), except for a retry after a deferral in the drain
    expect(late.filter((r) => Number(String(r.f.delays).split('/')[1]) > 500).length / late.length).toBeGreaterThan(0.9);
    // active queue: messages queued and not yet removed
    const active = new Set<unknown>();
    let maxNormal = 0;
    let maxIncident = 0;
    for (const r of recs) {
      if (r.f.event === 'queued') active.add(r.f.queueId);
      if (r.f.event === 'removed') active.delete(r.f.queueId);
      if (inSpan(r, inc.start, inc.end)) maxIncident = Math.max(maxIncident, active.size);
      else if (r.ts < span.start + 2 * DAY) maxNormal = Math.max(maxNormal, active.size);
    }
    expect(maxIncident).toBeGreaterThan(5 * maxNormal);
  });
});
