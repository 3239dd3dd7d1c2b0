import { describe, expect, it } from 'vitest';
import { Rng } from '../util/rng.js';
import { Calibrator } from './calibrate.js';

const OPTS = { threshold: 0.7, alarmRate: 0.01, warmup: 100 };

function history(n: number, seed = 1): Calibrator {
  const c = new Calibrator(OPTS);
  const r = new Rng(seed);
  for (let i = 0; i < n; i++) c.observe(r.exponential(1));
  return c;
}

describe('Calibrator', () => {
  it('grades 0 during warm-up', () => {
    const c = history(99);
    expect(c.grade(100)).toBe(0);
    c.observe(1);
    expect(c.grade(100)).toBeGreaterThan(0.7);
  });

  it('grades short histories: a score just beyond all of them alarms only once the sample is big enough for the alarm rate', () => {
    // scores 1..n: the top one is beyond all but none of the others
    const linear = (n: number, alarmRate: number) => {
      const c = new Calibrator({ threshold: 0.7, alarmRate, warmup: 30 });
      for (let i = 1; i <= n; i++) c.observe(i);
      return c;
    };
    const short = linear(30, 0.01);
    // grades exist after a few dozen scores
    expect(short.grade(27)).toBeGreaterThan(0);
    expect(short.grade(27)).toBeLessThan(0.7);
    // just beyond all 30 (beyond the sketch's 2 % buckets): the rank says p ≤ 1/31, not ≤ 1 %, and the tail fit does not say it either
    expect(short.pValue(32)).toBeLessThanOrEqual(1 / 31);
    expect(short.grade(32)).toBeLessThan(0.7);
    // just beyond 99: p ≤ 1/100 = alarmRate
    expect(linear(99, 0.01).grade(103)).toBeGreaterThanOrEqual(0.7);
    expect(linear(98, 0.01).grade(102)).toBeLessThan(0.7);
    // a 0.1 % tail: just beyond 999 scores by the rank alone; far beyond a short history by its fitted tail
    expect(linear(500, 0.001).grade(520)).toBeLessThan(0.7);
    expect(linear(999, 0.001).grade(1030)).toBeGreaterThanOrEqual(0.7);
    expect(linear(30, 0.001).grade(100)).toBeGreaterThanOrEqual(0.7);
    // below the configured warm-up nothing is graded
    const cold = linear(29, 0.01);
    expect(cold.warm()).toBe(false);
    expect(cold.grade(1000)).toBe(0);
  });

  it('extrapolates a short exponential history with a tail that is rarely narrower than the truth', () => {
    const opts = { threshold: 0.7, alarmRate: 0.001, warmup: 30 };
    const boundaries: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const c = new Calibrator(opts);
      const r = new Rng(seed);
      for (let i = 0; i < 50; i++) c.observe(r.exponential(1));
      boundaries.push(c.boundaryScore());
      expect(c.grade(c.boundaryScore() * 1.03)).toBeGreaterThanOrEqual(0.7);
      expect(c.grade(c.boundaryScore() * 0.97)).toBeLessThan(0.7);
    }
    // exponential(1): P(X > 6.9) = 0.001. The fitted tail is an upper confidence bound: most samples of 50
    // put the boundary beyond the true one, the few below it not far
    const below = boundaries.filter((b) => b < 6.9);
    expect(below.length / boundaries.length).toBeLessThanOrEqual(0.1);
    expect(Math.min(...boundaries)).toBeGreaterThan(4);
  });

  it('is a conformal p-value: (1 + scores at or above) / (n + 1)', () => {
    const c = new Calibrator(OPTS);
    // values far apart: each in its own sketch bucket
    for (let i = 0; i < 200; i++) c.observe(1.1 ** i);
    expect(c.pValue(1.1 ** 150)).toBeCloseTo(51 / 201, 9);
    expect(c.pValue(1.1 ** 199)).toBeCloseTo(2 / 201, 9);
    expect(c.pValue(0)).toBe(1);
  });

  it('never alarms on the scores it was calibrated on, however alike they are (train → detect)', () => {
    // a record model scoring most inputs alike: 18,000 copies of one score (the sketch rounds them to a bucket value below it)
    for (const alarmRate of [0, 0.001, 0.01]) {
      const c = new Calibrator({ threshold: 0.7, alarmRate, warmup: 100 });
      for (let i = 0; i < 18_000; i++) c.observe(0.4939947440136692);
      expect(c.grade(0.4939947440136692)).toBe(0);
      // within the sketch's resolution it is still the same score
      expect(c.grade(0.4939947440136692 * 1.004)).toBeLessThan(0.7);
      expect(c.boundaryScore()).toBeGreaterThan(0.4939947440136692);
      expect(c.grade(0.6)).toBeGreaterThanOrEqual(0.7);
    }
  });

  it('puts the threshold at the (1 - alarmRate) quantile of its history', () => {
    const c = history(20_000);
    // exponential(1): the 99th percentile is ln(100) ≈ 4.6
    expect(c.boundaryScore()).toBeGreaterThan(4.3);
    expect(c.boundaryScore()).toBeLessThan(4.9);
    expect(c.grade(4.0)).toBeLessThan(0.7);
    expect(c.grade(5.5)).toBeGreaterThan(0.7);
    expect(c.grade(0.3)).toBe(0);
  });

  it('flags about alarmRate of fresh scores from the same distribution', () => {
    const c = history(20_000, 1);
    const r = new Rng(2);
    let flagged = 0;
    for (let i = 0; i < 20_000; i++) if (c.grade(r.exponential(1)) >= 0.7) flagged++;
    expect(flagged / 20_000).toBeGreaterThan(0.005);
    expect(flagged / 20_000).toBeLessThan(0.02);
  });

  it('is monotone and stays within 0..1', () => {
    const c = history(5000);
    let prev = -1;
    for (let s = 0; s < 50; s += 0.25) {
      const g = c.grade(s);
      expect(g).toBeGreaterThanOrEqual(prev);
      expect(g).toBeLessThanOrEqual(1);
      prev = g;
    }
  });

  it('round-trips through its snapshot', () => {
    const c = history(3000);
    const r = Calibrator.restore(JSON.parse(JSON.stringify(c.snapshot())), OPTS);
    for (const s of [0, 1, 2, 4, 6, 10]) expect(r.grade(s)).toBeCloseTo(c.grade(s), 9);
    expect(() => Calibrator.restore({ kind: 'x' } as never, OPTS)).toThrow(/snapshot/);
  });

  it('grades any positive score as anomalous when history is all zeros', () => {
    const c = new Calibrator(OPTS);
    for (let i = 0; i < 1000; i++) c.observe(0);
    expect(c.grade(0)).toBe(0);
    expect(c.grade(0.5)).toBeGreaterThan(0.7);
  });
});
