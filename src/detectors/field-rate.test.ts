import { describe, expect, it } from 'vitest';
import type { MonitoredField } from '../config/schema.js';
import type { WindowAggregate } from '../features/window.js';
import { windowCtx } from '../../test/helpers/detector-harness.js';
import { binomialUpperSurprise, FieldRateDetector, type FieldRateOptions, type FieldRateState } from './field-rate.js';

const FIELD = 'httpRequest.country';
const OPTS: FieldRateOptions = { minCount: 5, priorRate: 0.01, priorRecords: 200, surpriseScale: 10, warmupIntervals: 3 };

/** The monitored fields arrive with the window context. */
const fieldsOf = (label?: string): MonitoredField[] => [{ field: FIELD, known: ['NL', 'DE'], label }];

function detector(opts: Partial<FieldRateOptions> = {}) {
  return new FieldRateDetector({ ...OPTS, ...opts });
}

/** A closed window of `total` records, `unknown` of them with country XX (and a few YY). */
function window(total: number, unknown: number): WindowAggregate {
  const yy = Math.min(2, unknown);
  return {
    start: 0,
    end: 60_000,
    total,
    templates: { '1': total },
    fields: { [FIELD]: { unknown, values: { XX: unknown - yy, ...(yy ? { YY: yy } : {}) }, sample: { raw: '{"country":"XX"}', line: 7, offset: 70 } } },
  };
}

const score = (d: FieldRateDetector, w: WindowAggregate, label?: string) => d.score(w, windowCtx(w, fieldsOf(label)));
const learn = (d: FieldRateDetector, w: WindowAggregate) => d.learn(w, windowCtx(w, fieldsOf()));
/** The detector's own state, as its snapshot carries it. */
const stateOf = (d: FieldRateDetector) => d.snapshot().state as FieldRateState;
const baseRate = (d: FieldRateDetector) => d.baseRate(stateOf(d), FIELD);

/** A detector that learned `n` normal windows of 1000 records with 1 % unknown. */
function trained(n = 5, opts: Partial<FieldRateOptions> = {}): FieldRateDetector {
  const d = detector(opts);
  for (let i = 0; i < n; i++) learn(d, window(1000, 10));
  return d;
}

describe('binomialUpperSurprise', () => {
  it('is 0 at or below the base rate and for empty windows', () => {
    expect(binomialUpperSurprise(10, 1000, 0.01)).toBe(0);
    expect(binomialUpperSurprise(3, 1000, 0.01)).toBe(0);
    expect(binomialUpperSurprise(0, 1000, 0.01)).toBe(0);
    expect(binomialUpperSurprise(5, 0, 0.01)).toBe(0);
  });

  it('grows with k', () => {
    const s = [11, 20, 50, 90, 100].map((k) => binomialUpperSurprise(k, 100, 0.1));
    expect(s[0]).toBeGreaterThan(0);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
  });

  it('is exact when every record is unknown: -log10(p^n)', () => {
    expect(binomialUpperSurprise(10, 10, 0.1)).toBeCloseTo(10, 9);
    expect(binomialUpperSurprise(3, 3, 0.01)).toBeCloseTo(6, 9);
  });

  it('stays finite for a base rate of 0', () => {
    const s = binomialUpperSurprise(5, 100, 0);
    expect(Number.isFinite(s)).toBe(true);
    expect(s).toBeGreaterThan(10);
  });
});

describe('FieldRateDetector', () => {
  it('reports nothing during warm-up', () => {
    const d = trained(2);
    expect(stateOf(d).windows).toBe(2);
    expect(d.ready()).toBe(false);
    expect(score(d, window(100, 90))).toEqual([]);
    learn(d, window(1000, 10));
    expect(d.ready()).toBe(true);
    expect(score(d, window(100, 90))).toHaveLength(1);
  });

  it('reports nothing for a normal window and only a tiny grade just above the base rate', () => {
    const d = trained();
    expect(score(d, window(1000, 8))).toEqual([]);
    expect(score(d, window(0, 0))).toEqual([]);
    const [slightly] = score(d, window(1000, 13));
    expect(slightly.grade).toBeGreaterThan(0);
    expect(slightly.grade).toBeLessThan(0.1);
  });

  it('ignores fewer than minCount unknown values, however high the share', () => {
    expect(score(trained(), window(4, 4))).toEqual([]);
    expect(score(trained(5, { minCount: 4 }), window(4, 4))).toHaveLength(1);
  });

  it('monitors only the fields given in the context', () => {
    const d = trained();
    const w = window(100, 90);
    expect(d.score(w, windowCtx(w, []))).toEqual([]);
    expect(d.score(w, windowCtx(w, fieldsOf()))).toHaveLength(1);
  });

  it('flags a window where 90 of 100 records are unknown, naming the field', () => {
    const d = trained();
    const [f, ...rest] = score(d, window(100, 90));
    expect(rest).toEqual([]);
    expect(f.detector).toBe('field-rate');
    expect(f.grade).toBeGreaterThanOrEqual(0.9);
    expect(f.grade).toBeLessThan(1);
    expect(f.reason).toContain(FIELD);
    expect(f.reason).toContain('90 of 100');
    expect(f.reason).toContain('XX×88');
    expect(f.explain).toMatchObject({ field: FIELD, unknown: 90, total: 100, rate: 0.9, values: { XX: 88, YY: 2 }, known: ['NL', 'DE'], sample: { line: 7 } });
    expect(f.explain.expectedRate as number).toBeCloseTo(0.01, 6);
  });

  it('uses the label in the reason when given', () => {
    const [f] = score(trained(), window(100, 90), 'Country');
    expect(f.reason.startsWith('Country: ')).toBe(true);
  });

  it('learn moves the base rate from the prior towards what it sees', () => {
    const d = detector();
    expect(baseRate(d)).toBeCloseTo(0.01, 12);
    learn(d, window(100, 50));
    expect(stateOf(d).windows).toBe(1);
    expect(stateOf(d).base[FIELD]).toEqual({ unknown: 50, total: 100 });
    expect(baseRate(d)).toBeCloseTo(52 / 300, 12);
    learn(d, window(100, 50));
    expect(baseRate(d)).toBeCloseTo((50 * 0.995 + 50 + 2) / (100 * 0.995 + 100 + 200), 12);
  });

  it('a higher learned base rate lowers the grade of the same window', () => {
    const low = trained();
    const high = detector();
    for (let i = 0; i < 5; i++) learn(high, window(1000, 300));
    const gLow = score(low, window(100, 50))[0].grade;
    const gHigh = score(high, window(100, 50))[0].grade;
    expect(gHigh).toBeLessThan(gLow);
  });

  it('state round-trips through its JSON snapshot with identical scores', () => {
    const d = trained();
    learn(d, window(500, 17));
    const snap = d.snapshot();
    const copy = detector();
    copy.restore(JSON.parse(JSON.stringify(snap)));
    expect(copy.snapshot()).toEqual(snap);
    for (const w of [window(100, 90), window(1000, 40), window(1000, 5)]) expect(score(copy, w)).toEqual(score(d, w));
    expect(() => copy.restore({ ...snap, kind: 'other' })).toThrow(/kind/);
    expect(() => copy.restore({ ...snap, version: 99 })).toThrow(/version/);
  });

  it('score is pure', () => {
    const d = trained();
    const before = JSON.stringify(d.snapshot());
    score(d, window(100, 90));
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });
});
