import { describe, expect, it } from 'vitest';
import type { WindowAggregate } from '../features/window.js';
import { binomialUpperSurprise, FieldRateDetector, newFieldRateState, type FieldRateOptions, type FieldRateState } from './field-rate.js';

const FIELD = 'httpRequest.country';
const OPTS: FieldRateOptions = { minCount: 5, priorRate: 0.01, priorRecords: 200, surpriseScale: 10, warmupIntervals: 3 };

function detector(opts: Partial<FieldRateOptions> = {}, label?: string) {
  return new FieldRateDetector([{ field: FIELD, known: ['NL', 'DE'], label }], { ...OPTS, ...opts });
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

/** State after learning `n` normal windows of 1000 records with 1 % unknown. */
function trained(d: FieldRateDetector, n = 5): FieldRateState {
  const st = newFieldRateState();
  for (let i = 0; i < n; i++) d.learn(window(1000, 10), st);
  return st;
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
    const d = detector();
    const st = trained(d, 2);
    expect(st.windows).toBe(2);
    expect(d.score(window(100, 90), st)).toEqual([]);
    d.learn(window(1000, 10), st);
    expect(d.score(window(100, 90), st)).toHaveLength(1);
  });

  it('reports nothing for a normal window and only a tiny grade just above the base rate', () => {
    const d = detector();
    const st = trained(d);
    expect(d.score(window(1000, 8), st)).toEqual([]);
    expect(d.score(window(0, 0), st)).toEqual([]);
    const [slightly] = d.score(window(1000, 13), st);
    expect(slightly.grade).toBeGreaterThan(0);
    expect(slightly.grade).toBeLessThan(0.1);
  });

  it('ignores fewer than minCount unknown values, however high the share', () => {
    const st = trained(detector());
    expect(detector().score(window(4, 4), st)).toEqual([]);
    expect(detector({ minCount: 4 }).score(window(4, 4), st)).toHaveLength(1);
  });

  it('flags a window where 90 of 100 records are unknown, naming the field', () => {
    const d = detector();
    const st = trained(d);
    const [f, ...rest] = d.score(window(100, 90), st);
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
    const d = detector({}, 'Country');
    const [f] = d.score(window(100, 90), trained(d));
    expect(f.reason.startsWith('Country: ')).toBe(true);
  });

  it('learn moves the base rate from the prior towards what it sees', () => {
    const d = detector();
    const st = newFieldRateState();
    expect(d.baseRate(st, FIELD)).toBeCloseTo(0.01, 12);
    d.learn(window(100, 50), st);
    expect(st.windows).toBe(1);
    expect(st.base[FIELD]).toEqual({ unknown: 50, total: 100 });
    expect(d.baseRate(st, FIELD)).toBeCloseTo(52 / 300, 12);
    d.learn(window(100, 50), st);
    expect(d.baseRate(st, FIELD)).toBeCloseTo((50 * 0.995 + 50 + 2) / (100 * 0.995 + 100 + 200), 12);
  });

  it('a higher learned base rate lowers the grade of the same window', () => {
    const d = detector();
    const low = trained(d);
    const high = newFieldRateState();
    for (let i = 0; i < 5; i++) d.learn(window(1000, 300), high);
    const gLow = d.score(window(100, 50), low)[0].grade;
    const gHigh = d.score(window(100, 50), high)[0].grade;
    expect(gHigh).toBeLessThan(gLow);
  });

  it('state round-trips through JSON with identical scores', () => {
    const d = detector();
    const st = trained(d);
    d.learn(window(500, 17), st);
    const copy = JSON.parse(JSON.stringify(st)) as FieldRateState;
    expect(copy).toEqual(st);
    for (const w of [window(100, 90), window(1000, 40), window(1000, 5)]) expect(d.score(w, copy)).toEqual(d.score(w, st));
  });

  it('score is pure', () => {
    const d = detector();
    const st = trained(d);
    const before = JSON.stringify(st);
    d.score(window(100, 90), st);
    expect(JSON.stringify(st)).toBe(before);
  });
});
