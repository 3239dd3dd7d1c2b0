import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LogradarError } from '../../model/errors.js';
import type { Anomaly } from '../../model/record.js';
import { SCHEMA_VERSION } from './migrations.js';
import type { EventRow, FileRow } from '../../model/store.js';
import { DB_FILE, SqliteStore } from './store.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'logradar-store-'));
  dirs.push(d);
  return d;
}

function open(dir: string, opts: { readonly?: boolean } = {}): SqliteStore {
  const s = SqliteStore.open(dir, opts);
  stores.push(s);
  return s;
}

function ev(ts: number, raw: string, source = 'a', line = 1): EventRow {
  return { ts, source, fileId: null, line, offset: 0, templateId: 1, raw };
}

const FILE: Omit<FileRow, 'id'> = { path: '/logs/app.log', source: 'app', dev: '1', ino: '2', fp: 'abc', fpLen: 3, offset: 0, line: 0, skipping: false, size: 0, firstSeen: 1, lastRead: 1, gone: false };

function anomaly(ts: number, grade: number, source = 'a', extra: Partial<Anomaly> = {}): Anomaly {
  return { kind: 'record', source, ts, grade, detector: 'rare-template', detectors: [{ detector: 'rare-template', grade }], reason: `r${ts}`, ...extra };
}

const raws = (it: Iterable<{ raw: string }>) => [...it].map((e) => e.raw);

describe('SqliteStore', () => {
  it('commits events, anomalies and the checkpoint together', () => {
    const s = open(tmpDir());
    const id = s.addFile(FILE);
    s.commit({ events: [ev(10, 'one'), ev(20, 'two')], anomalies: [anomaly(20, 0.9)], checkpoint: { ...FILE, id, offset: 8, line: 2, lastRead: 5 } }, 1000);
    expect(raws(s.events())).toEqual(['one', 'two']);
    expect(s.anomalies().map((a) => a.reason)).toEqual(['r20']);
    expect(s.listFiles()).toEqual([{ ...FILE, id, offset: 8, line: 2, lastRead: 5 }]);
    const [e] = s.events({ limit: 1 });
    expect(e).toMatchObject({ ts: 10, source: 'a', file: null, line: 1, offset: 0, templateId: 1 });
  });

  it('rolls the whole commit back when a row fails midway', () => {
    const s = open(tmpDir());
    const id = s.addFile(FILE);
    s.commit({ events: [ev(10, 'kept')], checkpoint: { ...FILE, id, offset: 5, line: 1 } }, 1000);
    const broken = anomaly(30, 0.9, 'a', { detector: null as unknown as string });
    expect(() => s.commit({ events: [ev(20, 'lost-1'), ev(30, 'lost-2')], anomalies: [anomaly(25, 0.8), broken], checkpoint: { ...FILE, id, offset: 99, line: 3 } }, 2000)).toThrow(/NOT NULL/);
    expect(raws(s.events())).toEqual(['kept']);
    expect(s.anomalies()).toEqual([]);
    expect(s.listFiles()[0]).toMatchObject({ offset: 5, line: 1 });
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM event_blocks').get()).toEqual({ n: 1 });
    // and the store still takes the next commit
    s.commit({ events: [ev(40, 'next')] }, 3000);
    expect(raws(s.events())).toEqual(['kept', 'next']);
  });

  it('filters events by source, time, text and limit', () => {
    const s = open(tmpDir());
    s.commit({ events: [ev(1000, 'GET /a 200'), ev(2000, 'GET /b 500')] }, 1);
    s.commit({ events: [ev(5000, 'POST /c 200'), ev(6000, 'GET /d 500')] }, 2);
    s.commit({ events: [ev(5500, 'other GET 500', 'b')] }, 3);
    expect(raws(s.events({ source: 'b' }))).toEqual(['other GET 500']);
    expect(raws(s.events({ since: 2000 }))).toEqual(['GET /b 500', 'POST /c 200', 'GET /d 500', 'other GET 500']);
    expect(raws(s.events({ until: 2000 }))).toEqual(['GET /a 200', 'GET /b 500']);
    expect(raws(s.events({ since: 1500, until: 5500 }))).toEqual(['GET /b 500', 'POST /c 200', 'other GET 500']);
    expect(raws(s.events({ since: 7000 }))).toEqual([]);
    expect(raws(s.events({ since: 2500, until: 4000 }))).toEqual([]);
    expect(raws(s.events({ grep: ' 500' }))).toEqual(['GET /b 500', 'GET /d 500', 'other GET 500']);
    expect(raws(s.events({ grep: '%' }))).toEqual([]);
    expect(raws(s.events({ source: 'a', grep: 'GET', since: 1500, limit: 1 }))).toEqual(['GET /b 500']);
    expect(raws(s.events({ limit: 0 }))).toEqual([]);
  });

  it('filters anomalies and round-trips their fields', () => {
    const s = open(tmpDir());
    s.commit(
      {
        anomalies: [
          anomaly(300, 0.75),
          anomaly(100, 0.95, 'b', { kind: 'window', window: { start: 60, end: 120 }, explain: { file: '/logs/x.log', field: 'country' } }),
          anomaly(200, 0.85, 'a', { line: 7, offset: 70, raw: '<script>', templateId: 3 }),
        ],
      },
      5000,
    );
    expect(s.anomalies().map((a) => a.ts)).toEqual([100, 200, 300]);
    expect(s.anomalies({ since: 150 }).map((a) => a.ts)).toEqual([200, 300]);
    expect(s.anomalies({ until: 200 }).map((a) => a.ts)).toEqual([100, 200]);
    expect(s.anomalies({ minGrade: 0.8 }).map((a) => a.ts)).toEqual([100, 200]);
    expect(s.anomalies({ source: 'a', limit: 1 }).map((a) => a.ts)).toEqual([200]);
    const [w] = s.anomalies({ source: 'b' });
    expect(w).toMatchObject({ kind: 'window', grade: 0.95, created: 5000, window: { start: 60, end: 120 }, file: '/logs/x.log', explain: { file: '/logs/x.log', field: 'country' }, line: undefined });
    expect(w.detectors).toEqual([{ detector: 'rare-template', grade: 0.95 }]);
    expect(s.anomalies({ since: 150, until: 250 })[0]).toMatchObject({ line: 7, offset: 70, raw: '<script>', templateId: 3, window: undefined });
  });

  it('retention by age deletes only chunks ingested before the cutoff', () => {
    const s = open(tmpDir());
    s.commit({ events: [ev(1, 'c1-a'), ev(2, 'c1-b')] }, 1000);
    s.commit({ events: [ev(3, 'c2-a')] }, 2000);
    s.commit({ events: [ev(4, 'c3-a')] }, 3000);
    expect(s.applyRetention(1500, 1e12, 3400)).toBe(2);
    expect(raws(s.events())).toEqual(['c2-a', 'c3-a']);
    expect(s.applyRetention(1500, 1e12, 3400)).toBe(0);
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM event_blocks').get()).toEqual({ n: 2 });
  });

  it('retention by size deletes the oldest chunks until the rest fits', () => {
    const s = open(tmpDir());
    s.commit({ events: [ev(1, '0123456789')] }, 1000);
    s.commit({ events: [ev(2, 'abcdefghij')] }, 1000);
    s.commit({ events: [ev(3, 'ABCDEFGHIJ')] }, 1000);
    expect(s.applyRetention(1e12, 30, 1000)).toBe(0);
    expect(s.applyRetention(1e12, 25, 1000)).toBe(1);
    expect(raws(s.events())).toEqual(['abcdefghij', 'ABCDEFGHIJ']);
    expect(s.applyRetention(1e12, 5, 1000)).toBe(2);
    expect(raws(s.events())).toEqual([]);
  });

  it('refuses a store written by a newer schema version', () => {
    const dir = tmpDir();
    open(dir).close();
    const db = new Database(path.join(dir, DB_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    let err: unknown;
    try {
      open(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LogradarError);
    expect(err).toMatchObject({ code: 'LOGRADAR_ERR_STORE_VERSION', exitCode: 2 });
    expect((err as Error).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
  });

  it('a readonly open of a missing store fails with exit code 2 and creates nothing', () => {
    const dir = path.join(tmpDir(), 'none');
    expect(() => open(dir, { readonly: true })).toThrow(expect.objectContaining({ code: 'LOGRADAR_ERR_STORE', exitCode: 2 }));
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('keeps data across reopening', () => {
    const dir = tmpDir();
    const s = open(dir);
    const id = s.addFile(FILE);
    s.commit(
      {
        events: [ev(10, 'persisted')],
        templates: [{ id: 4, source: 'app', template: 'x <*>', count: 2, firstSeen: 1, lastSeen: 9 }],
        state: [{ key: 'source:app', version: 1, value: '{"records":2}' }],
        counters: { store: { received: 2 } },
        checkpoint: { ...FILE, id, offset: 10, line: 1 },
      },
      100,
    );
    s.close();
    const r = open(dir);
    expect(raws(r.events())).toEqual(['persisted']);
    expect(r.listFiles()[0]).toMatchObject({ id, offset: 10, line: 1 });
    expect(r.loadTemplates('app')).toEqual([{ id: 4, source: 'app', template: 'x <*>', count: 2, firstSeen: 1, lastSeen: 9, evicted: false }]);
    expect(r.maxTemplateId()).toBe(4);
    expect(r.loadState('source:app')).toEqual({ key: 'source:app', version: 1, value: '{"records":2}' });
    expect(r.loadCounters()).toEqual({ store: { received: 2 } });
    expect(r.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('saves one key of state on its own, replacing what a batch committed', () => {
    const dir = tmpDir();
    const s = open(dir);
    s.commit({ state: [{ key: 'k', version: 1, value: 'old' }] });
    s.saveState({ key: 'k', version: 2, value: 'new' });
    s.saveState({ key: 'other', version: 1, value: '{}' });
    s.close();
    const r = open(dir);
    expect(r.loadState('k')).toEqual({ key: 'k', version: 2, value: 'new' });
    expect(r.loadState('other')).toEqual({ key: 'other', version: 1, value: '{}' });
    expect(r.loadState('missing')).toBeUndefined();
  });

  it('a readonly connection reads rows committed by an open writer (WAL)', () => {
    const dir = tmpDir();
    const w = open(dir);
    w.commit({ events: [ev(1, 'first')], anomalies: [anomaly(1, 0.9)] }, 10);
    const r = open(dir, { readonly: true });
    expect(raws(r.events())).toEqual(['first']);
    w.commit({ events: [ev(2, 'second')] }, 20);
    expect(raws(r.events())).toEqual(['first', 'second']);
    expect(r.anomalies()).toHaveLength(1);
    expect(w.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });
});

describe('SqliteStore retention in bytes', () => {
  it('counts UTF-8 bytes, not characters', () => {
    const s = open(tmpDir());
    s.commit({ events: [ev(1, '日本語日本語')] }, 1000);
    s.commit({ events: [ev(2, 'ascii')] }, 2000);
    expect(s.applyRetention(1e12, 10, 3000)).toBe(1);
    expect(raws(s.events())).toEqual(['ascii']);
  });
});

describe('SqliteStore event blocks', () => {
  it('splits long batches into blocks, numbers events across blocks and reopenings', () => {
    const dir = tmpDir();
    const s = open(dir);
    const many = Array.from({ length: 600 }, (_, i) => ({ ...ev(i, `line ${i}`, 'a', i + 1), offset: i * 10, templateId: i % 7 === 0 ? null : i % 5 }));
    s.commit({ events: many }, 1000);
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM event_blocks').get()).toEqual({ n: 3 });
    s.close();
    const r = open(dir);
    r.commit({ events: [ev(1000, 'after reopen', 'b', 1)] }, 2000);
    const all = [...r.events()];
    expect(all).toHaveLength(601);
    expect(all.map((e) => e.id)).toEqual(Array.from({ length: 601 }, (_, i) => i + 1));
    expect(all[299]).toMatchObject({ raw: 'line 299', line: 300, offset: 2990, ts: 299, templateId: 4, source: 'a' });
    expect(all[7].templateId).toBeNull();
    expect(all[600]).toMatchObject({ raw: 'after reopen', source: 'b' });
    expect(r.eventCount()).toBe(601);
    expect([...r.events({ since: 250, until: 260 })].map((e) => e.ts)).toEqual([250, 251, 252, 253, 254, 255, 256, 257, 258, 259, 260]);
    expect([...r.events({ grep: 'line 59' })].map((e) => e.raw)).toEqual(['line 59', ...Array.from({ length: 10 }, (_, i) => `line ${590 + i}`)]);
  });

  it('keeps a line holding LF as one event (escaped)', () => {
    const s = open(tmpDir());
    s.commit({ events: [ev(1, 'two\nlines'), ev(2, 'next')] }, 1000);
    expect(raws(s.events())).toEqual(['two\\nlines', 'next']);
  });
});

describe('incidents', () => {
  it('are committed with their anomalies, merged in the same transaction, and open ones are there after a reopen', async () => {
    const { IncidentGrouper } = await import('../../features/incidents.js');
    const dir = tmpDir();
    const s = open(dir);
    const win = (source: string, i: number): Anomaly => ({ kind: 'window', source, ts: (i + 1) * 60_000, grade: 0.9, detector: 'field-rate', detectors: [{ detector: 'field-rate', grade: 0.9 }], reason: 'spike', window: { start: i * 60_000, end: (i + 1) * 60_000 } });
    const g = new IncidentGrouper(s.openIncidents(), s.maxIncidentId(), () => 60_000);
    const first = [win('web', 3), win('db', 3)];
    for (const a of first) g.add(a);
    s.commit({ anomalies: first, incidents: g.take().incidents });
    expect(s.incidents().map((i) => [i.id, i.sources])).toEqual([
      [1, ['web']],
      [2, ['db']],
    ]);
    s.close();

    // a restart: the grouper continues the stored open incidents; a cross-source alarm merges them
    const s2 = open(dir);
    const g2 = new IncidentGrouper(s2.openIncidents(), s2.maxIncidentId(), () => 60_000);
    const alarm: Anomaly = { ...win('*', 3), detector: 'master', explain: { sources: [{ source: 'web' }, { source: 'db' }] } };
    g2.add(alarm);
    const { incidents, merged } = g2.take();
    s2.commit({ anomalies: [alarm], incidents, mergedIncidents: merged });
    expect(s2.incidents().map((i) => [i.id, i.sources, i.anomalies, i.kinds])).toEqual([[1, ['web', 'db'], 3, ['window', 'cross-source']]]);
    expect(s2.anomalies().map((a) => a.incident)).toEqual([1, 1, 1]);
    expect(s2.queries.incidentPage({ limit: 10, source: 'db' }).items.map((i) => i.id)).toEqual([1]);
    expect(s2.maxIncidentId()).toBe(2);
  });
});
