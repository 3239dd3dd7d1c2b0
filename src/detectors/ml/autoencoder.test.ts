import { describe, expect, it } from 'vitest';
import { auc } from '../../../test/helpers/conformance.js';
import { manifold } from '../../../test/helpers/manifold.js';
import type { ModelSnapshot } from '../model.js';
import { Autoencoder, restoreAutoencoder } from './autoencoder.js';

function trained(opts: ConstructorParameters<typeof Autoencoder>[0] = {}): Autoencoder {
  const m = new Autoencoder({ seed: 4, epochs: 20, ...opts });
  for (const x of manifold(600, 1)) m.learn(x);
  m.fit();
  return m;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Autoencoder', () => {
  it('is not ready and scores 0 before its first fit; a fit on an empty window does nothing', () => {
    const m = new Autoencoder();
    m.fit();
    expect(m.ready()).toBe(false);
    m.learn({ a: 1 });
    expect(m.score({ a: 100 })).toBe(0);
    expect(m.explain({ a: 100 }, 3)).toEqual([]);
    m.fit();
    expect(m.ready()).toBe(true);
  });

  it('reconstructs training-like inputs better than inputs off the training plane', () => {
    const m = trained();
    const like = manifold(200, 2).map((x) => m.score(x));
    const off = manifold(200, 3, 1.5).map((x) => m.score(x));
    expect(mean(off)).toBeGreaterThan(3 * mean(like));
    expect(auc([...like, ...off], [...like.map(() => false), ...off.map(() => true)])).toBeGreaterThan(0.9);
  });

  it('training lowers the reconstruction error of the training data', () => {
    const one = trained({ epochs: 1 });
    const many = trained({ epochs: 30 });
    const xs = manifold(200, 2);
    expect(mean(xs.map((x) => many.score(x)))).toBeLessThan(0.5 * mean(xs.map((x) => one.score(x))));
  });

  it('explains an outlier by the feature it moved', () => {
    const m = trained();
    const [x] = manifold(1, 5, 4, 'f6');
    const why = m.explain(x, 3);
    expect(why[0].feature).toBe('f6');
    expect(why[0].weight).toBeGreaterThan(why[1].weight);
  });

  it('refits on its own every refitEvery learns, on the last `window` inputs', () => {
    const m = new Autoencoder({ refitEvery: 50, window: 80, epochs: 2 });
    const xs = manifold(120, 1);
    xs.slice(0, 49).forEach((x) => m.learn(x));
    expect(m.ready()).toBe(false);
    m.learn(xs[49]);
    expect(m.ready()).toBe(true);
    const fitted = m.score(xs[0]);
    xs.slice(50, 99).forEach((x) => m.learn(x));
    expect(m.score(xs[0])).toBe(fitted);
    m.learn(xs[99]);
    expect(m.score(xs[0])).not.toBe(fitted);
    const snap = m.snapshot() as unknown as { window: { items: unknown[]; sinceFit: number }; fits: number };
    expect(snap.window.items).toHaveLength(80);
    expect(snap.window.sinceFit).toBe(0);
    expect(snap.fits).toBe(2);
  });

  it('grows with features that appear after its first fit, keeping what it learned', () => {
    const m = trained();
    const x = manifold(1, 9)[0];
    const before = m.score(x);
    for (const y of manifold(100, 6)) m.learn({ ...y, extra: 1 });
    m.fit();
    expect(m.explain({ ...x, extra: 1 }, 9).map((c) => c.feature)).toContain('extra');
    // the new feature at its usual value barely matters; far from it, it dominates
    expect(m.score({ ...x, extra: 50 })).toBeGreaterThan(10 * m.score({ ...x, extra: 1 }));
    expect(Number.isFinite(before)).toBe(true);
    const r = restoreAutoencoder(JSON.parse(JSON.stringify(m.snapshot())));
    expect(r.score({ ...x, extra: 3 })).toBe(m.score({ ...x, extra: 3 }));
  });

  it('drops non-finite values when learning, and counts them', () => {
    const m = trained();
    m.learn({ f0: Number.NaN, f1: 1, f2: Infinity });
    const snap = m.snapshot() as unknown as { window: { invalidValues: number; items: [string, number][][] } };
    expect(snap.window.invalidValues).toBe(2);
    expect(snap.window.items.at(-1)).toEqual([['f1', 1]]);
  });

  it('rejects a snapshot whose weights do not match its features', () => {
    const snap = JSON.parse(JSON.stringify(trained({ epochs: 1 }).snapshot())) as ModelSnapshot & {
      params: { out: { w: number[] } };
    };
    snap.params.out.w.pop();
    expect(() => restoreAutoencoder(snap)).toThrow(/snapshot: bad parameter out/);
  });
});
