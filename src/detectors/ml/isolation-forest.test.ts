import { describe, expect, it } from 'vitest';
import { Rng } from '../../util/rng.js';
import type { Features } from '../model.js';
import { averagePathLength, IsolationForest, restoreIsolationForest } from './isolation-forest.js';

/** n points of a 2-d normal cloud around the origin, seeded. */
function cloud(n: number, seed = 1): Features[] {
  const r = new Rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  return Array.from({ length: n }, () => ({ a: normal(), b: normal() }));
}

function trained(xs: Features[], opts: Partial<ConstructorParameters<typeof IsolationForest>[0]> = {}): IsolationForest {
  const m = new IsolationForest({ seed: 3, ...opts });
  for (const x of xs) m.learn(x);
  m.fit();
  return m;
}

describe('IsolationForest', () => {
  it('c(n) is the average unsuccessful-search path length of the paper', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
  });

  it('scores 0 and is not ready before the first fit; then scores in (0, 1)', () => {
    const m = new IsolationForest({ seed: 1 });
    for (const x of cloud(300)) m.learn(x);
    expect(m.ready()).toBe(false);
    expect(m.score({ a: 50 })).toBe(0);
    expect(m.explain({ a: 50 }, 3)).toEqual([]);
    m.fit();
    expect(m.ready()).toBe(true);
    for (const x of cloud(200, 9)) {
      const s = m.score(x);
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThan(1);
    }
  });

  it('a learned outlier scores above every inlier, and an inlier near 0.5 or below', () => {
    const xs = cloud(511);
    const m = trained([...xs, { a: 9, b: -9 }]);
    const inliers = xs.map((x) => m.score(x));
    const outlier = m.score({ a: 9, b: -9 });
    expect(outlier).toBeGreaterThan(0.7);
    expect(outlier).toBeGreaterThan(Math.max(...inliers));
    expect(m.score({ a: 0, b: 0 })).toBeLessThan(0.5);
  });

  it('explains an outlier by the feature that isolates it', () => {
    const r = new Rng(4);
    const xs: Features[] = Array.from({ length: 400 }, () => ({ a: r.next(), b: r.next(), c: r.next() }));
    const m = trained([...xs, { a: 0.5, b: 40, c: 0.5 }]);
    const why = m.explain({ a: 0.5, b: 40, c: 0.5 }, 2);
    expect(why[0].feature).toBe('b');
    expect(why[0].weight).toBeGreaterThan(why[1]?.weight ?? 0);
    expect(m.explain({ a: 0.5, b: 40, c: 0.5 }, 0)).toEqual([]);
  });

  it('ignores features it never split on, and treats missing and non-finite values as 0', () => {
    const m = trained(cloud(300));
    expect(m.score({ a: 1, b: 1, brandNew: 99 })).toBe(m.score({ a: 1, b: 1 }));
    expect(m.score({ a: 1 })).toBe(m.score({ a: 1, b: 0 }));
    expect(m.score({ a: 1, b: NaN })).toBe(m.score({ a: 1, b: 0 }));
    // A name first learned after the fit is not in the trees until the next fit.
    m.learn({ a: 0, b: 0, later: 1 });
    expect(m.score({ a: 1, b: 1, later: 5 })).toBe(m.score({ a: 1, b: 1 }));
  });

  it('refits by itself every refitEvery learns, and only on fit() with refitEvery 0', () => {
    const xs = cloud(250);
    const auto = new IsolationForest({ seed: 1, window: 100, refitEvery: 50 });
    xs.slice(0, 49).forEach((x) => auto.learn(x));
    expect(auto.ready()).toBe(false);
    auto.learn(xs[49]);
    expect(auto.ready()).toBe(true);
    expect(auto.generation).toBe(1);
    xs.slice(50).forEach((x) => auto.learn(x));
    expect(auto.generation).toBe(5);
    expect(auto.windowSize).toBe(100);

    const manual = new IsolationForest({ seed: 1, window: 100, refitEvery: 0 });
    xs.forEach((x) => manual.learn(x));
    expect(manual.generation).toBe(0);
    manual.fit();
    expect(manual.generation).toBe(1);
  });

  it('fits on the sliding window only: after a level change, the old level is the outlier', () => {
    const r = new Rng(5);
    const m = new IsolationForest({ seed: 2, window: 200, refitEvery: 0 });
    for (let i = 0; i < 600; i++) m.learn({ v: (i < 400 ? 0 : 100) + r.next() });
    m.fit();
    expect(m.score({ v: 0.5 })).toBeGreaterThan(m.score({ v: 100.5 }) + 0.1);
  });

  it('the seed decides the trees: same seed same scores, another seed other scores', () => {
    const xs = cloud(300);
    const probe = cloud(20, 7);
    const a = trained(xs, { seed: 1 });
    const b = trained(xs, { seed: 1 });
    const c = trained(xs, { seed: 2 });
    expect(probe.map((x) => b.score(x))).toEqual(probe.map((x) => a.score(x)));
    expect(probe.map((x) => c.score(x))).not.toEqual(probe.map((x) => a.score(x)));
  });

  it('needs two inputs to fit, and rejects bad options and corrupt snapshots', () => {
    const m = new IsolationForest({ seed: 1 });
    m.learn({ a: 1 });
    m.fit();
    expect(m.ready()).toBe(false);
    expect(() => new IsolationForest({ seed: 1, trees: 0 })).toThrow(RangeError);
    expect(() => new IsolationForest({ seed: 1, sampleSize: 1.5 })).toThrow(RangeError);
    expect(() => restoreIsolationForest({ kind: 'isolation-forest', version: 1 })).toThrow(/missing fields/);
    expect(() => restoreIsolationForest({ kind: 'isolation-forest', version: 99 })).toThrow(/version/);
    const good = JSON.parse(JSON.stringify(trained(cloud(50)).snapshot())) as { forest: { roots: number[] } };
    expect(() => restoreIsolationForest(good)).not.toThrow();
    good.forest.roots[3] = 1e6;
    expect(() => restoreIsolationForest(good)).toThrow(/inconsistent trees/);
  });
});
