import { describe, expect, it } from 'vitest';
import type { WindowAggregate } from '../features/window.js';
import { Rng } from '../util/rng.js';
import { NO_FIELDS, window } from '../../test/helpers/detector-harness.js';
import { CalibratedDetector, topFeatures } from './calibrated.js';
import type { WindowContext } from './contract.js';
import { IsolationForest, restoreIsolationForest } from './ml/isolation-forest.js';
import type { Features } from './model.js';

const CAL = { threshold: 0.7, alarmRate: 0.01, warmup: 50 };

/** An Isolation Forest behind the calibration wrapper, fed a window context's feature vector. */
function forest(o: { seed?: number; cacheKey?: boolean } = {}) {
  return new CalibratedDetector<'window', Features>({
    name: 'forest',
    scope: 'window',
    calibration: CAL,
    make: () => new IsolationForest({ seed: o.seed ?? 1, trees: 50, refitEvery: 0 }),
    restoreModel: restoreIsolationForest,
    featurize: (_w, ctx) => ctx.features(),
    describe: (raw, explain) => `score ${raw.toFixed(2)}; ${topFeatures(explain, 1)}`,
    cacheKey: o.cacheKey ? (_w, ctx) => JSON.stringify(ctx.features()) : undefined,
  });
}

/** A window whose feature vector is `x` (a fresh window each time: the wrapper remembers the last input it scored). */
function at(x: Features): [WindowAggregate, WindowContext] {
  return [window(10), { fields: NO_FIELDS, features: () => x }];
}

type D = ReturnType<typeof forest>;
const score = (d: D, x: Features) => d.score(...at(x));
const raw = (d: D, x: Features) => d.raw(...at(x));
const observe = (d: D, x: Features) => d.observe(...at(x));
/** The grade of the one finding, or undefined when there is none. */
function grade(d: D, x: Features): number | undefined {
  const fs = score(d, x);
  expect(fs.length).toBeLessThanOrEqual(1);
  return fs[0]?.grade;
}

function trained(seed = 3, d = forest()) {
  const r = new Rng(seed);
  const normal = Array.from({ length: 500 }, () => ({ a: r.next(), b: r.next() }));
  for (const x of normal) d.learn(...at(x));
  d.fit();
  return { d, normal };
}

describe('CalibratedDetector', () => {
  it('gives no finding until the model is fitted and its calibrator warm', () => {
    const fresh = forest();
    expect(raw(fresh, { a: 5, b: 5 })).toBeUndefined();
    expect(score(fresh, { a: 5, b: 5 })).toEqual([]);
    const { d, normal } = trained();
    expect(d.ready()).toBe(false);
    expect(score(d, { a: 5, b: 5 })).toEqual([]);
    // warm after warmup (50) scores
    for (const x of normal.slice(0, 49)) observe(d, x);
    expect(score(d, { a: 5, b: 5 })).toEqual([]);
    observe(d, normal[49]);
    expect(d.ready()).toBe(true);
    expect(grade(d, { a: 5, b: 5 })).toBeGreaterThanOrEqual(0.7);
  });

  it('grades an outlier above the threshold with its contributions, normal points below', () => {
    const { d, normal } = trained();
    for (const x of normal) observe(d, x);
    const [f] = score(d, { a: 9, b: 9 });
    expect(f.detector).toBe('forest');
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.explain.score).toBe(raw(d, { a: 9, b: 9 }));
    expect(f.explain.contributions).toHaveLength(2);
    // the strongest contribution is the feature that is off (a stays within its normal range)
    const [g] = score(d, { a: 0.9, b: 9 });
    expect(g.grade).toBeGreaterThanOrEqual(0.7);
    expect((g.explain.contributions as Array<{ feature: string }>)[0].feature).toBe('b');
    expect(g.reason).toMatch(/; b$/);
    const flagged = normal.filter((x) => grade(d, x)! >= 0.7).length;
    expect(flagged / normal.length).toBeLessThanOrEqual(0.02);
    // below the threshold: the raw score and boundary, no explanation
    const [n] = score(d, normal[0]);
    expect(n.grade).toBeLessThan(0.7);
    expect(n.explain).toMatchObject({ score: raw(d, normal[0]), contributions: [] });
  });

  it('score is pure', () => {
    const { d, normal } = trained();
    for (const x of normal) observe(d, x);
    const before = JSON.stringify(d.snapshot());
    for (const x of [{ a: 9, b: 9 }, normal[1]]) score(d, x);
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });

  it('restores from its snapshot with the same grades, and scores cached before the restore are not reused', () => {
    const { d, normal } = trained();
    for (const x of normal) observe(d, x);
    const probes = [{ a: 0.2, b: 0.3 }, { a: 3, b: 0 }];
    // another forest (other seed, other data) that cached its own scores of the probes
    const r = trained(11, forest({ seed: 9, cacheKey: true })).d;
    for (const x of trained(11).normal) observe(r, x);
    const last = at(probes[1]);
    const own = [...probes.map((x) => raw(r, x)), r.raw(...last)];
    r.restore(JSON.parse(JSON.stringify(d.snapshot())));
    expect(r.snapshot()).toEqual(d.snapshot());
    const restored = probes.map((x) => raw(r, x));
    expect(restored).toEqual(probes.map((x) => raw(d, x)));
    expect(restored).not.toEqual(own.slice(0, 2));
    // the very input scored last before the restore is scored anew too
    expect(r.raw(...last)).toBe(raw(d, probes[1]));
    for (const x of probes) expect(grade(r, x)).toBe(grade(d, x));
  });

  it('train → detect: the inputs it was calibrated on grade below the threshold, before and after a save and load', () => {
    // records of a plain log of three message kinds repeat three feature vectors: their scores are ties
    const kinds: Features[] = [{ r: 1.5, info: 1 }, { r: 1.5, info: 1, k: 1 }, { r: 1.5, info: 1, k: 2 }];
    const inputs = Array.from({ length: 3000 }, (_, i) => kinds[i % 3]);
    for (const alarmRate of [0, 0.001]) {
      const make = () =>
        new CalibratedDetector<'window', Features>({
          name: 'forest',
          scope: 'window',
          calibration: { ...CAL, alarmRate },
          make: () => new IsolationForest({ seed: 1, trees: 50, refitEvery: 0 }),
          restoreModel: restoreIsolationForest,
          featurize: (_w, ctx) => ctx.features(),
          describe: () => 'unusual',
        });
      const d = make();
      // pass 1 learns and fits; pass 2 scores the same inputs with the fitted model into the calibrator
      for (const x of inputs) d.learn(...at(x));
      d.fit();
      for (const x of inputs) observe(d, x);
      const loaded = make();
      loaded.restore(JSON.parse(JSON.stringify(d.snapshot())));
      const graded = inputs.map((x) => grade(loaded, x)!);
      expect(Math.max(...graded)).toBeLessThan(0.7);
      expect(graded).toEqual(inputs.map((x) => grade(d, x)));
    }
  });

  it('rejects a snapshot of another detector or version', () => {
    const { d } = trained();
    const s = d.snapshot();
    expect(() => forest().restore({ ...s, kind: 'other' })).toThrow(/kind/);
    expect(() => forest().restore({ ...s, version: 2 })).toThrow(/version/);
  });
});
