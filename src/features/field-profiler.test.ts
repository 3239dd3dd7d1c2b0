import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../model/record.js';
import { Rng } from '../util/rng.js';
import { FieldProfiler, newProfilerState } from './field-profiler.js';

const OPTS = { records: 1000, maxValues: 20, knownShare: 0.01, presentShare: 0.9 };

function rec(fields: Record<string, unknown>): ParsedRecord {
  return { source: 's', offset: 0, line: 1, ts: 0, tsFromRecord: false, raw: '', message: '', fields, truncated: false, templateId: 1, template: '', params: [], change: 'none' };
}

describe('FieldProfiler', () => {
  it('chooses categorical fields with their common values as known, after the configured records', () => {
    const p = new FieldProfiler(OPTS);
    const st = newProfilerState();
    const r = new Rng(1);
    let chosen;
    for (let i = 0; i < 1000; i++) {
      const country = r.next() < 0.005 ? 'XX' : r.pick(['US', 'UK', 'IN']);
      const fields: Record<string, unknown> = { country, status: r.pick([200, 202, 307]), clientIp: `10.0.${i >> 8}.${i & 255}`, constant: 'v1', ts: i };
      if (i % 3) fields.sometimes = 'x';
      const out = p.add(rec(fields), st);
      if (i < 999) expect(out).toBeUndefined();
      else chosen = out;
    }
    expect(chosen).toEqual([
      { field: 'country', known: ['IN', 'UK', 'US'], label: undefined, expectedUnknown: expect.closeTo(0.005, 2) },
      { field: 'status', known: ['200', '202', '307'], label: undefined, expectedUnknown: 0 },
    ]);
    // chosen once; the counts are dropped
    expect(p.add(rec({ country: 'US' }), st)).toBeUndefined();
    expect(Object.keys(st.fields)).toEqual([]);
  });

  it('drops fields with long or structured values and bounds the fields it tracks', () => {
    const p = new FieldProfiler({ ...OPTS, records: 10 });
    const st = newProfilerState();
    let chosen;
    for (let i = 0; i < 10; i++) {
      const fields: Record<string, unknown> = { long: 'x'.repeat(100), obj: { a: 1 }, level: i % 2 ? 'INFO' : 'WARN' };
      for (let k = 0; k < 300; k++) fields[`f${k}`] = 'a';
      chosen = p.add(rec(fields), st);
    }
    expect(chosen!.map((f) => f.field)).toContain('level');
    expect(chosen!.map((f) => f.field)).not.toContain('long');
    expect(chosen!.map((f) => f.field)).not.toContain('obj');
    expect(chosen!.length).toBeLessThanOrEqual(200);
  });
});

describe('FieldProfiler over time', () => {
  const MIN = 60_000;
  const at = (fields: Record<string, unknown>, ts: number): ParsedRecord => ({ ...rec(fields), ts });

  it('profiles both the records and the span, and a burst in one slice is not known', () => {
    const p = new FieldProfiler({ ...OPTS, records: 100, span: 30 * MIN, slices: 6 });
    const st = newProfilerState();
    const r = new Rng(2);
    const returned: Array<[number, unknown]> = [];
    // 10 records a minute for 31 minutes; minutes 10-14 are a burst where most countries are XX
    for (let i = 0; i < 310 && !st.final; i++) {
      const ts = i * 6000;
      const burst = ts >= 10 * MIN && ts < 15 * MIN;
      const country = burst && r.next() < 0.9 ? 'XX' : r.pick(['US', 'UK', 'IN']);
      const out = p.add(at({ country }, ts), st);
      if (out) returned.push([i, out]);
    }
    // provisional after 100 records (10 minutes) and again at 200, final after 30 minutes
    expect(returned.map(([i]) => i)).toEqual([99, 199, 300]);
    const chosen = returned[1][1];
    // XX is 14 % of the profiled records, but common only in the burst's slice: unknown
    expect(chosen).toEqual([{ field: 'country', known: ['IN', 'UK', 'US'], label: undefined, expectedUnknown: 0 }]);
  });

  it('expects the unknown share of a long tail (leave-one-out), but not of a burst', () => {
    const p = new FieldProfiler({ ...OPTS, records: 200, span: 0 });
    const st = newProfilerState();
    let chosen;
    // 200 records: 185 of 3 common values, 15 singletons (a long tail)
    for (let i = 0; i < 200; i++) chosen = p.add(rec({ city: i < 185 ? ['a', 'b', 'c'][i % 3] : `rare${i}`, level: i % 2 ? 'INFO' : 'WARN' }), st) ?? chosen;
    const byField = Object.fromEntries(chosen!.map((f) => [f.field, f]));
    expect(byField.city.expectedUnknown).toBeCloseTo(15 / 200, 9);
    expect(byField.level.expectedUnknown).toBe(0);
  });

  it('a burst under way in the slice still filling when a provisional choice is made is not known', () => {
    const p = new FieldProfiler({ ...OPTS, records: 100, span: 30 * MIN, slices: 6 });
    const st = newProfilerState();
    let chosen;
    // 16 records a minute: the choice at 100 records falls at 6.2 minutes, one complete slice (0-5) behind it;
    // from minute 5.5 most records carry '-'
    for (let i = 0; i < 100; i++) {
      const ts = i * 3750;
      chosen = p.add(at({ source: ts >= 5.5 * MIN && i % 5 ? '-' : ['ALB', 'CF'][i % 2] }, ts), st) ?? chosen;
    }
    expect(chosen?.[0].known).toEqual(['ALB', 'CF']);
  });

  it('a provisional choice does not know a burst that fills most of the few complete slices', () => {
    const p = new FieldProfiler({ ...OPTS, records: 100, span: 60 * MIN, slices: 12 });
    const st = newProfilerState();
    const r = new Rng(4);
    const returned: Array<[number, string[]]> = [];
    // 10 records a minute; minutes 7-14 are a burst where most countries are XX
    for (let i = 0; i < 300; i++) {
      const ts = i * 6000;
      const country = ts >= 7 * MIN && ts < 14 * MIN && r.next() < 0.9 ? 'XX' : r.pick(['US', 'UK', 'IN']);
      const out = p.add(at({ country }, ts), st);
      if (out) returned.push([i, out[0].known.map(String)]);
    }
    // at 200 records (20 minutes) XX is common in two of the three complete slices, but not in the first
    expect(returned.map(([i]) => i)).toEqual([99, 199]);
    for (const [, known] of returned) expect(known).toEqual(['IN', 'UK', 'US']);
  });

  it('knows a value spread over the span even when it is a small share', () => {
    const p = new FieldProfiler({ ...OPTS, records: 100, span: 30 * MIN, slices: 6 });
    const st = newProfilerState();
    let chosen;
    for (let i = 0; i < 400 && !st.final; i++) chosen = p.add(at({ method: i % 20 === 0 ? 'PUT' : i % 2 ? 'GET' : 'POST' }, i * 6000), st) ?? chosen;
    expect(chosen?.[0].known).toEqual(['GET', 'POST', 'PUT']);
  });
});
