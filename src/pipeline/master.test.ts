/**
 * Per-source models and the master model, through the real pipeline and a real SQLite store:
 * two sources abnormal in the same interval make exactly one cross-source incident naming both; one
 * source alone makes none; what one source learned as normal is still news to the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type ConfigInput } from '../config/schema.js';
import { MetricsRegistry } from '../model/metrics.js';
import type { Anomaly, RawLine } from '../model/record.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { createLogger } from '../util/log.js';
import { Pipeline } from './pipeline.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2026-11-21T10:00:00Z');
const MIN = 60_000;

function setup(extra: ConfigInput['detect'] = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'logradar-master-'));
  dirs.push(dir);
  const config = configSchema.parse({
    dataDir: dir,
    detect: { interval: '1m', warmupIntervals: 3, warmupRecords: 50, fields: [{ field: 'country', known: ['US', 'UK'] }], ...extra },
  });
  const store = SqliteStore.open(dir);
  const pipeline = new Pipeline(config, store, new MetricsRegistry(), createLogger('silent'));
  const seen: Anomaly[] = [];
  pipeline.onAnomaly((a) => seen.push(a));
  let line = 0;
  const feed = (source: string, minute: number, records: number, unknownShare: number, msg = 'request served') => {
    const lines: RawLine[] = [];
    for (let i = 0; i < records; i++) {
      const country = i < records * unknownShare ? 'XX' : i % 2 ? 'US' : 'UK';
      const text = JSON.stringify({ ts: new Date(T0 + minute * MIN + i * 100).toISOString(), country, message: msg });
      lines.push({ text, offset: line * 100, line: ++line, truncated: false });
    }
    pipeline.process({ source, fileId: null, lines });
  };
  return { pipeline, store, seen, feed };
}

describe('master model across sources', () => {
  it('two sources abnormal in the same interval: exactly one incident naming both', () => {
    const { seen, feed, store } = setup();
    for (let m = 0; m < 8; m++) for (const s of ['a', 'b']) feed(s, m, 200, 0.005);
    // minutes 8 and 9: both sources flooded with unknown countries
    for (let m = 8; m < 10; m++) for (const s of ['a', 'b']) feed(s, m, 200, 0.6);
    for (const s of ['a', 'b']) feed(s, 10, 200, 0.005);
    const perSource = seen.filter((a) => a.source !== '*');
    expect(new Set(perSource.map((a) => a.source))).toEqual(new Set(['a', 'b']));
    const incidents = seen.filter((a) => a.detector === 'cross-source');
    expect(incidents).toHaveLength(1);
    expect(incidents[0].reason).toMatch(/2 sources abnormal together: (a, b|b, a)/);
    expect(incidents[0].window).toEqual({ start: T0 + 8 * MIN, end: T0 + 9 * MIN });
    expect(store.anomalies({}).filter((a) => a.detector === 'cross-source')).toHaveLength(1);
    store.close();
  });

  it('one source abnormal alone raises no incident', () => {
    const { seen, feed, store } = setup();
    for (let m = 0; m < 8; m++) for (const s of ['a', 'b']) feed(s, m, 200, 0.005);
    feed('a', 8, 200, 0.6);
    feed('b', 8, 200, 0.005);
    for (const s of ['a', 'b']) feed(s, 9, 200, 0.005);
    expect(seen.some((a) => a.source === 'a' && a.kind === 'window')).toBe(true);
    expect(seen.filter((a) => a.detector === 'cross-source')).toHaveLength(0);
    store.close();
  });

  it("keeps each source's models separate: a template normal in one source is new in the other", () => {
    const { seen, feed, store } = setup({ master: { enabled: false } });
    for (let m = 0; m < 3; m++) {
      feed('a', m, 100, 0, 'request served');
      feed('a', m, 100, 0, 'disk sda1 failing, remapping sectors');
      feed('b', m, 100, 0, 'request served');
    }
    const before = seen.length;
    feed('a', 3, 1, 0, 'disk sda1 failing, remapping sectors');
    expect(seen.slice(before).filter((a) => a.detector === 'new-template')).toHaveLength(0);
    feed('b', 3, 1, 0, 'disk sda1 failing, remapping sectors');
    const fresh = seen.slice(before).filter((a) => a.detector === 'new-template');
    expect(fresh.map((a) => a.source)).toEqual(['b']);
    store.close();
  });
});
