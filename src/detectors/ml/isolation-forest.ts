/**
 * Isolation Forest (Liu, Ting & Zhou, 2008) on named sparse features.
 *
 * `learn` appends the input to a sliding window (a ring buffer of the last `window` inputs); `fit`
 * grows `trees` isolation trees, each on a random subsample of `sampleSize` inputs of the window, and
 * runs by itself every `refitEvery` learns. The score is the paper's s(x) = 2^(−E[h(x)] / c(ψ)) in
 * (0, 1): about 0.5 and below is ordinary, near 1 is isolated much earlier than the subsample's points.
 *
 * Features: a name → dimension index grows as names appear in `learn` (up to `maxFeatures`). A feature
 * the trees never saw at fit time cannot be split on, so at score time it is ignored (as if absent):
 * the forest scores the features it knows. Novelty of a name is a featurizer's business (e.g. a
 * "new template" indicator), not something the forest can rank.
 *
 * Trees live in flat typed arrays in preorder (left child = node + 1), so scoring a record is a few
 * hundred array reads. `generation` changes on each fit: callers may cache scores keyed by it.
 */
import { Rng } from '../../util/rng.js';
import { checkSnapshot, type Contribution, type Features, type Model, type ModelSnapshot } from '../model.js';
import { FeatureIndex, featureValue } from './feature-index.js';

export interface IsolationForestOptions {
  seed: number;
  /** Number of trees (default 100). */
  trees?: number;
  /** Inputs per tree, ψ (default 256). */
  sampleSize?: number;
  /** Learned inputs kept for fitting, newest last (default 4096). */
  window?: number;
  /** Refit after this many learns since the last fit (default: `window`; 0 = only on `fit()`). */
  refitEvery?: number;
  /** Names beyond this many are ignored, to bound memory (default 10 000). */
  maxFeatures?: number;
}

export const ISOLATION_FOREST_KIND = 'isolation-forest';
const SNAPSHOT_VERSION = 1;
const EULER = 0.5772156649015329;

/** One learned input: its non-zero values, dimensions ascending. */
interface Row {
  idx: number[];
  val: number[];
}

/** All trees in preorder; a node is a leaf when `feature` is −1. */
interface Forest {
  /** Subsample size the trees were grown on (normalises the path length). */
  psi: number;
  /** Dimensions known at fit time: higher ones were never split on. */
  dims: number;
  roots: Int32Array;
  feature: Int32Array;
  /** Split value of an internal node (x ≤ threshold goes left); at a leaf, c(leaf size), the expected rest of the path. */
  threshold: Float64Array;
  right: Int32Array;
  /** Subsample inputs that reached the node. */
  size: Int32Array;
}

/** Average path length of an unsuccessful search in a binary search tree of n keys: c(n) of the paper. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
}

export class IsolationForest implements Model<Features> {
  readonly kind = ISOLATION_FOREST_KIND;
  private readonly opts: Required<IsolationForestOptions>;
  private rng: Rng;
  private index: FeatureIndex;
  /** The training window as a ring buffer: once full, `head` is the oldest slot, overwritten next. */
  private rows: Row[] = [];
  private head = 0;
  private sinceFit = 0;
  private fits = 0;
  private forest: Forest | undefined;
  /** Dense copy of the input being scored (zero between calls); not state. */
  private scratch = new Float64Array(0);

  constructor(options: IsolationForestOptions) {
    const window = positiveInt(options.window ?? 4096, 'window');
    this.opts = {
      seed: options.seed,
      trees: positiveInt(options.trees ?? 100, 'trees'),
      sampleSize: positiveInt(options.sampleSize ?? 256, 'sampleSize'),
      window,
      refitEvery: Math.max(0, Math.floor(options.refitEvery ?? window)),
      maxFeatures: positiveInt(options.maxFeatures ?? 10_000, 'maxFeatures'),
    };
    this.rng = new Rng(options.seed);
    this.index = new FeatureIndex([], this.opts.maxFeatures);
  }

  /** Changes on every fit; 0 before the first. */
  get generation(): number {
    return this.fits;
  }

  /** Inputs in the training window. */
  get windowSize(): number {
    return this.rows.length;
  }

  ready(): boolean {
    return this.forest !== undefined;
  }

  learn(x: Features): void {
    const row = this.toRow(x);
    if (this.rows.length < this.opts.window) this.rows.push(row);
    else {
      this.rows[this.head] = row;
      this.head = (this.head + 1) % this.opts.window;
    }
    this.sinceFit++;
    if (this.opts.refitEvery > 0 && this.sinceFit >= this.opts.refitEvery) this.fit();
  }

  /** Grows the trees on the current window; needs at least two inputs (else does nothing). */
  fit(): void {
    const n = this.rows.length;
    if (n < 2) return;
    const psi = Math.min(this.opts.sampleSize, n);
    const dims = this.index.size;
    const grower = new TreeGrower(this.rows, dims, this.rng);
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    const roots = new Int32Array(this.opts.trees);
    const limit = Math.ceil(Math.log2(psi));
    for (let t = 0; t < this.opts.trees; t++) {
      // Partial Fisher–Yates: the first psi entries become a uniform subsample without replacement.
      for (let i = 0; i < psi; i++) {
        const j = i + this.rng.int(n - i);
        const tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
      }
      roots[t] = grower.grow(perm.slice(0, psi), limit);
    }
    this.forest = { psi, dims, roots, ...grower.arrays() };
    this.scratch = new Float64Array(dims);
    this.sinceFit = 0;
    this.fits++;
  }

  score(x: Features): number {
    const f = this.forest;
    if (!f) return 0;
    const set = this.load(x, f);
    const { roots, feature, threshold, right } = f;
    const v = this.scratch;
    let total = 0;
    for (let t = 0; t < roots.length; t++) {
      let i = roots[t];
      let depth = 0;
      while (feature[i] >= 0) {
        i = v[feature[i]] <= threshold[i] ? i + 1 : right[i];
        depth++;
      }
      total += depth + threshold[i];
    }
    this.unload(set);
    return 2 ** (-(total / roots.length) / averagePathLength(f.psi));
  }

  /**
   * The features whose splits cut x off from most of the subsample earliest: at each node on x's path
   * the feature split on earns (share of the node's inputs sent the other way) / (depth + 1); summed
   * over trees and averaged.
   */
  explain(x: Features, top: number): Contribution[] {
    const f = this.forest;
    if (!f || top <= 0) return [];
    const set = this.load(x, f);
    const { roots, feature, threshold, right, size } = f;
    const v = this.scratch;
    const weight = new Map<number, number>();
    for (let t = 0; t < roots.length; t++) {
      let i = roots[t];
      let depth = 0;
      while (feature[i] >= 0) {
        const next = v[feature[i]] <= threshold[i] ? i + 1 : right[i];
        const cut = (size[i] - size[next]) / size[i] / (depth + 1);
        weight.set(feature[i], (weight.get(feature[i]) ?? 0) + cut);
        i = next;
        depth++;
      }
    }
    this.unload(set);
    return [...weight]
      .map(([d, w]) => ({ feature: this.index.names[d], weight: w / roots.length }))
      .filter((c) => c.weight > 0)
      .sort((a, b) => b.weight - a.weight || (a.feature < b.feature ? -1 : 1))
      .slice(0, top);
  }

  snapshot(): IsolationForestSnapshot {
    const f = this.forest;
    return {
      kind: ISOLATION_FOREST_KIND,
      version: SNAPSHOT_VERSION,
      options: { ...this.opts },
      rng: this.rng.position,
      names: [...this.index.names],
      rows: this.rows.map((r) => [r.idx, r.val]),
      head: this.head,
      sinceFit: this.sinceFit,
      fits: this.fits,
      forest: f && {
        psi: f.psi,
        dims: f.dims,
        roots: Array.from(f.roots),
        feature: packInt32(f.feature),
        threshold: packFloat64(f.threshold),
        right: packInt32(f.right),
        size: packInt32(f.size),
      },
    };
  }

  /** Builds a model from a snapshot (see `restoreIsolationForest`). */
  static restore(s: IsolationForestSnapshot): IsolationForest {
    const m = new IsolationForest(s.options);
    m.index = new FeatureIndex([...s.names], m.opts.maxFeatures);
    m.rng = Rng.resume(s.rng);
    m.rows = s.rows.map(([idx, val]) => ({ idx: [...idx], val: [...val] }));
    m.head = s.head;
    m.sinceFit = s.sinceFit;
    m.fits = s.fits;
    if (s.forest) {
      const f = s.forest;
      const forest: Forest = {
        psi: f.psi,
        dims: f.dims,
        roots: Int32Array.from(f.roots),
        feature: unpackInt32(f.feature),
        threshold: unpackFloat64(f.threshold),
        right: unpackInt32(f.right),
        size: unpackInt32(f.size),
      };
      if (!consistent(forest, s.names.length)) throw new Error(`${ISOLATION_FOREST_KIND} snapshot: inconsistent trees`);
      m.forest = forest;
      m.scratch = new Float64Array(f.dims);
    }
    return m;
  }

  private toRow(x: Features): Row {
    const pairs: Array<[number, number]> = [];
    for (const name of Object.keys(x)) {
      const v = featureValue(x[name]);
      if (v === 0) continue;
      const d = this.index.add(name);
      if (d !== undefined) pairs.push([d, v]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    return { idx: pairs.map((p) => p[0]), val: pairs.map((p) => p[1]) };
  }

  /** Writes x's known features into the scratch vector; returns the dimensions set, for `unload`. */
  private load(x: Features, f: Forest): number[] {
    const set: number[] = [];
    for (const name of Object.keys(x)) {
      const d = this.index.get(name);
      if (d === undefined || d >= f.dims) continue;
      this.scratch[d] = featureValue(x[name]);
      set.push(d);
    }
    return set;
  }

  private unload(set: number[]): void {
    for (const d of set) this.scratch[d] = 0;
  }
}

/** Grows trees into shared growable arrays (preorder), choosing splits among the non-constant features of each node. */
class TreeGrower {
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly right: number[] = [];
  private readonly size: number[] = [];
  /** Per-dimension min, max and non-zero count within the node being split; `mark` tells which entries are current. */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly count: Int32Array;
  private readonly mark: Int32Array;
  private stamp = 0;

  constructor(
    private readonly rows: Row[],
    dims: number,
    private readonly rng: Rng,
  ) {
    this.lo = new Float64Array(dims);
    this.hi = new Float64Array(dims);
    this.count = new Int32Array(dims);
    this.mark = new Int32Array(dims);
  }

  /** Grows one tree on the given rows; returns its root node. */
  grow(sample: Int32Array, limit: number): number {
    const root = this.feature.length;
    this.node(sample, 0, sample.length, 0, limit);
    return root;
  }

  arrays(): Pick<Forest, 'feature' | 'threshold' | 'right' | 'size'> {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      right: Int32Array.from(this.right),
      size: Int32Array.from(this.size),
    };
  }

  private node(sample: Int32Array, from: number, to: number, depth: number, limit: number): void {
    const i = this.feature.length;
    const n = to - from;
    this.feature.push(-1);
    this.threshold.push(averagePathLength(n));
    this.right.push(-1);
    this.size.push(n);
    if (n <= 1 || depth >= limit) return;
    const split = this.split(sample, from, to);
    if (!split) return; // all inputs equal: nothing can isolate them further
    const [f, thr] = split;
    // Partition in place: x[f] ≤ thr first.
    let mid = from;
    for (let k = from; k < to; k++) {
      if (valueOf(this.rows[sample[k]], f) <= thr) {
        const tmp = sample[k];
        sample[k] = sample[mid];
        sample[mid] = tmp;
        mid++;
      }
    }
    this.feature[i] = f;
    this.threshold[i] = thr;
    this.node(sample, from, mid, depth + 1, limit);
    this.right[i] = this.feature.length;
    this.node(sample, mid, to, depth + 1, limit);
  }

  /** A random non-constant feature of the node and a uniform threshold in [min, max); undefined when all are constant. */
  private split(sample: Int32Array, from: number, to: number): [number, number] | undefined {
    const { lo, hi, count, mark } = this;
    const stamp = ++this.stamp;
    const touched: number[] = [];
    for (let k = from; k < to; k++) {
      const r = this.rows[sample[k]];
      for (let j = 0; j < r.idx.length; j++) {
        const d = r.idx[j];
        const v = r.val[j];
        if (mark[d] !== stamp) {
          mark[d] = stamp;
          lo[d] = hi[d] = v;
          count[d] = 1;
          touched.push(d);
        } else {
          if (v < lo[d]) lo[d] = v;
          if (v > hi[d]) hi[d] = v;
          count[d]++;
        }
      }
    }
    const n = to - from;
    const candidates: number[] = [];
    for (const d of touched) {
      // An input without the feature holds a 0.
      if (count[d] < n) {
        if (lo[d] > 0) lo[d] = 0;
        if (hi[d] < 0) hi[d] = 0;
      }
      if (hi[d] > lo[d]) candidates.push(d);
    }
    if (candidates.length === 0) return undefined;
    const d = candidates[this.rng.int(candidates.length)];
    let thr = lo[d] + this.rng.next() * (hi[d] - lo[d]);
    if (thr >= hi[d]) thr = lo[d]; // rounding: keep both sides non-empty
    return [d, thr];
  }
}

/** Every path of a restored forest ends at a leaf inside the arrays: children lie after their parent (preorder). */
function consistent(f: Forest, names: number): boolean {
  const n = f.feature.length;
  if (!(f.psi >= 2 && f.dims <= names) || f.threshold.length !== n || f.right.length !== n || f.size.length !== n) return false;
  if (!f.roots.every((r) => r >= 0 && r < n)) return false;
  for (let i = 0; i < n; i++) {
    if (f.feature[i] < 0) continue;
    if (f.feature[i] >= f.dims || i + 1 >= n || f.right[i] <= i + 1 || f.right[i] >= n) return false;
  }
  return true;
}

function valueOf(r: Row, d: number): number {
  for (let j = 0; j < r.idx.length; j++) if (r.idx[j] === d) return r.val[j];
  return 0;
}

function positiveInt(v: number, name: string): number {
  if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`isolation forest: ${name} must be a positive integer, got ${v}`);
  return v;
}

export interface IsolationForestSnapshot extends ModelSnapshot {
  options: Required<IsolationForestOptions>;
  rng: number;
  names: string[];
  /** The window in ring-buffer order: [dimensions, values] per input. */
  rows: Array<[number[], number[]]>;
  head: number;
  sinceFit: number;
  fits: number;
  /** Node arrays as little-endian base64 (a JSON number per node would be several times larger). */
  forest?: { psi: number; dims: number; roots: number[]; feature: string; threshold: string; right: string; size: string };
}

/** Rebuilds a model from `snapshot()` output (after a JSON round trip); throws on another kind or version. */
export function restoreIsolationForest(s: unknown): IsolationForest {
  checkSnapshot(s, ISOLATION_FOREST_KIND, SNAPSHOT_VERSION);
  const o = s as IsolationForestSnapshot;
  if (!Array.isArray(o.names) || !Array.isArray(o.rows) || typeof o.rng !== 'number' || !o.options) {
    throw new Error(`${ISOLATION_FOREST_KIND} snapshot: missing fields`);
  }
  return IsolationForest.restore(o);
}

function packInt32(a: Int32Array): string {
  const b = Buffer.alloc(a.length * 4);
  for (let i = 0; i < a.length; i++) b.writeInt32LE(a[i], i * 4);
  return b.toString('base64');
}

function unpackInt32(s: string): Int32Array {
  const b = Buffer.from(s, 'base64');
  const a = new Int32Array(b.length / 4);
  for (let i = 0; i < a.length; i++) a[i] = b.readInt32LE(i * 4);
  return a;
}

function packFloat64(a: Float64Array): string {
  const b = Buffer.alloc(a.length * 8);
  for (let i = 0; i < a.length; i++) b.writeDoubleLE(a[i], i * 8);
  return b.toString('base64');
}

function unpackFloat64(s: string): Float64Array {
  const b = Buffer.from(s, 'base64');
  const a = new Float64Array(b.length / 8);
  for (let i = 0; i < a.length; i++) a[i] = b.readDoubleLE(i * 8);
  return a;
}
