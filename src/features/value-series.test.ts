import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../model/record.js';
import { TOP_VALUES, ValueTally } from './value-series.js';
import { addToWindow, emptyWindow, FieldIndicators } from './window.js';

const rec = (fields: Record<string, unknown>): ParsedRecord => ({ source: 's', offset: 0, line: 1, ts: 0, tsFromRecord: true, raw: 'x', message: 'x', fields, truncated: false, templateId: 1, template: 'x', params: [], change: 'none' });

describe('value series', () => {
  const ind = new FieldIndicators([{ field: 'action', known: ['ALLOW'] }]);

  it('counts every value of a monitored field, known or not, and charts the most common ones', () => {
    const w = emptyWindow(0, 1000);
    for (let i = 0; i < 7; i++) addToWindow(w, rec({ action: 'ALLOW' }), ind);
    for (let i = 0; i < 3; i++) addToWindow(w, rec({ action: 'BLOCK' }), ind);
    addToWindow(w, rec({}), ind);
    expect(w.fields.action.counts).toEqual({ ALLOW: 7, BLOCK: 3, '(missing)': 1 });
    expect(w.fields.action.unknown).toBe(4);
    const rows = new ValueTally().rows('waf', w);
    expect(rows).toEqual([
      { source: 'waf', key: 'value:action=ALLOW', start: 0, value: 7 },
      { source: 'waf', key: 'value:action=BLOCK', start: 0, value: 3 },
      { source: 'waf', key: 'value:action=(missing)', start: 0, value: 1 },
    ]);
  });

  it('keeps at most TOP_VALUES values per field, by running total, with 0 for a top value absent from a window', () => {
    const t = new ValueTally();
    const w1 = emptyWindow(0, 1000);
    for (let v = 0; v < 15; v++) for (let i = 0; i <= v; i++) addToWindow(w1, rec({ action: `v${v}` }), ind);
    const r1 = t.rows('s', w1);
    expect(r1).toHaveLength(TOP_VALUES);
    expect(r1[0]).toMatchObject({ key: 'value:action=v14', value: 15 });
    const w2 = emptyWindow(1000, 1000);
    addToWindow(w2, rec({ action: 'v0' }), ind);
    const r2 = t.rows('s', w2);
    expect(r2).toHaveLength(TOP_VALUES);
    expect(r2.find((r) => r.key === 'value:action=v14')!.value).toBe(0);
    expect(r2.some((r) => r.key === 'value:action=v0')).toBe(false);
  });
});
