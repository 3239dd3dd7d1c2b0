/** The figures of a period from a real store: volumes, templates, errors, incidents, Postfix, file order. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import type { Anomaly } from '../model/record.js';
import type { EventRow, FileRow } from '../model/store.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { collectReport, HOUR } from './collect.js';
import { IncidentGrouper } from '../features/incidents.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function openStore(): SqliteStore {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'logradar-collect-'));
  dirs.push(d);
  const s = SqliteStore.open(d);
  stores.push(s);
  return s;
}

const T0 = Date.parse('2026-11-20T00:00:00Z');
const parse = configSchema.parse({}).parse;
const opts = { since: T0, until: T0 + 3 * HOUR - 1, top: 10, dashboardUrl: 'http://x' };

function ev(ts: number, raw: string, templateId: number | null, source = 'app', line = 1, fileId: number | null = null): EventRow {
  return { ts, source, fileId, line, offset: 0, templateId, raw };
}

function anomaly(ts: number, grade: number, extra: Partial<Anomaly> = {}): Anomaly {
  return { kind: 'record', source: 'app', ts, grade, detector: 'rare-template', detectors: [{ detector: 'rare-template', grade }], reason: `r${ts}`, templateId: 2, ...extra };
}

describe('collectReport', () => {
  it('counts lines per source and hour (empty hours too), templates of the period, new templates', () => {
    const s = openStore();
    s.commit({
      events: [ev(T0 - HOUR, 'before the period', 1), ev(T0 + 60_000, 'job 1 done', 1), ev(T0 + 120_000, 'job 2 done', 1), ev(T0 + 2 * HOUR, 'cache warmed', 2), ev(T0 + 2 * HOUR + 5, 'other', 3, 'db')],
      templates: [
        { id: 1, source: 'app', template: 'job <*> done', count: 3, firstSeen: T0 - HOUR, lastSeen: T0 + 120_000 },
        { id: 2, source: 'app', template: 'cache warmed', count: 1, firstSeen: T0 + 2 * HOUR, lastSeen: T0 + 2 * HOUR },
        { id: 3, source: 'db', template: 'other', count: 1, firstSeen: T0 + 2 * HOUR + 5, lastSeen: T0 + 2 * HOUR + 5 },
      ],
    });
    const d = collectReport(s, parse, opts);
    expect(d.lines).toBe(4);
    expect(d.sources.map((x) => [x.name, x.lines, x.templates])).toEqual([
      ['app', 3, 2],
      ['db', 1, 1],
    ]);
    expect(d.volume.map((b) => [b.start - T0, b.total, b.bySource])).toEqual([
      [0, 2, { app: 2 }],
      [HOUR, 0, {}],
      [2 * HOUR, 2, { app: 1, db: 1 }],
    ]);
    expect(d.topTemplates.map((t) => [t.id, t.count, t.template])).toEqual([
      [1, 2, 'job <*> done'],
      [2, 1, 'cache warmed'],
      [3, 1, 'other'],
    ]);
    expect(d.newTemplates.map((t) => t.id)).toEqual([2, 3]);
    expect(d.newTemplateCount).toBe(2);
  });

  it('groups ERROR/FATAL lines by template, most severe first, with the last line as sample; counts parse errors of the period', () => {
    const s = openStore();
    s.commit({
      events: [
        ev(T0 + 1000, '2026-11-20T00:00:01Z ERROR db timeout after 5 s', 7),
        ev(T0 + 2000, '2026-11-20T00:00:02Z ERROR db timeout after 9 s', 7),
        ev(T0 + 3000, '2026-11-20T00:00:03Z FATAL out of memory', 8),
        ev(T0 + 4000, '2026-11-20T00:00:04Z INFO fine', 9),
        ev(T0 + 5000, '{"broken json', null, 'api'),
      ],
      templates: [{ id: 7, source: 'app', template: 'db timeout after <*> s', count: 2, firstSeen: 0, lastSeen: 0 }],
    });
    const d = collectReport(s, { ...parse, format: 'json' }, opts);
    // format json: the text lines are not JSON either, and are counted as such
    expect(d.parseErrors['decode.json']).toBe(5);
    const auto = collectReport(s, parse, opts);
    expect(auto.errorLevels).toEqual({ ERROR: 2, FATAL: 1 });
    expect(auto.errors.map((e) => [e.level, e.count, e.template, e.sample])).toEqual([
      ['FATAL', 1, '', '2026-11-20T00:00:03Z FATAL out of memory'],
      ['ERROR', 2, 'db timeout after <*> s', '2026-11-20T00:00:02Z ERROR db timeout after 9 s'],
    ]);
    expect(auto.sources.find((x) => x.name === 'app')?.errorLines).toBe(3);
  });

  it('lists the stored incidents overlapping the period, as the pipeline grouped them; dismissed anomalies are counted, not shown', () => {
    const s = openStore();
    const rcf = (ts: number, grade: number, score: number) =>
      anomaly(ts, grade, { kind: 'window', detector: 'window-rcf', detectors: [{ detector: 'window-rcf', grade }], templateId: undefined, window: { start: ts - 60_000, end: ts }, explain: { contributions: [{ detector: 'window-rcf', feature: 'records.log2', value: score }] } });
    const found = [
      anomaly(T0 + 5 * 60_000, 0.9),
      rcf(T0 + 10 * 60_000, 0.8, 1.5),
      rcf(T0 + 11 * 60_000, 0.95, 2.5),
      rcf(T0 + 12 * 60_000, 0.7, 1.1),
      anomaly(T0 + 5 * 60_000 + 2 * HOUR, 0.75),
      anomaly(T0 + 4 * HOUR, 0.99),
    ];
    // the pipeline's grouping, one-minute windows: suppressed anomalies join no incident
    const g = new IncidentGrouper([], 0, () => 60_000);
    for (const a of found) g.add(a);
    const { incidents } = g.take();
    s.commit({ anomalies: [...found, anomaly(T0 + 30 * 60_000, 0.99, { status: 'suppressed' }), anomaly(T0 + 40 * 60_000, 0.99, { status: 'false_positive' })], incidents });
    const d = collectReport(s, parse, opts);
    expect(d.anomalies).toBe(5);
    expect(d.dismissed).toBe(2);
    expect(d.incidents.map((i) => [i.detectors.join(','), i.count, i.first - T0, i.last - T0, i.maxGrade])).toEqual([
      ['rare-template', 1, 5 * 60_000, 5 * 60_000, 0.9],
      ['window-rcf', 3, 9 * 60_000, 12 * 60_000, 0.95],
      ['rare-template', 1, 2 * HOUR + 5 * 60_000, 2 * HOUR + 5 * 60_000, 0.75],
    ]);
    // the same list as the store's (what `logradar incidents` prints for the range)
    expect(d.incidents.map((i) => i.id)).toEqual(s.incidents({ since: opts.since, until: opts.until }).map((i) => i.id));
    // the strongest anomaly is the one linked
    expect(d.incidents[1].anomalyId).toBe(s.anomalies().find((a) => a.ts === T0 + 11 * 60_000)?.id);
    expect(d.incidents[1].reason).toBe(`app: r${T0 + 11 * 60_000}`);
  });

  it('counts a Postfix source\'s messages in file order, also when ingestion interleaved its files', () => {
    const s = openStore();
    const file = (p: string, ino: string): number => s.addFile({ path: p, source: 'mail.log', dev: '1', ino, fp: ino, fpLen: 2, offset: 0, line: 0, skipping: false, size: 0, firstSeen: 1, lastRead: 1, gone: false } satisfies Omit<FileRow, 'id'>);
    const day1 = file('/logs/mail.log-20261119', '1');
    const day2 = file('/logs/mail.log-20261120', '2');
    const midnight = T0;
    // a message received a second before midnight, queued and delivered after it: its lines are in two files
    const pf = (ts: number, text: string, fileId: number, line: number) => ev(ts, `${new Date(ts).toUTCString().slice(8, 11)} ${new Date(ts).toISOString().slice(8, 10)} ${new Date(ts).toISOString().slice(11, 19)} mail ${text}`, null, 'mail.log', line, fileId);
    // the second day's file was read first (chunks of several files are ingested round-robin)
    s.commit({
      events: [
        pf(midnight + 1000, 'postfix/qmgr[2]: ABCDEF1234: from=<Bob@Example.ORG>, size=2048, nrcpt=1 (queue active)', day2, 1),
        pf(midnight + 2000, 'postfix/smtp[3]: ABCDEF1234: to=<ann@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=3, delays=0/0/1/2, dsn=2.0.0, status=sent (250 ok)', day2, 2),
      ],
      fileId: day2,
    });
    s.commit({ events: [pf(midnight - 1000, 'postfix/smtpd[1]: ABCDEF1234: client=mx.example.org[192.0.2.9]', day1, 1)], fileId: day1 });
    const d = collectReport(s, parse, { ...opts, since: T0 - HOUR, until: T0 + HOUR });
    expect(d.postfix).toHaveLength(1);
    const t = d.postfix[0].totals;
    expect([t.received, t.delivered, t.bytesReceived, t.bytesDelivered]).toEqual([1, 1, 2048, 2048]);
    expect(t.topSenders).toEqual([{ key: 'Bob@example.org', count: 1 }]);
    expect(t.topRelays).toEqual([{ key: 'mx.example.net', count: 1 }]);
    expect(Object.keys(t.perHour)).toEqual(['2026-11-19T23', '2026-11-20T00']);
  });
});
