/**
 * What the batch-fitted vector models (autoencoder, one-class boundary) share: a sliding training window of
 * sparse inputs, and a feature space that turns `Features` into a standardised dense vector.
 *
 * The feature index grows only at fit time, in order of first appearance in the window, so a score
 * depends on fitted state alone: names not in the index are ignored (novel templates are the
 * new-template detector's business), names missing from an input count as 0.
 */
import { Rng } from '../../util/rng.js';
import type { Features } from '../model.js';
import { FeatureIndex, featureValue } from './feature-index.js';

/** A learned input kept as entries (never as an object keyed by untrusted names). */
type Entries = [string, number][];

/** The last `capacity` learned inputs, in arrival order; non-finite values are dropped and counted. */
export class TrainingWindow {
  private items: Entries[] = [];
  private head = 0;
  /** Learns since the last fit. */
  sinceFit = 0;
  /** Values dropped because they were not finite numbers. */
  invalidValues = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`training window ${capacity} is not an integer ≥ 1`);
  }

  add(x: Features): void {
    const entries: Entries = [];
    for (const k of Object.keys(x)) {
      const v = x[k];
      if (typeof v === 'number' && Number.isFinite(v)) entries.push([k, v]);
      else this.invalidValues++;
    }
    if (this.items.length < this.capacity) this.items.push(entries);
    else {
      this.items[this.head] = entries;
      this.head = (this.head + 1) % this.capacity;
    }
    this.sinceFit++;
  }

  get size(): number {
    return this.items.length;
  }

  /** Oldest first. */
  inputs(): Entries[] {
    return [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }

  snapshot(): { items: Entries[]; sinceFit: number; invalidValues: number } {
    return { items: this.inputs(), sinceFit: this.sinceFit, invalidValues: this.invalidValues };
  }

  static restore(o: unknown, capacity: number, what: string): TrainingWindow {
    const s = o as { items?: unknown; sinceFit?: unknown; invalidValues?: unknown } | null;
    if (!s || !Array.isArray(s.items) || !isCount(s.sinceFit) || !isCount(s.invalidValues)) {
      throw new Error(`${what} snapshot: bad window`);
    }
    const w = new TrainingWindow(capacity);
    for (const item of s.items.slice(-capacity)) {
      if (!Array.isArray(item)) throw new Error(`${what} snapshot: bad window item`);
      for (const e of item as unknown[]) {
        if (!Array.isArray(e) || typeof e[0] !== 'string' || !Number.isFinite(e[1])) {
          throw new Error(`${what} snapshot: bad window entry`);
        }
      }
      w.items.push(item as Entries);
    }
    w.sinceFit = s.sinceFit;
    w.invalidValues = s.invalidValues;
    return w;
  }
}

/** Feature names ↔ dense positions, with the mean and scale of each at the last fit. */
export class FeatureSpace {
  private index: FeatureIndex;
  private mean: number[] = [];
  private scale: number[] = [];
  /** Names not admitted because the index was full. */
  overflow = 0;

  constructor(
    readonly maxFeatures: number,
    names: string[] = [],
  ) {
    this.index = new FeatureIndex(names, maxFeatures);
  }

  get names(): readonly string[] {
    return this.index.names;
  }

  get size(): number {
    return this.index.size;
  }

  /** Admits the window's new names (up to maxFeatures), then sets mean and scale from the window. */
  fit(window: readonly Entries[]): void {
    for (const item of window) for (const [k] of item) if (this.index.add(k) === undefined) this.overflow++;
    const d = this.size;
    const sum = new Float64Array(d);
    const sumSq = new Float64Array(d);
    for (const item of window) {
      for (const [k, v] of item) {
        const j = this.index.get(k);
        if (j === undefined) continue;
        sum[j] += v;
        sumSq[j] += v * v;
      }
    }
    const n = Math.max(1, window.length);
    this.mean = Array.from(sum, (s) => s / n);
    // a feature constant over the window keeps its raw units (scale 1): any change from it still counts
    this.scale = this.mean.map((m, j) => {
      const sd = Math.sqrt(Math.max(0, sumSq[j] / n - m * m));
      return sd > 1e-9 * (1 + Math.abs(m)) ? sd : 1;
    });
  }

  /** The standardised dense vector of `x`; `clip` bounds each coordinate (training robustness). */
  vector(x: Features | Entries, clip = Infinity): Float64Array {
    const d = this.size;
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) out[j] = -this.mean[j] / this.scale[j];
    const entries = Array.isArray(x) ? x : Object.entries(x);
    for (const [k, v] of entries) {
      const j = this.index.get(k);
      if (j !== undefined) out[j] = (featureValue(v) - this.mean[j]) / this.scale[j];
    }
    if (clip !== Infinity) for (let j = 0; j < d; j++) out[j] = Math.max(-clip, Math.min(clip, out[j]));
    return out;
  }

  snapshot(): { names: string[]; mean: number[]; scale: number[]; overflow: number } {
    return { names: [...this.names], mean: [...this.mean], scale: [...this.scale], overflow: this.overflow };
  }

  static restore(o: unknown, maxFeatures: number, what: string): FeatureSpace {
    const s = o as { names?: unknown; mean?: unknown; scale?: unknown; overflow?: unknown } | null;
    const ok =
      s &&
      Array.isArray(s.names) &&
      s.names.every((n) => typeof n === 'string') &&
      new Set(s.names).size === s.names.length &&
      s.names.length <= maxFeatures &&
      isFiniteArray(s.mean, s.names.length) &&
      isFiniteArray(s.scale, s.names.length) &&
      (s.scale as number[]).every((v) => v > 0) &&
      isCount(s.overflow);
    if (!ok) throw new Error(`${what} snapshot: bad feature space`);
    const f = new FeatureSpace(maxFeatures, [...(s.names as string[])]);
    f.mean = [...(s.mean as number[])];
    f.scale = [...(s.scale as number[])];
    f.overflow = s.overflow as number;
    return f;
  }
}

export function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

export function isFiniteArray(v: unknown, length: number): v is number[] {
  return Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** The generator of the `fits`-th fit: snapshots need only the fit count, not a generator's state. */
export function fitRng(seed: number, fits: number): Rng {
  return new Rng((seed ^ Math.imul(fits + 1, 0x85ebca6b)) >>> 0);
}

/** Standard normal (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
export function permutation(rng: Rng, n: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
