import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../model/record.js';
import { addToWindow, bucketOf, countedFor, emptyWindow, FieldIndicators } from './window.js';

const rec = (fields: Record<string, unknown>): ParsedRecord => ({ source: 's', offset: 0, line: 1, ts: 0, tsFromRecord: true, raw: 'x', message: 'x', fields, truncated: false, templateId: 1, template: 'x', params: [], change: 'none' });

describe('monitored fields in a window', () => {
  it('buckets a number into ranges', () => {
    expect([0, 59.9, 60, 599, 600, 1e6].map((x) => bucketOf(x, [60, 600]))).toEqual(['<60', '<60', '60-600', '60-600', '>=600', '>=600']);
    expect(bucketOf(Number('abc'), [60])).toBe('(not a number)');
  });

  it('a whenPresent field counts only the records that carry it; otherwise a missing value is unknown', () => {
    const fields = [
      { field: 'status', known: ['sent'], whenPresent: true },
      { field: 'delay', known: ['<60'], buckets: [60, 600], whenPresent: true },
      { field: 'event', known: ['delivery'] },
    ];
    const ind = new FieldIndicators(fields);
    const w = emptyWindow(0, 60_000);
    for (const r of [{ event: 'delivery', status: 'sent', delay: 1.2 }, { event: 'delivery', status: 'deferred', delay: 700 }, { event: 'connect' }, {}]) addToWindow(w, rec(r), ind);
    expect(w.total).toBe(4);
    expect(w.fields.status).toMatchObject({ present: 2, unknown: 1, values: { deferred: 1 } });
    expect(w.fields.delay).toMatchObject({ present: 2, unknown: 1, values: { '>=600': 1 } });
    expect(w.fields.event).toMatchObject({ present: 4, unknown: 2, values: { connect: 1, '(missing)': 1 } });
    expect(fields.map((f) => countedFor(f, w))).toEqual([2, 2, 4]);
    expect(ind.unknownValue(fields[0], rec({}))).toBeUndefined();
    expect(ind.unknownValue(fields[2], rec({}))).toBe('(missing)');
  });

  it('a configured field counts nothing in a source that never carried it; once carried, a missing value is unknown', () => {
    const fields = [{ field: 'country', known: ['NL'] }];
    const plain = new FieldIndicators(fields);
    const w = emptyWindow(0, 60_000);
    for (let i = 0; i < 5; i++) addToWindow(w, rec({}), plain);
    expect(w.fields.country).toBeUndefined();
    expect(countedFor(fields[0], w)).toBe(0);
    const json = new FieldIndicators(fields);
    const v = emptyWindow(0, 60_000);
    for (const r of [{}, { country: 'NL' }, {}, { country: 'XX' }]) addToWindow(v, rec(r), json);
    // the first record came before the source showed the field: not counted
    expect(v.fields.country).toMatchObject({ present: 3, unknown: 2, values: { '(missing)': 1, XX: 1 } });
    expect(countedFor(fields[0], v)).toBe(3);
  });
});
