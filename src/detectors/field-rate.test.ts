import { describe, expect, it } from 'vitest';
import type { MonitoredField } from '../config/schema.js';
import type { WindowAggregate } from '../features/window.js';
import { windowCtx } from '../../test/helpers/detector-harness.js';
import { Rng } from '../util/rng.js';
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
    fields: { [FIELD]: { unknown, present: total, values: { XX: unknown - yy, ...(yy ? { YY: yy } : {}) }, sample: { raw: '{"country":"XX"}', line: 7, offset: 70 } } },
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
    learn(d, window(100, 3));
    expect(stateOf(d).windows).toBe(1);
    expect(stateOf(d).base[FIELD]).toMatchObject({ unknown: 3, total: 100, windows: 1 });
    expect(baseRate(d)).toBeCloseTo(5 / 300, 12);
    learn(d, window(100, 3));
    expect(baseRate(d)).toBeCloseTo((3 * 0.995 + 3 + 2) / (100 * 0.995 + 100 + 200), 12);
  });

  it('a window learned as normal moves the base rate only by a plausible count', () => {
    const d = detector();
    learn(d, window(100, 50));
    const k = stateOf(d).base[FIELD].unknown;
    // capped where the surprise reaches half the threshold's (10·0.7/0.3/2 ≈ 11.7 at 1 %)
    expect(k).toBeLessThan(50);
    expect(binomialUpperSurprise(k, 100, 0.01)).toBeLessThanOrEqual((10 * 0.7) / 0.3 / 2);
    expect(binomialUpperSurprise(k + 1, 100, 0.01)).toBeGreaterThan((10 * 0.7) / 0.3 / 2);
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

describe('FieldRateDetector scales', () => {
  const SCALED: Partial<FieldRateOptions> = { scales: [1, 5, 15], threshold: 0.7, warmupIntervals: 0 };
  /** A 1-minute window starting at minute `m`. */
  const minute = (m: number, total: number, unknown: number): WindowAggregate => ({ ...window(total, unknown), start: m * 60_000, end: (m + 1) * 60_000 });
  /** Tracks, scores and (when normal) learns each window as the pipeline does; returns the findings at the threshold. */
  function run(d: FieldRateDetector, ws: WindowAggregate[]) {
    const found: Array<{ end: number; scale: number; start: number }> = [];
    for (const w of ws) {
      const ctx = windowCtx(w, fieldsOf());
      d.track(w, ctx);
      const fs = d.score(w, ctx).filter((f) => f.grade >= 0.7);
      for (const f of fs) found.push({ end: w.end, scale: f.explain.scale as number, start: (f.explain.window as { start: number } | undefined)?.start ?? w.start });
      if (fs.length === 0) d.learn(w, ctx);
    }
    return found;
  }

  it('a low-volume source: 9 of 10 unknown is not enough in 1 minute, the 5-minute window reports it within 5 minutes', () => {
    const d = detector(SCALED);
    const ws = Array.from({ length: 60 }, (_, m) => minute(m, 10, 0));
    for (let m = 41; m < 46; m++) ws[m] = minute(m, 10, 9);
    const found = run(d, ws);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.scale === 5)).toBe(true);
    // the period starts at minute 41: the sliding 5-minute window 38-43 reports it, 2 minutes in
    expect(found[0]).toEqual({ end: 43 * 60_000, scale: 5, start: 38 * 60_000 });
  });

  it('a high-volume source reports at 1 minute, and the grade is corrected for the scales', () => {
    const one = detector({ ...SCALED, scales: [1] });
    const three = detector(SCALED);
    const ws = Array.from({ length: 20 }, (_, m) => minute(m, 1000, 10));
    ws[19] = minute(19, 1000, 60);
    run(one, ws.slice(0, 19));
    run(three, ws.slice(0, 19));
    const last = ws[19];
    three.track(last, windowCtx(last, fieldsOf()));
    const g1 = one.score(last, windowCtx(last, fieldsOf()))[0];
    const g3 = three.score(last, windowCtx(last, fieldsOf()))[0];
    expect(g3.explain.scale).toBe(1);
    // same window, three tests: the surprise is lower by log10(3), once each is scaled by how sure its base
    // rate is (N / (n + N), N its learned records and the prior's; the three-scale detector folds windows
    // only once they left its largest scale, so it has learned fewer)
    const sure = (d: FieldRateDetector) => {
      const N = stateOf(d).base[FIELD].total + OPTS.priorRecords;
      return N / (1000 + N);
    };
    const s1 = (g1.explain.surprise as number) / sure(one);
    const s3 = ((g3.explain.surprise as number) + Math.log10(3)) / sure(three);
    expect(s3).toBeCloseTo(s1, 6);
  });

  it('normal low-volume windows never alarm at any scale', () => {
    const d = detector(SCALED);
    const r = new Rng(5);
    const ws = Array.from({ length: 240 }, (_, m) => minute(m, 10, r.next() < 0.1 ? 1 : 0));
    expect(run(d, ws)).toEqual([]);
  });

  it('a reported period is not echoed by the larger scales judged after it', () => {
    const d = detector(SCALED);
    // 100 records a minute: the 1-minute scale reports the 3-minute burst at 61-63 by itself
    const ws = Array.from({ length: 90 }, (_, m) => minute(m, 100, 0));
    for (let m = 61; m < 64; m++) ws[m] = minute(m, 100, 60);
    const found = run(d, ws);
    expect(found.map((f) => f.end / 60_000)).toEqual([62, 63, 64]);
    expect(found.every((f) => f.scale === 1)).toBe(true);
  });

  it('from the second day, the base rate of an hour blends that hour of day with the overall rate', () => {
    const HOUR = 60 * 60_000;
    const d = detector({ ...SCALED, scales: [1] });
    // hourly windows for two days: 200 records with 16 unknown (8 %) in the night hours 0-5, 2000 with 10 by day
    const ws: WindowAggregate[] = [];
    for (let h = 0; h < 48; h++) {
      const night = h % 24 < 6;
      ws.push({ ...window(night ? 200 : 2000, night ? 16 : 10), start: h * HOUR, end: (h + 1) * HOUR });
    }
    expect(run(d, ws.slice(0, 24))).toEqual([]);
    // day 1: one overall rate
    expect(d.rateAt(stateOf(d), FIELD, 0.01, 2 * HOUR)).toBe(baseRate(d));
    expect(run(d, ws.slice(24))).toEqual([]);
    const overall = baseRate(d);
    expect(d.rateAt(stateOf(d), FIELD, 0.01, 50 * HOUR)).toBeGreaterThan(3 * overall);
    expect(d.rateAt(stateOf(d), FIELD, 0.01, 60 * HOUR)).toBeLessThan(overall);
    // day 3: 40 of 200 unknown is an ordinary night's share doubled, but 20 times a day's
    const at = (h: number): WindowAggregate => ({ ...window(200, 40), start: h * HOUR, end: (h + 1) * HOUR });
    const grade = (w: WindowAggregate) => {
      d.track(w, windowCtx(w, fieldsOf()));
      return score(d, w)[0]?.grade ?? 0;
    };
    expect(grade(at(50))).toBeLessThan(0.7);
    expect(grade(at(60))).toBeGreaterThanOrEqual(0.7);
  });

  it('windows inside an anomalous larger-scale window are not learned', () => {
    const d = detector(SCALED);
    const ws = Array.from({ length: 60 }, (_, m) => minute(m, 10, 0));
    for (let m = 41; m < 46; m++) ws[m] = minute(m, 10, 9);
    run(d, ws);
    const b = stateOf(d).base[FIELD];
    expect(b.unknown).toBe(0);
  });
});
