import { describe, expect, it } from 'vitest';
import { LearnedDetector } from './learned.js';
import { IsolationForest, restoreIsolationForest } from './ml/isolation-forest.js';
import { Rng } from '../util/rng.js';

const CAL = { threshold: 0.7, alarmRate: 0.01, warmup: 50 };

function trained() {
  const r = new Rng(3);
  const d = new LearnedDetector('forest', new IsolationForest({ seed: 1, trees: 50, refitEvery: 0 }), CAL, (_x, raw) => `score ${raw.toFixed(2)}`);
  const normal = Array.from({ length: 500 }, () => ({ a: r.next(), b: r.next() }));
  for (const x of normal) d.learn(x);
  d.fit();
  return { d, normal };
}

describe('LearnedDetector', () => {
  it('gives no finding until the model is fitted and its calibrator warm', () => {
    const { d, normal } = trained();
    expect(d.score({ a: 5, b: 5 })).toBeUndefined();
    // warm after max(warmup 50, 1/alarmRate = 100) scores
    for (const x of normal.slice(0, 99)) d.observe(d.raw(x));
    expect(d.score({ a: 5, b: 5 })).toBeUndefined();
    d.observe(d.raw(normal[99]));
    expect(d.score({ a: 5, b: 5 })!.grade).toBeGreaterThanOrEqual(0.7);
  });

  it('grades an outlier above the threshold with its contributions, normal points below', () => {
    const { d, normal } = trained();
    for (const x of normal) d.observe(d.raw(x));
    const f = d.score({ a: 9, b: 9 })!;
    expect(f.grade).toBeGreaterThanOrEqual(0.7);
    expect(f.explain.contributions).toHaveLength(2);
    expect(d.contributions({ a: 0.5, b: 9 }, 1)[0].feature).toBe('b');
    const flagged = normal.filter((x) => d.score(x)!.grade >= 0.7).length;
    expect(flagged / normal.length).toBeLessThanOrEqual(0.02);
  });

  it('restores from its snapshot with the same grades and a new generation', () => {
    const { d, normal } = trained();
    for (const x of normal) d.observe(d.raw(x));
    const r = new LearnedDetector('forest', new IsolationForest({ seed: 9 }), CAL, () => '');
    const gen = r.generation;
    r.restore(JSON.parse(JSON.stringify(d.snapshot())), restoreIsolationForest);
    expect(r.generation).not.toBe(gen);
    for (const x of [{ a: 0.2, b: 0.3 }, { a: 3, b: 0 }]) expect(r.score(x)!.grade).toBe(d.score(x)!.grade);
  });
});
