import { describe, expect, it } from 'vitest';
import { manifold } from '../../../test/helpers/manifold.js';
import type { ModelSnapshot } from '../model.js';
import { OneClassBoundary, restoreOneClass } from './one-class.js';

function trained(opts: ConstructorParameters<typeof OneClassBoundary>[0] = {}): OneClassBoundary {
  const m = new OneClassBoundary({ seed: 4, ...opts });
  for (const x of manifold(1000, 1)) m.learn(x);
  m.fit();
  return m;
}

const share = (xs: number[], f: (v: number) => boolean): number => xs.filter(f).length / xs.length;

describe('OneClassBoundary', () => {
  it('is not ready and scores 0 before its first fit', () => {
    const m = new OneClassBoundary();
    m.learn({ a: 1 });
    expect(m.ready()).toBe(false);
    expect(m.score({ a: 100 })).toBe(0);
    expect(m.explain({ a: 100 }, 3)).toEqual([]);
  });

  it('leaves about a share ν of its training inputs outside the boundary (score > 1)', () => {
    for (const nu of [0.05, 0.2]) {
      const m = trained({ nu });
      const outside = share(manifold(1000, 1).map((x) => m.score(x)), (s) => s > 1);
      expect(outside).toBeGreaterThan(nu / 2);
      expect(outside).toBeLessThan(nu * 1.6);
    }
  });

  it('puts inputs far from the training data outside, and ranks them by distance', () => {
    const m = trained();
    const near = manifold(200, 2).map((x) => m.score(x));
    const off = manifold(200, 3, 2).map((x) => m.score(x));
    const far = manifold(200, 3, 6).map((x) => m.score(x));
    expect(share(near, (s) => s > 1)).toBeLessThan(0.1);
    expect(share(off, (s) => s > 1)).toBeGreaterThan(0.7);
    expect(share(far, (s) => s > 1)).toBe(1);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(far)).toBeGreaterThan(mean(off));
    expect(Math.min(...near, ...off, ...far)).toBeGreaterThanOrEqual(0);
  });

  it('scores inputs beyond the training range outside, the more the farther (despite RFF noise)', () => {
    const m = trained();
    const [x] = manifold(1, 8);
    const scores = [3, 10, 30, 100, 1000].map((k) => m.score({ ...x, f2: k }));
    expect(scores[0]).toBeGreaterThan(1);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeGreaterThan(scores[i - 1]);
  });

  it('explains an outlier by the feature it moved', () => {
    const m = trained();
    const [x] = manifold(1, 5, 3, 'f6');
    expect(m.explain(x, 3)[0].feature).toBe('f6');
  });

  it('refits on its own every refitEvery learns, and restores exactly after growing', () => {
    const m = new OneClassBoundary({ refitEvery: 100, window: 300 });
    const xs = manifold(200, 1);
    xs.slice(0, 99).forEach((x) => m.learn(x));
    expect(m.ready()).toBe(false);
    m.learn(xs[99]);
    expect(m.ready()).toBe(true);
    xs.slice(100).forEach((x) => m.learn({ ...x, extra: x.f0 > 0 ? 1 : 0 }));
    const r = restoreOneClass(JSON.parse(JSON.stringify(m.snapshot())));
    for (const x of manifold(20, 7)) expect(r.score({ ...x, extra: 1 })).toBe(m.score({ ...x, extra: 1 }));
    expect(m.explain({ ...xs[0], extra: 30 }, 1)[0].feature).toBe('extra');
  });

  it('rejects a snapshot whose projection does not match its features', () => {
    const snap = JSON.parse(JSON.stringify(trained({ epochs: 1 }).snapshot())) as ModelSnapshot & {
      boundary: { omega: number[] };
    };
    snap.boundary.omega.push(0);
    expect(() => restoreOneClass(snap)).toThrow(/snapshot: bad boundary/);
  });
});
