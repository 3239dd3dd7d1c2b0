/**
 * The shared conformance suite every model runs (DESIGN §3, issue 4): determinism, pure score,
 * snapshot round trip through JSON, unseen/missing features, and AUC on a labelled fixture built from
 * shared data or the generators. Call `conformance(...)` at the top level of a model's test file.
 */
import { describe, expect, it } from 'vitest';
import type { Model, ModelSnapshot } from '../../src/detectors/model.js';

export interface Labelled<X> {
  x: X;
  anomalous: boolean;
}

export interface Fixture<X> {
  /** Unlabelled training inputs (may contain anomalies, as real data does). */
  train: X[];
  /** Labelled inputs scored after training. */
  test: Labelled<X>[];
}

export interface ConformanceSpec<X> {
  name: string;
  create(seed: number): Model<X>;
  restore(s: ModelSnapshot): Model<X>;
  /** Built lazily (may read ../shared/data); return undefined to skip the AUC case with a message. */
  fixture(): Fixture<X> | undefined;
  /** Inputs with features never seen in training and with every feature missing. */
  unseen: X[];
  minAuc?: number;
}

/** Area under the ROC curve (ties count half). */
export function auc(scores: number[], labels: boolean[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let pos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]]) {
      rankSumPos += avgRank;
      pos++;
    }
    i = j + 1;
  }
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

function trained<X>(spec: ConformanceSpec<X>, fx: Fixture<X>, seed: number): Model<X> {
  const m = spec.create(seed);
  for (const x of fx.train) m.learn(x);
  m.fit();
  return m;
}

/** The inputs scores are compared on: labelled ones, then the unseen ones (which many rules score high). */
function probes<X>(spec: ConformanceSpec<X>, fx: Fixture<X>): X[] {
  return [...fx.test.slice(0, 200).map((t) => t.x), ...spec.unseen];
}

export function conformance<X>(spec: ConformanceSpec<X>): void {
  describe(`${spec.name} conformance`, () => {
    let cached: Fixture<X> | undefined | null = null;
    const fixture = (): Fixture<X> | undefined => (cached === null ? (cached = spec.fixture()) : cached);

    it('same seed and input give the same scores', (ctx) => {
      const fx = fixture();
      if (!fx) return ctx.skip();
      const a = trained(spec, fx, 7);
      const b = trained(spec, fx, 7);
      const xs = probes(spec, fx);
      expect(xs.map((x) => b.score(x))).toEqual(xs.map((x) => a.score(x)));
    });

    it('score changes no state', (ctx) => {
      const fx = fixture();
      if (!fx) return ctx.skip();
      const m = trained(spec, fx, 3);
      const before = JSON.stringify(m.snapshot());
      const xs = probes(spec, fx);
      const first = xs.map((x) => m.score(x));
      for (const x of spec.unseen) m.explain(x, 3);
      expect(xs.map((x) => m.score(x))).toEqual(first);
      expect(JSON.stringify(m.snapshot())).toBe(before);
    });

    it('snapshot → JSON → restore gives identical scores, and keeps learning the same way', (ctx) => {
      const fx = fixture();
      if (!fx) return ctx.skip();
      const m = trained(spec, fx, 11);
      const r = spec.restore(JSON.parse(JSON.stringify(m.snapshot())) as ModelSnapshot);
      const xs = probes(spec, fx);
      expect(xs.map((x) => r.score(x))).toEqual(xs.map((x) => m.score(x)));
      for (const x of fx.test.slice(0, 50).map((t) => t.x)) {
        m.learn(x);
        r.learn(x);
      }
      m.fit();
      r.fit();
      expect(xs.map((x) => r.score(x))).toEqual(xs.map((x) => m.score(x)));
    });

    it('unseen and missing features do not throw and score finite', (ctx) => {
      const fx = fixture();
      if (!fx) return ctx.skip();
      const fresh = spec.create(1);
      const m = trained(spec, fx, 5);
      for (const x of spec.unseen) {
        expect(Number.isFinite(fresh.score(x))).toBe(true);
        const s = m.score(x);
        expect(Number.isFinite(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(() => m.explain(x, 3)).not.toThrow();
      }
    });

    it(`AUC > ${spec.minAuc ?? 0.8} on its labelled fixture`, (ctx) => {
      const fx = fixture();
      if (!fx) return ctx.skip();
      const m = trained(spec, fx, 42);
      expect(m.ready()).toBe(true);
      const a = auc(
        fx.test.map((t) => m.score(t.x)),
        fx.test.map((t) => t.anomalous),
      );
      console.log(`${spec.name}: AUC ${a.toFixed(3)} on ${fx.test.length} labelled inputs`);
      expect(a).toBeGreaterThan(spec.minAuc ?? 0.8);
    });

    it('rejects a snapshot of another kind', () => {
      expect(() => spec.restore({ kind: 'not-a-model', version: 1 })).toThrow(/snapshot/);
    });
  });
}
