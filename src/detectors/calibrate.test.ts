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

  it('needs at least 1/alarmRate scores before it grades, whatever the configured warm-up', () => {
    const c = new Calibrator({ threshold: 0.7, alarmRate: 0.001, warmup: 10 });
    for (let i = 0; i < 999; i++) c.observe(i % 10);
    expect(c.grade(100)).toBe(0);
    c.observe(5);
    expect(c.grade(100)).toBeGreaterThan(0.7);
    const zero = new Calibrator({ threshold: 0.7, alarmRate: 0, warmup: 10 });
    for (let i = 0; i < 10; i++) zero.observe(i);
    expect(zero.grade(100)).toBeGreaterThan(0.7);
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
