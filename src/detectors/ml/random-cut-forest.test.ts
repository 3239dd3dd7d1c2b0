import { describe, expect, it } from 'vitest';
import { Rng } from '../../util/rng.js';
import { RandomCutForest, restoreRandomCutForest, type RandomCutForestOptions } from './random-cut-forest.js';

function gaussian(r: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

function model(opts: Partial<RandomCutForestOptions> = {}): RandomCutForest {
  return new RandomCutForest({ seed: 3, ...opts });
}

describe('RandomCutForest', () => {
  it('is ready after outputAfter points (once the shingle is full) and scores 0 before', () => {
    const m = model({ shingleSize: 4, outputAfter: 10 });
    const r = new Rng(1);
    for (let i = 0; i < 12; i++) m.learn({ v: r.next() });
    expect(m.totalUpdates).toBe(9); // the first 3 inputs only fill the shingle
    expect(m.ready()).toBe(false);
    expect(m.score({ v: 100 })).toBe(0);
    expect(m.explain({ v: 100 }, 3)).toEqual([]);
    m.learn({ v: r.next() });
    expect(m.ready()).toBe(true);
    expect(m.score({ v: 100 })).toBeGreaterThan(0);
  });

  it('scores ordinary points about 1 and an outlier far higher', () => {
    const r = new Rng(2);
    const m = model({ shingleSize: 1 });
    for (let i = 0; i < 1000; i++) m.learn({ a: gaussian(r), b: gaussian(r) });
    const ordinary = Array.from({ length: 100 }, () => m.score({ a: gaussian(r), b: gaussian(r) }));
    const mean = ordinary.reduce((s, v) => s + v, 0) / ordinary.length;
    expect(mean).toBeGreaterThan(0.5);
    expect(mean).toBeLessThan(1.5);
    expect(m.score({ a: 8, b: -8 })).toBeGreaterThan(2 * Math.max(...ordinary));
  });

  it('shingling: a level shift scores higher when it happens than once it is the steady state', () => {
    const r = new Rng(3);
    const m = model({ shingleSize: 4 });
    for (let i = 0; i < 400; i++) m.learn({ v: r.next() * 0.1 });
    const shift = m.score({ v: 5 });
    // Without a shingle the new level is just as new: the shingle is what remembers the level before.
    for (let i = 0; i < 600; i++) m.learn({ v: 5 + r.next() * 0.1 });
    const steady = m.score({ v: 5 });
    expect(shift).toBeGreaterThan(2 * steady);
    // And a drop back to the old level after a steady new level is a change again.
    expect(m.score({ v: 0 })).toBeGreaterThan(2 * steady);
  });

  it('explains a spike by its feature; the parts add up to the score', () => {
    const r = new Rng(4);
    const m = model({ shingleSize: 2 });
    for (let i = 0; i < 500; i++) m.learn({ a: r.next(), b: r.next(), c: r.next() });
    const x = { a: 0.5, b: 30, c: 0.5 };
    const why = m.explain(x, 3);
    expect(why[0].feature).toBe('b');
    expect(why[0].weight).toBeGreaterThan(0.9 * m.score(x));
    const all = m.explain(x, 10);
    expect(all.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(m.score(x), 9);
  });

  it('fixes its dimensions at the first learned input: later names are ignored, absent ones are 0', () => {
    const m = model({ shingleSize: 1, outputAfter: 5 });
    const r = new Rng(5);
    m.learn({});
    expect(m.features).toBeUndefined();
    for (let i = 0; i < 50; i++) m.learn({ b: r.next(), a: r.next() });
    expect(m.features).toEqual(['a', 'b']);
    m.learn({ a: 0.5, b: 0.5, c: 7 });
    expect(m.features).toEqual(['a', 'b']);
    expect(m.score({ a: 0.3, b: 0.4, c: 100 })).toBe(m.score({ a: 0.3, b: 0.4 }));
    expect(m.score({ a: 0.3 })).toBe(m.score({ a: 0.3, b: 0 }));
    const fixed = model({ features: ['z', 'y'], shingleSize: 1 });
    fixed.learn({ y: 1 });
    expect(fixed.features).toEqual(['z', 'y']);
  });

  it('keeps sampleSize points per tree and drops points no reservoir holds', () => {
    const m = model({ sampleSize: 32, trees: 5, shingleSize: 2 });
    const r = new Rng(6);
    for (let i = 0; i < 2000; i++) m.learn({ v: r.next() });
    const s = m.snapshot();
    for (const t of s.trees) expect(t.points).toHaveLength(32);
    expect(s.live.length).toBeLessThanOrEqual(5 * 32);
    // Recent points dominate the time-decayed reservoirs.
    const recent = s.trees.flatMap((t) => t.points).filter((id) => id >= 1000).length;
    expect(recent).toBeGreaterThan(0.5 * 5 * 32);
  });

  it('handles repeated identical points: one leaf with mass, scored as seen', () => {
    const m = model({ shingleSize: 1 });
    for (let i = 0; i < 300; i++) m.learn({ a: i % 3, b: 1 });
    expect(m.score({ a: 1, b: 1 })).toBeLessThan(m.score({ a: 1.5, b: 1 }));
    expect(m.score({ a: 1, b: 20 })).toBeGreaterThan(2 * m.score({ a: 1, b: 1 }));
    expect(Number.isFinite(m.score({ a: 1, b: 1 }))).toBe(true);
    expect(m.explain({ a: 1, b: 1 }, 2)).toHaveLength(2);
  });

  it('confidence grows from 0 to 1 with the points seen past sampleSize', () => {
    const m = model({ sampleSize: 64, trees: 3, shingleSize: 1 });
    const seen: number[] = [];
    for (let i = 1; i <= 3000; i++) {
      m.learn({ v: i % 7 });
      if (i % 50 === 0) seen.push(m.confidence());
    }
    expect(seen[0]).toBe(0); // 50 points: the reservoirs still hold their start-up content
    expect(seen[1]).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(seen[seen.length - 1]).toBeGreaterThan(0.99);
    expect(model({ timeDecay: 0 }).confidence()).toBe(0);
  });

  it('fit is a no-op; bad options and corrupt snapshots are rejected', () => {
    const m = model({ shingleSize: 1 });
    const r = new Rng(8);
    for (let i = 0; i < 100; i++) m.learn({ v: r.next() });
    const before = JSON.stringify(m.snapshot());
    m.fit();
    expect(JSON.stringify(m.snapshot())).toBe(before);
    expect(() => model({ shingleSize: 0 })).toThrow(RangeError);
    expect(() => model({ timeDecay: -1 })).toThrow(RangeError);
    const shifted = JSON.parse(before) as { live: number[] };
    shifted.live = shifted.live.map((id) => id + 100_000);
    expect(() => restoreRandomCutForest(shifted)).toThrow(/snapshot/);
    const truncated = JSON.parse(before) as { trees: Array<{ shape: number[] }> };
    truncated.trees[1].shape = truncated.trees[1].shape.slice(0, -2);
    expect(() => restoreRandomCutForest(truncated)).toThrow(/snapshot/);
    expect(() => restoreRandomCutForest(JSON.parse(before))).not.toThrow();
  });
});
