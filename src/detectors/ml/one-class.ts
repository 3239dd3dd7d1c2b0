/**
 * A one-class boundary around the training window: random Fourier features (Rahimi & Recht 2007)
 * approximate an RBF kernel exp(−γ‖x − y‖²) with φ(x) = √(2/D)·cos(Ωx + b), Ω ~ N(0, 2γ), b ~ U(0, 2π),
 * and a linear one-class SVM in that space (Schölkopf et al. 2001, ν formulation) is trained by averaged
 * SGD on the standardised window:
 *   min_w,ρ  ν/2‖w‖² − νρ + mean_i max(0, ρ − w·φ(x_i))
 * so about a fraction ν of the training inputs fall outside the boundary w·φ(x) = ρ.
 *
 * Score = (c − w·φ(x)) / (c − ρ) + range excess, c = √2‖w‖ ≥ max w·φ. The first term is an affine,
 * monotone map of the SVM's decision value ρ − w·φ(x): ≥ 0 everywhere, 1 on the boundary, > 1 outside,
 * and it keeps inliers ranked (the hinge max(0, ρ − w·φ) would tie them all at 0). The range excess is
 * Σ_j how many standard deviations feature j lies beyond the range it had in the window (0 inside it):
 * far from all training data the kernel tends to 0, and the decision value to ρ, but its D-feature
 * approximation only to within about ‖w‖/√D, so a far input could land inside by chance; the excess keeps
 * such inputs outside and ranked by distance.
 *
 * Each fit retrains w and ρ from zero on the window; Ω keeps its standard-normal draws across fits (a new
 * feature adds a seeded row) and is scaled by the fit's γ (default 1/d for d standardised features: the
 * median squared distance is about 2d).
 */
import type { Rng } from '../../util/rng.js';
import { checkSnapshot, type Contribution, type Features, type Model, type ModelSnapshot } from '../model.js';
import { FeatureSpace, fitRng, gaussian, isCount, isFiniteArray, permutation, TrainingWindow } from './feature-space.js';

export interface OneClassOptions {
  seed: number;
  /** Random Fourier features D. */
  components: number;
  /** RBF width; 0 = 1 / (number of features) at each fit. */
  gamma: number;
  /** Upper bound on the share of training inputs outside the boundary. */
  nu: number;
  /** SGD passes over the window per fit. */
  epochs: number;
  window: number;
  refitEvery: number;
  maxFeatures: number;
}

export const ONE_CLASS_DEFAULTS: OneClassOptions = {
  seed: 1,
  components: 64,
  gamma: 0,
  nu: 0.05,
  epochs: 20,
  window: 2048,
  refitEvery: 512,
  maxFeatures: 512,
};

const KIND = 'one-class';
const VERSION = 1;
const TRAIN_CLIP = 10;

interface Boundary {
  /** Feature-major standard normals: row j = the D draws of feature j. */
  omega: Float32Array;
  phase: Float32Array;
  gamma: number;
  w: Float64Array;
  rho: number;
  /** Per feature, the standardised range of the window. */
  lo: Float64Array;
  hi: Float64Array;
}

export class OneClassBoundary implements Model<Features> {
  readonly kind = KIND;
  private readonly opts: OneClassOptions;
  private space: FeatureSpace;
  private window: TrainingWindow;
  private boundary: Boundary | undefined;
  private fits = 0;

  constructor(opts: Partial<OneClassOptions> = {}) {
    this.opts = { ...ONE_CLASS_DEFAULTS, ...opts };
    const o = this.opts;
    for (const k of ['components', 'epochs', 'window', 'refitEvery', 'maxFeatures'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`one-class: ${k} ${o[k]} is not an integer ≥ 1`);
    }
    if (!(o.nu > 0 && o.nu <= 1)) throw new Error(`one-class: nu ${o.nu} is not in (0, 1]`);
    if (!(o.gamma >= 0)) throw new Error(`one-class: gamma ${o.gamma} is not ≥ 0`);
    this.space = new FeatureSpace(o.maxFeatures);
    this.window = new TrainingWindow(o.window);
  }

  learn(x: Features): void {
    this.window.add(x);
    if (this.window.sinceFit >= this.opts.refitEvery) this.fit();
  }

  ready(): boolean {
    return this.boundary !== undefined;
  }

  fit(): void {
    const inputs = this.window.inputs();
    this.window.sinceFit = 0;
    if (inputs.length === 0) return;
    const rng = fitRng(this.opts.seed, this.fits);
    this.fits++;
    this.space.fit(inputs);
    const d = this.space.size;
    if (d === 0) return;
    const D = this.opts.components;
    const prev = this.boundary;
    const omega = new Float32Array(d * D);
    let phase: Float32Array;
    if (prev) {
      omega.set(prev.omega);
      phase = prev.phase;
    } else {
      phase = new Float32Array(D);
      for (let i = 0; i < D; i++) phase[i] = rng.next() * 2 * Math.PI;
    }
    for (let i = prev?.omega.length ?? 0; i < omega.length; i++) omega[i] = gaussian(rng);
    const b: Boundary = {
      omega,
      phase,
      gamma: this.opts.gamma || 1 / d,
      w: new Float64Array(D),
      rho: 0,
      lo: new Float64Array(d).fill(Infinity),
      hi: new Float64Array(d).fill(-Infinity),
    };
    const phis = inputs.map((x) => {
      const z = this.space.vector(x);
      for (let j = 0; j < d; j++) {
        b.lo[j] = Math.min(b.lo[j], z[j]);
        b.hi[j] = Math.max(b.hi[j], z[j]);
      }
      for (let j = 0; j < d; j++) z[j] = Math.max(-TRAIN_CLIP, Math.min(TRAIN_CLIP, z[j]));
      return this.features(b, z);
    });
    this.train(b, phis, rng);
    this.boundary = b;
  }

  score(x: Features): number {
    const b = this.boundary;
    if (!b) return 0;
    const z = this.space.vector(x);
    let excess = 0;
    for (let j = 0; j < z.length; j++) excess += excessOf(b, z, j);
    return this.scoreOf(b, this.features(b, z)) + excess;
  }

  /**
   * Features by how much the score falls when that one feature is set to its training mean (its range
   * excess included), largest first; only those that raise the score.
   */
  explain(x: Features, top: number): Contribution[] {
    const b = this.boundary;
    if (!b) return [];
    const z = this.space.vector(x);
    const D = this.opts.components;
    const proj = this.projection(b, z);
    const full = this.scoreOf(b, this.cosines(b, proj));
    const scale = Math.sqrt(2 * b.gamma);
    const out: Contribution[] = [];
    const moved = new Float64Array(D);
    for (let j = 0; j < z.length; j++) {
      if (z[j] === 0) continue;
      for (let i = 0; i < D; i++) moved[i] = proj[i] - scale * b.omega[j * D + i] * z[j];
      const weight = full - this.scoreOf(b, this.cosines(b, moved)) + excessOf(b, z, j);
      if (weight > 0) out.push({ feature: this.space.names[j], weight });
    }
    return out.sort((p, q) => q.weight - p.weight || (p.feature < q.feature ? -1 : 1)).slice(0, Math.max(0, top));
  }

  snapshot(): ModelSnapshot {
    const b = this.boundary;
    return {
      kind: KIND,
      version: VERSION,
      options: { ...this.opts },
      fits: this.fits,
      space: this.space.snapshot(),
      window: this.window.snapshot(),
      boundary: b
        ? {
            omega: Array.from(b.omega),
            phase: Array.from(b.phase),
            gamma: b.gamma,
            w: Array.from(b.w),
            rho: b.rho,
            lo: Array.from(b.lo),
            hi: Array.from(b.hi),
          }
        : null,
    };
  }

  static restore(s: unknown): OneClassBoundary {
    checkSnapshot(s, KIND, VERSION);
    const o = s.options as Record<string, unknown> | null;
    if (!o || typeof o !== 'object') throw new Error('one-class snapshot: no options');
    const opts: Partial<OneClassOptions> = {};
    for (const k of Object.keys(ONE_CLASS_DEFAULTS) as (keyof OneClassOptions)[]) {
      if (typeof o[k] !== 'number') throw new Error(`one-class snapshot: option ${k} is not a number`);
      opts[k] = o[k];
    }
    const m = new OneClassBoundary(opts);
    if (!isCount(s.fits)) throw new Error('one-class snapshot: bad counters');
    m.fits = s.fits;
    m.space = FeatureSpace.restore(s.space, m.opts.maxFeatures, KIND);
    m.window = TrainingWindow.restore(s.window, m.opts.window, KIND);
    if (s.boundary !== null) {
      const D = m.opts.components;
      const b = s.boundary as Record<string, unknown> | undefined;
      const ok =
        b &&
        isFiniteArray(b.omega, m.space.size * D) &&
        isFiniteArray(b.phase, D) &&
        isFiniteArray(b.w, D) &&
        isFiniteArray(b.lo, m.space.size) &&
        isFiniteArray(b.hi, m.space.size) &&
        typeof b.gamma === 'number' &&
        b.gamma > 0 &&
        Number.isFinite(b.rho);
      if (!ok) throw new Error('one-class snapshot: bad boundary');
      m.boundary = {
        omega: Float32Array.from(b.omega as number[]),
        phase: Float32Array.from(b.phase as number[]),
        gamma: b.gamma as number,
        w: Float64Array.from(b.w as number[]),
        rho: b.rho as number,
        lo: Float64Array.from(b.lo as number[]),
        hi: Float64Array.from(b.hi as number[]),
      };
    }
    return m;
  }

  /** Ωz + b with Ω = √(2γ)·(standard normals). */
  private projection(b: Boundary, z: Float64Array): Float64Array {
    const D = this.opts.components;
    const proj = new Float64Array(D);
    for (let i = 0; i < D; i++) proj[i] = b.phase[i];
    const scale = Math.sqrt(2 * b.gamma);
    for (let j = 0; j < z.length; j++) {
      const zj = z[j] * scale;
      if (zj === 0) continue;
      const row = j * D;
      for (let i = 0; i < D; i++) proj[i] += b.omega[row + i] * zj;
    }
    return proj;
  }

  private cosines(b: Boundary, proj: Float64Array): Float64Array {
    const D = proj.length;
    const norm = Math.sqrt(2 / D);
    const phi = new Float64Array(D);
    for (let i = 0; i < D; i++) phi[i] = norm * Math.cos(proj[i]);
    return phi;
  }

  private features(b: Boundary, z: Float64Array): Float64Array {
    return this.cosines(b, this.projection(b, z));
  }

  private scoreOf(b: Boundary, phi: Float64Array): number {
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < phi.length; i++) {
      dot += b.w[i] * phi[i];
      norm += b.w[i] * b.w[i];
    }
    const c = Math.SQRT2 * Math.sqrt(norm);
    const span = c - b.rho;
    // a degenerate boundary (w = 0) ranks by the raw decision value
    return span > 1e-12 ? Math.max(0, (c - dot) / span) : Math.max(0, b.rho - dot);
  }

  /**
   * Averaged SGD with the Pegasos step 1/(ν(t + t0)); the averages of the last half of the steps are the
   * result (plain SGD iterates keep jittering around the optimum).
   */
  private train(b: Boundary, phis: Float64Array[], rng: Rng): void {
    const { nu, epochs } = this.opts;
    const D = this.opts.components;
    const w = new Float64Array(D);
    let rho = 0;
    const avgW = new Float64Array(D);
    let avgRho = 0;
    let averaged = 0;
    const total = epochs * phis.length;
    const t0 = 1 / nu;
    let t = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(rng, phis.length);
      for (let k = 0; k < phis.length; k++, t++) {
        const phi = phis[order[k]];
        const eta = 1 / (nu * (t + t0));
        let dot = 0;
        for (let i = 0; i < D; i++) dot += w[i] * phi[i];
        const outside = dot < rho ? 1 : 0;
        const shrink = 1 - eta * nu;
        for (let i = 0; i < D; i++) w[i] = shrink * w[i] + eta * outside * phi[i];
        rho += eta * (nu - outside);
        if (2 * t >= total) {
          averaged++;
          for (let i = 0; i < D; i++) avgW[i] += (w[i] - avgW[i]) / averaged;
          avgRho += (rho - avgRho) / averaged;
        }
      }
    }
    b.w = avgW;
    b.rho = avgRho;
  }
}

/** Standard deviations feature j lies outside the window's range. */
function excessOf(b: Boundary, z: Float64Array, j: number): number {
  return Math.max(0, z[j] - b.hi[j], b.lo[j] - z[j]);
}

export function restoreOneClass(s: unknown): OneClassBoundary {
  return OneClassBoundary.restore(s);
}
