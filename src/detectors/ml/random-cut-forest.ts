/**
 * Random Cut Forest (Guha, Mishra, Roy & Schrijvers, 2016), streaming, in the manner of AWS
 * randomcutforest-core as OpenSearch anomaly detection uses it; our own implementation.
 *
 * - Shingling: the model keeps the last `shingleSize − 1` learned inputs; the point learned or scored
 *   is their concatenation with the new input, so a change of level or shape scores, not only a value.
 * - Each tree keeps a time-decayed reservoir of `sampleSize` points (weight −λ·t + log(−log u), the
 *   smallest weights stay; λ = `timeDecay`, default 1 / (10 · sampleSize)); a point entering a tree is
 *   inserted by random cuts (dimension ∝ its range in the merged bounding box), an evicted one removed.
 * - `score` is randomcutforest-core's scalar anomaly score (AnomalyScoreVisitor): from the leaf x would
 *   reach, up to the root, mixing 1/(depth + 1) by the probability that a random cut separates x from
 *   each node's box, scaled by log2(tree mass + 1) and averaged over trees; about 1 for ordinary points,
 *   clearly more for anomalies. It does not insert x: `learn` does, and advances the shingle.
 * - `explain` is the per-dimension attribution of that score (core's DiVector, high + low), summed per
 *   feature name across shingle positions; the parts add up to the score.
 *
 * Features: the dimensions are fixed once: by `options.features`, else by the (sorted) names of the
 * first learned input that has any. A point's geometry cannot grow afterwards, so names outside that set
 * are ignored (never an error); absent names are 0. Inputs learned before the names are fixed are skipped.
 */
import { Rng } from '../../util/rng.js';
import { checkSnapshot, type Contribution, type Features, type Model, type ModelSnapshot } from '../model.js';
import { featureValue } from './feature-index.js';

export interface RandomCutForestOptions {
  seed: number;
  /** Number of trees (default 50). */
  trees?: number;
  /** Points per tree reservoir (default 256). */
  sampleSize?: number;
  /** Inputs per point, the newest last (default 4; 1 = no shingling). */
  shingleSize?: number;
  /** Points learned before scores are given (default 32). */
  outputAfter?: number;
  /** Reservoir time decay λ per point (default 1 / (10 · sampleSize), as randomcutforest-core). */
  timeDecay?: number;
  /** The feature names, fixed up front (default: the first learned input's names). */
  features?: string[];
}

export const RANDOM_CUT_FOREST_KIND = 'random-cut-forest';
const SNAPSHOT_VERSION = 1;
/** A reservoir accepts every point until this share of it is full, then ever fewer (core's initialAcceptFraction). */
const INITIAL_ACCEPT_FRACTION = 0.125;
/** OpenSearch's cut-off: beyond λ·updates = this, confidence is 1. */
const FULL_CONFIDENCE_EXPONENT = 18.43;

interface Leaf {
  cut: false;
  point: number;
  /** Copies of the point in the tree's reservoir. */
  mass: number;
  parent: Cut | undefined;
}

interface Cut {
  cut: true;
  dim: number;
  /** x[dim] ≤ value goes left. */
  value: number;
  left: TreeNode;
  right: TreeNode;
  mass: number;
  parent: Cut | undefined;
  /** Bounding box of the points below. */
  lo: Float64Array;
  hi: Float64Array;
}

type TreeNode = Leaf | Cut;

/** Shared point store: each stored point once, with the number of reservoir entries holding it. */
type Points = Map<number, { v: Float64Array; refs: number }>;

export class RandomCutForest implements Model<Features> {
  readonly kind = RANDOM_CUT_FOREST_KIND;
  private readonly opts: Required<Omit<RandomCutForestOptions, 'features'>>;
  private rng: Rng;
  private names: string[] | undefined;
  private ids = new Map<string, number>();
  /** The last shingleSize − 1 learned inputs, oldest first. */
  private history: Float64Array[] = [];
  /** Points learned (shingles completed): the reservoirs' clock, and the next point's id. */
  private updates = 0;
  private readonly points: Points = new Map();
  private readonly trees: RandomCutTree[];

  constructor(options: RandomCutForestOptions) {
    const sampleSize = positiveInt(options.sampleSize ?? 256, 'sampleSize');
    this.opts = {
      seed: options.seed,
      trees: positiveInt(options.trees ?? 50, 'trees'),
      sampleSize,
      shingleSize: positiveInt(options.shingleSize ?? 4, 'shingleSize'),
      outputAfter: positiveInt(options.outputAfter ?? 32, 'outputAfter'),
      timeDecay: options.timeDecay ?? 1 / (10 * sampleSize),
    };
    if (!(this.opts.timeDecay >= 0 && Number.isFinite(this.opts.timeDecay))) throw new RangeError('random cut forest: timeDecay must be ≥ 0');
    this.rng = new Rng(options.seed);
    if (options.features?.length) this.fixNames(options.features);
    this.trees = Array.from({ length: this.opts.trees }, () => new RandomCutTree(sampleSize, this.points));
  }

  /** The feature names in dimension order, once fixed. */
  get features(): readonly string[] | undefined {
    return this.names;
  }

  /** Points learned so far (inputs once the shingle is full). */
  get totalUpdates(): number {
    return this.updates;
  }

  ready(): boolean {
    return this.updates >= this.opts.outputAfter;
  }

  /**
   * OpenSearch anomaly detection's RCF confidence (0..1): the share of the decayed stream mass that is
   * past the first sampleSize points, i.e. how far the reservoirs are from their start-up content.
   */
  confidence(): number {
    const t = this.updates;
    const s = this.opts.sampleSize;
    const lambda = this.opts.timeDecay;
    if (t === 0) return 0;
    if (lambda === 0) return Math.max(0, (t - Math.min(t, s)) / t);
    if (t * lambda >= FULL_CONFIDENCE_EXPONENT) return 1;
    const eTotal = Math.exp(t * lambda);
    return Math.max(0, (eTotal - Math.exp(lambda * Math.min(t, s))) / (eTotal - 1));
  }

  learn(x: Features): void {
    if (!this.names) {
      const names = Object.keys(x).sort();
      if (names.length === 0) return;
      this.fixNames(names);
    }
    const v = this.vector(x);
    if (this.history.length < this.opts.shingleSize - 1) {
      this.history.push(v);
      return;
    }
    this.insert(this.shingle(v));
    if (this.opts.shingleSize > 1) {
      this.history.push(v);
      this.history.shift();
    }
  }

  /** Online model: nothing to refit. */
  fit(): void {}

  score(x: Features): number {
    if (!this.ready()) return 0;
    const p = this.shingle(this.vector(x));
    let total = 0;
    for (const t of this.trees) total += t.score(p);
    return total / this.trees.length;
  }

  explain(x: Features, top: number): Contribution[] {
    if (!this.ready() || top <= 0) return [];
    const names = this.names!;
    const p = this.shingle(this.vector(x));
    const sum = new Float64Array(p.length);
    for (const t of this.trees) {
      const a = t.attribution(p);
      for (let i = 0; i < p.length; i++) sum[i] += a[i];
    }
    const byName = new Float64Array(names.length);
    for (let i = 0; i < p.length; i++) byName[i % names.length] += sum[i] / this.trees.length;
    return names
      .map((feature, j) => ({ feature, weight: byName[j] }))
      .filter((c) => c.weight > 0)
      .sort((a, b) => b.weight - a.weight || (a.feature < b.feature ? -1 : 1))
      .slice(0, top);
  }

  snapshot(): RandomCutForestSnapshot {
    return {
      kind: RANDOM_CUT_FOREST_KIND,
      version: SNAPSHOT_VERSION,
      options: { ...this.opts },
      rng: this.rng.position,
      names: this.names ? [...this.names] : null,
      history: this.history.map((v) => Array.from(v)),
      updates: this.updates,
      ...this.pointInputs(),
      trees: this.trees.map((t) => t.snapshot()),
    };
  }

  static restore(s: RandomCutForestSnapshot): RandomCutForest {
    const m = new RandomCutForest({ ...s.options, features: s.names ?? undefined });
    m.rng = Rng.resume(s.rng);
    m.history = s.history.map((v) => Float64Array.from(v));
    m.updates = s.updates;
    const inputs = new Map(s.inputs.map(([i, v]) => [i, v]));
    const dims = s.names?.length ?? 0;
    for (const id of s.live) {
      const v = new Float64Array(dims * m.opts.shingleSize);
      for (let k = 0; k < m.opts.shingleSize; k++) {
        const input = inputs.get(id + k);
        if (!input || input.length !== dims) throw new Error(`${RANDOM_CUT_FOREST_KIND} snapshot: point ${id} lacks input ${id + k}`);
        v.set(input, k * dims);
      }
      m.points.set(id, { v, refs: 0 });
    }
    s.trees.forEach((t, i) => m.trees[i].restore(t));
    return m;
  }

  /**
   * The stored points as the inputs they are made of: point k is the shingle of inputs k … k + shingleSize − 1
   * (inputs numbered from the first after the names were fixed), so each input is written once, not shingleSize times.
   */
  private pointInputs(): { live: number[]; inputs: Array<[number, number[]]> } {
    const live = [...this.points.keys()].sort((a, b) => a - b);
    const d = this.names?.length ?? 0;
    const inputs = new Map<number, number[]>();
    for (const id of live) {
      const v = this.points.get(id)!.v;
      for (let k = 0; k < this.opts.shingleSize; k++) if (!inputs.has(id + k)) inputs.set(id + k, Array.from(v.subarray(k * d, (k + 1) * d)));
    }
    return { live, inputs: [...inputs].sort((a, b) => a[0] - b[0]) };
  }

  private fixNames(names: string[]): void {
    this.names = [...names];
    this.ids = new Map(names.map((n, i) => [n, i]));
  }

  private vector(x: Features): Float64Array {
    const v = new Float64Array(this.names?.length ?? 0);
    for (const name of Object.keys(x)) {
      const d = this.ids.get(name);
      if (d !== undefined) v[d] = featureValue(x[name]);
    }
    return v;
  }

  private shingle(v: Float64Array): Float64Array {
    const p = new Float64Array(v.length * this.opts.shingleSize);
    this.history.forEach((h, i) => p.set(h, i * v.length));
    p.set(v, (this.opts.shingleSize - 1) * v.length);
    return p;
  }

  private insert(p: Float64Array): void {
    const seq = ++this.updates;
    const id = seq - 1; // point k is made of inputs k … k + shingleSize − 1
    this.points.set(id, { v: p, refs: 0 });
    for (const t of this.trees) t.update(id, seq, this.rng, this.opts.timeDecay);
    if (this.points.get(id)!.refs === 0) this.points.delete(id);
  }
}

/** One tree and its reservoir (a max-heap on weight: the root is the next to go). */
class RandomCutTree {
  private root: TreeNode | undefined;
  private weights: number[] = [];
  private heapPoints: number[] = [];

  constructor(
    private readonly capacity: number,
    private readonly points: Points,
  ) {}

  /** Offers point `id` (the seq-th) to the reservoir; inserts it when accepted, removing the evicted one. */
  update(id: number, seq: number, rng: Rng, timeDecay: number): void {
    let u = rng.next();
    while (u === 0) u = rng.next();
    const weight = -seq * timeDecay + Math.log(-Math.log(u));
    const size = this.weights.length;
    const fraction = size < INITIAL_ACCEPT_FRACTION * this.capacity ? 1 : 1 - (size / this.capacity - INITIAL_ACCEPT_FRACTION) / (1 - INITIAL_ACCEPT_FRACTION);
    const initial = size < this.capacity && rng.next() < fraction;
    if (!initial && !(size > 0 && weight < this.weights[0])) return;
    if (!initial) this.remove(this.popMax());
    const used = this.insert(id, rng);
    this.points.get(used)!.refs++;
    this.push(weight, used);
  }

  score(p: Float64Array): number {
    if (!this.root) return 0;
    const path = this.pathTo(p);
    const leaf = path[path.length - 1] as Leaf;
    const treeMass = this.root.mass;
    let depth = path.length - 1;
    if (equal(this.points.get(leaf.point)!.v, p)) {
      // A point seen before: scored by how often, and no cut above can separate it.
      return dampedSeen(depth, leaf.mass, treeMass) * Math.log2(treeMass + 1);
    }
    let score = 1 / (depth + 1);
    for (depth--; depth >= 0; depth--) {
      const node = path[depth] as Cut;
      const prob = separation(node, p);
      if (prob <= 0) break; // inside this box, so inside every box above: nothing changes
      score = prob / (depth + 1) + (1 - prob) * score;
    }
    return score * Math.log2(treeMass + 1);
  }

  /** The score split over the point's dimensions (high + low directions of core's DiVector). */
  attribution(p: Float64Array): Float64Array {
    const out = new Float64Array(p.length);
    if (!this.root) return out;
    const path = this.pathTo(p);
    const leaf = path[path.length - 1] as Leaf;
    const treeMass = this.root.mass;
    const scale = Math.log2(treeMass + 1);
    let depth = path.length - 1;
    const q = this.points.get(leaf.point)!.v;
    if (equal(q, p)) {
      // No direction explains a duplicate: an even split, as core does.
      out.fill((dampedSeen(depth, leaf.mass, treeMass) * scale) / p.length);
      return out;
    }
    // At the leaf: the chance a cut falls between x and the leaf point, per dimension.
    let range = 0;
    for (let i = 0; i < p.length; i++) range += Math.abs(p[i] - q[i]);
    const unseen = 1 / (depth + 1);
    for (let i = 0; i < p.length; i++) out[i] = (unseen * Math.abs(p[i] - q[i])) / range;
    for (depth--; depth >= 0; depth--) {
      const node = path[depth] as Cut;
      let newRange = 0;
      let gapSum = 0;
      for (let i = 0; i < p.length; i++) {
        const lo = Math.min(node.lo[i], p[i]);
        const hi = Math.max(node.hi[i], p[i]);
        newRange += hi - lo;
        gapSum += hi - lo - (node.hi[i] - node.lo[i]);
      }
      const prob = gapSum / newRange;
      if (prob <= 0) break;
      const s = 1 / (depth + 1);
      for (let i = 0; i < p.length; i++) {
        const gap = Math.max(p[i] - node.hi[i], 0) + Math.max(node.lo[i] - p[i], 0);
        out[i] = (gap / newRange) * s + (1 - prob) * out[i];
      }
    }
    for (let i = 0; i < p.length; i++) out[i] *= scale;
    return out;
  }

  snapshot(): RcfTreeSnapshot {
    const shape: number[] = [];
    const walk = (n: TreeNode): void => {
      if (!n.cut) {
        shape.push(-1 - n.point, n.mass);
        return;
      }
      shape.push(n.dim, n.value);
      walk(n.left);
      walk(n.right);
    };
    if (this.root) walk(this.root);
    return { weights: [...this.weights], points: [...this.heapPoints], shape };
  }

  restore(s: RcfTreeSnapshot): void {
    const bad = (why: string) => new Error(`${RANDOM_CUT_FOREST_KIND} snapshot: ${why}`);
    if (s.weights.length !== s.points.length || s.points.length > this.capacity) throw bad('reservoir size');
    this.weights = [...s.weights];
    this.heapPoints = [...s.points];
    for (const id of s.points) {
      const p = this.points.get(id);
      if (!p) throw bad(`reservoir holds unknown point ${id}`);
      p.refs++;
    }
    let k = 0;
    const read = (parent: Cut | undefined): TreeNode => {
      if (k + 1 >= s.shape.length) throw bad('truncated tree');
      const a = s.shape[k++];
      const b = s.shape[k++];
      if (a < 0) {
        const point = -1 - a;
        if (!this.points.has(point) || !(b >= 1)) throw bad(`bad leaf for point ${point}`);
        return { cut: false, point, mass: b, parent };
      }
      const n = { cut: true, dim: a, value: b, parent, mass: 0 } as Cut;
      n.left = read(n);
      n.right = read(n);
      n.mass = n.left.mass + n.right.mass;
      const dims = this.box(n.left)[0].length;
      if (!(Number.isInteger(a) && a < dims && Number.isFinite(b))) throw bad('bad cut');
      n.lo = new Float64Array(dims);
      n.hi = new Float64Array(dims);
      this.shrink(n);
      return n;
    };
    this.root = s.shape.length > 0 ? read(undefined) : undefined;
    if (k !== s.shape.length || (this.root?.mass ?? 0) !== s.points.length) throw bad('tree does not match its reservoir');
  }

  /** Nodes from the root to the leaf x falls into. */
  private pathTo(p: Float64Array): TreeNode[] {
    const path: TreeNode[] = [];
    let n = this.root!;
    path.push(n);
    while (n.cut) {
      n = p[n.dim] <= n.value ? n.left : n.right;
      path.push(n);
    }
    return path;
  }

  /**
   * Inserts a point: from the root down, a random cut of the node's box merged with the point; where it
   * separates the point from the box, a new node with that cut takes the node's place. Returns the id
   * the tree holds: a duplicate of a leaf's point joins that leaf.
   */
  private insert(id: number, rng: Rng): number {
    const p = this.points.get(id)!.v;
    if (!this.root) {
      this.root = { cut: false, point: id, mass: 1, parent: undefined };
      return id;
    }
    let node = this.root;
    for (;;) {
      const [lo, hi] = this.box(node);
      if (!node.cut && equal(lo, p)) {
        node.mass++;
        this.grow(node.parent, p);
        return node.point;
      }
      let range = 0;
      for (let i = 0; i < p.length; i++) range += Math.max(hi[i], p[i]) - Math.min(lo[i], p[i]);
      // The cut's dimension is drawn in proportion to its span, its value uniformly within the span.
      let r = rng.next() * range;
      let dim = -1;
      for (let i = 0; i < p.length; i++) {
        const span = Math.max(hi[i], p[i]) - Math.min(lo[i], p[i]);
        if (span <= 0) continue;
        dim = i;
        if (r < span) break;
        r -= span;
      }
      const min = Math.min(lo[dim], p[dim]);
      const max = Math.max(hi[dim], p[dim]);
      let value = min + r;
      if (value >= max) value = min; // rounding: stay inside [min, max)
      const separates = (p[dim] <= value && value < lo[dim]) || (hi[dim] <= value && value < p[dim]);
      // At a leaf every such cut separates: the merged box spans exactly the two differing points.
      if (separates || !node.cut) {
        const parent = node.parent;
        const cut: Cut = { cut: true, dim, value, left: node, right: node, mass: node.mass + 1, parent, lo: new Float64Array(p.length), hi: new Float64Array(p.length) };
        const leaf: Leaf = { cut: false, point: id, mass: 1, parent: cut };
        if (p[dim] <= value) cut.left = leaf;
        else cut.right = leaf;
        for (let i = 0; i < p.length; i++) {
          cut.lo[i] = Math.min(lo[i], p[i]);
          cut.hi[i] = Math.max(hi[i], p[i]);
        }
        this.replace(node, cut);
        node.parent = cut;
        this.grow(parent, p);
        return id;
      }
      node = p[node.dim] <= node.value ? node.left : node.right;
    }
  }

  /** Removes one copy of a point (found by its values, as it is the only leaf they lead to). */
  private remove(id: number): void {
    const entry = this.points.get(id)!;
    if (--entry.refs === 0) this.points.delete(id);
    const path = this.pathTo(entry.v);
    const leaf = path[path.length - 1] as Leaf;
    if (leaf.point !== id) throw new Error('random cut tree: evicted point not at its leaf');
    if (--leaf.mass > 0) {
      for (let a = leaf.parent; a; a = a.parent) a.mass--;
      return;
    }
    const parent = leaf.parent;
    if (!parent) {
      this.root = undefined;
      return;
    }
    const sibling = parent.left === leaf ? parent.right : parent.left;
    this.replace(parent, sibling);
    sibling.parent = parent.parent;
    for (let a = sibling.parent; a; a = a.parent) {
      a.mass--;
      this.shrink(a);
    }
  }

  /** Puts `next` where `node` hangs (its parent's child, or the root). */
  private replace(node: TreeNode, next: TreeNode): void {
    const parent = node.parent;
    if (!parent) this.root = next;
    else if (parent.left === node) parent.left = next;
    else parent.right = next;
  }

  /** One more point under every node from `from` up: masses and boxes. */
  private grow(from: Cut | undefined, p: Float64Array): void {
    for (let a = from; a; a = a.parent) {
      a.mass++;
      for (let i = 0; i < p.length; i++) {
        if (p[i] < a.lo[i]) a.lo[i] = p[i];
        if (p[i] > a.hi[i]) a.hi[i] = p[i];
      }
    }
  }

  private box(n: TreeNode): [Float64Array, Float64Array] {
    if (n.cut) return [n.lo, n.hi];
    const v = this.points.get(n.point)!.v;
    return [v, v];
  }

  /** Sets a node's box to its children's (after a point left it). */
  private shrink(n: Cut): void {
    const [alo, ahi] = this.box(n.left);
    const [blo, bhi] = this.box(n.right);
    for (let i = 0; i < n.lo.length; i++) {
      n.lo[i] = Math.min(alo[i], blo[i]);
      n.hi[i] = Math.max(ahi[i], bhi[i]);
    }
  }

  private push(weight: number, id: number): void {
    const w = this.weights;
    const ids = this.heapPoints;
    let i = w.length;
    w.push(weight);
    ids.push(id);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (w[up] >= w[i]) break;
      swap(w, ids, i, up);
      i = up;
    }
  }

  private popMax(): number {
    const w = this.weights;
    const ids = this.heapPoints;
    const top = ids[0];
    const lastW = w.pop()!;
    const lastId = ids.pop()!;
    if (w.length === 0) return top;
    w[0] = lastW;
    ids[0] = lastId;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      if (l >= w.length) break;
      const c = l + 1 < w.length && w[l + 1] > w[l] ? l + 1 : l;
      if (w[c] <= w[i]) break;
      swap(w, ids, i, c);
      i = c;
    }
    return top;
  }
}

/** Probability that a random cut of the node's box merged with p separates p from the box. */
function separation(node: Cut, p: Float64Array): number {
  let newRange = 0;
  let added = 0;
  for (let i = 0; i < p.length; i++) {
    const old = node.hi[i] - node.lo[i];
    const span = Math.max(node.hi[i], p[i]) - Math.min(node.lo[i], p[i]);
    newRange += span;
    added += span - old;
  }
  return newRange > 0 ? added / newRange : 0;
}

/** Core's score for a point equal to a leaf's: damped by the share of the tree it is, 1 / (depth + log2(mass + 1)). */
function dampedSeen(depth: number, leafMass: number, treeMass: number): number {
  return (1 - leafMass / (2 * treeMass)) / (depth + Math.log2(leafMass + 1));
}

function equal(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function swap(w: number[], ids: number[], i: number, j: number): void {
  [w[i], w[j]] = [w[j], w[i]];
  [ids[i], ids[j]] = [ids[j], ids[i]];
}

function positiveInt(v: number, name: string): number {
  if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`random cut forest: ${name} must be a positive integer, got ${v}`);
  return v;
}

export interface RcfTreeSnapshot {
  /** The reservoir heap as stored. */
  weights: number[];
  points: number[];
  /** The tree in preorder: a cut as [dimension, value], a leaf as [−1 − point id, mass]. */
  shape: number[];
}

export interface RandomCutForestSnapshot extends ModelSnapshot {
  options: Required<Omit<RandomCutForestOptions, 'features'>>;
  rng: number;
  names: string[] | null;
  history: number[][];
  updates: number;
  /** Ids of the points some reservoir holds; their values are rebuilt from `inputs`. */
  live: number[];
  inputs: Array<[number, number[]]>;
  trees: RcfTreeSnapshot[];
}

/** Rebuilds a model from `snapshot()` output (after a JSON round trip); throws on another kind or version. */
export function restoreRandomCutForest(s: unknown): RandomCutForest {
  checkSnapshot(s, RANDOM_CUT_FOREST_KIND, SNAPSHOT_VERSION);
  const o = s as RandomCutForestSnapshot;
  if (!o.options || !Array.isArray(o.live) || !Array.isArray(o.inputs) || !Array.isArray(o.trees) || o.trees.length !== o.options.trees) {
    throw new Error(`${RANDOM_CUT_FOREST_KIND} snapshot: missing or inconsistent fields`);
  }
  return RandomCutForest.restore(o);
}
