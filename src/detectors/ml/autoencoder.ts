/**
 * A small dense variational autoencoder (Kingma & Welling 2014) on Float32Array weights, trained with Adam
 * on a sliding window of standardised inputs:
 *   encoder  x → tanh(hidden) → μ, log σ²  (latent)      decoder  z → tanh(hidden) → x̂  (linear output)
 * Loss per input: ½‖x̂ − x‖² + β·KL(N(μ, σ²) ‖ N(0, 1)), z = μ + σ·ε in training (seeded ε).
 *
 * Score = mean squared reconstruction error over the fitted features, decoding the latent mean (no
 * sampling, so pure and deterministic). Each fit continues from the previous weights and Adam state; a
 * feature new to the index adds its input column and output row (seeded initial weights). Training inputs
 * are clipped to ±TRAIN_CLIP standard deviations so a few extreme windows cannot dominate the loss;
 * scored inputs are not clipped.
 */
import type { Rng } from '../../util/rng.js';
import { checkSnapshot, type Contribution, type Features, type Model, type ModelSnapshot } from '../model.js';
import { FeatureSpace, fitRng, gaussian, isCount, isFiniteArray, permutation, TrainingWindow } from './feature-space.js';

export interface AutoencoderOptions {
  seed: number;
  hidden: number;
  latent: number;
  /** Passes over the window per fit. */
  epochs: number;
  learningRate: number;
  batchSize: number;
  /**
   * Weight of the KL term (β-VAE). Below 1 because at β = 1 the KL term outweighs the reconstruction of
   * a few weakly correlated standardised features and the decoder collapses to their mean: on the
   * synthetic plane and the WAF windows 0.1 reconstructs 3× better and separates outliers better.
   */
  beta: number;
  /** Inputs kept for training (the most recent). */
  window: number;
  /** Learns between automatic refits. */
  refitEvery: number;
  maxFeatures: number;
}

export const AUTOENCODER_DEFAULTS: AutoencoderOptions = {
  seed: 1,
  hidden: 16,
  latent: 4,
  epochs: 30,
  learningRate: 1e-2,
  batchSize: 32,
  beta: 0.1,
  window: 2048,
  refitEvery: 512,
  maxFeatures: 512,
};

const KIND = 'autoencoder';
const VERSION = 1;
const TRAIN_CLIP = 10;
const LOGVAR_LIMIT = 10;
const ADAM = { b1: 0.9, b2: 0.999, eps: 1e-8 };

/** Weights with their Adam moments. Weights touching the inputs are feature-major so growth appends. */
interface Param {
  w: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

const PARAM_NAMES = ['encIn', 'encInBias', 'mu', 'muBias', 'logVar', 'logVarBias', 'decIn', 'decInBias', 'out', 'outBias'] as const;
type ParamName = (typeof PARAM_NAMES)[number];
type Params = Record<ParamName, Param>;

/** Lengths of every parameter for d features (encIn: d×H, out: d×H and outBias: d are feature-major). */
function shapes(d: number, h: number, l: number): Record<ParamName, number> {
  return {
    encIn: d * h,
    encInBias: h,
    mu: h * l,
    muBias: l,
    logVar: h * l,
    logVarBias: l,
    decIn: l * h,
    decInBias: h,
    out: d * h,
    outBias: d,
  };
}

/** Activations of one forward pass. */
interface Pass {
  h1: Float64Array;
  mu: Float64Array;
  logVar: Float64Array;
  z: Float64Array;
  g: Float64Array;
  xHat: Float64Array;
}

export class Autoencoder implements Model<Features> {
  readonly kind = KIND;
  private readonly opts: AutoencoderOptions;
  private space: FeatureSpace;
  private window: TrainingWindow;
  private params: Params | undefined;
  private adamStep = 0;
  private fits = 0;

  constructor(opts: Partial<AutoencoderOptions> = {}) {
    this.opts = { ...AUTOENCODER_DEFAULTS, ...opts };
    const o = this.opts;
    for (const k of ['hidden', 'latent', 'epochs', 'batchSize', 'window', 'refitEvery', 'maxFeatures'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`autoencoder: ${k} ${o[k]} is not an integer ≥ 1`);
    }
    if (!(o.learningRate > 0) || !(o.beta >= 0)) throw new Error('autoencoder: learningRate must be > 0 and beta ≥ 0');
    this.space = new FeatureSpace(o.maxFeatures);
    this.window = new TrainingWindow(o.window);
  }

  learn(x: Features): void {
    this.window.add(x);
    if (this.window.sinceFit >= this.opts.refitEvery) this.fit();
  }

  ready(): boolean {
    return this.params !== undefined;
  }

  fit(): void {
    const inputs = this.window.inputs();
    this.window.sinceFit = 0;
    if (inputs.length === 0) return;
    const rng = fitRng(this.opts.seed, this.fits);
    this.fits++;
    this.space.fit(inputs);
    if (this.space.size === 0) return;
    this.grow(rng);
    const xs = inputs.map((x) => this.space.vector(x, TRAIN_CLIP));
    this.train(xs, rng);
  }

  score(x: Features): number {
    if (!this.params || this.space.size === 0) return 0;
    const errors = this.errors(x);
    let sum = 0;
    for (const e of errors) sum += e;
    return sum / errors.length;
  }

  /** Features by squared reconstruction error (standardised units), largest first. */
  explain(x: Features, top: number): Contribution[] {
    if (!this.params || this.space.size === 0) return [];
    const errors = this.errors(x);
    return Array.from(errors, (weight, j) => ({ feature: this.space.names[j], weight }))
      .sort((a, b) => b.weight - a.weight || (a.feature < b.feature ? -1 : 1))
      .slice(0, Math.max(0, top));
  }

  snapshot(): ModelSnapshot {
    const params = this.params;
    return {
      kind: KIND,
      version: VERSION,
      options: { ...this.opts },
      fits: this.fits,
      adamStep: this.adamStep,
      space: this.space.snapshot(),
      window: this.window.snapshot(),
      params: params
        ? Object.fromEntries(
            PARAM_NAMES.map((n) => [n, { w: Array.from(params[n].w), m: Array.from(params[n].m), v: Array.from(params[n].v) }]),
          )
        : null,
    };
  }

  static restore(s: unknown): Autoencoder {
    checkSnapshot(s, KIND, VERSION);
    const o = s.options as Record<string, unknown> | null;
    if (!o || typeof o !== 'object') throw new Error('autoencoder snapshot: no options');
    const opts: Partial<AutoencoderOptions> = {};
    for (const k of Object.keys(AUTOENCODER_DEFAULTS) as (keyof AutoencoderOptions)[]) {
      if (typeof o[k] !== 'number') throw new Error(`autoencoder snapshot: option ${k} is not a number`);
      opts[k] = o[k];
    }
    const m = new Autoencoder(opts);
    if (!isCount(s.fits) || !isCount(s.adamStep)) throw new Error('autoencoder snapshot: bad counters');
    m.fits = s.fits;
    m.adamStep = s.adamStep;
    m.space = FeatureSpace.restore(s.space, m.opts.maxFeatures, KIND);
    m.window = TrainingWindow.restore(s.window, m.opts.window, KIND);
    if (s.params !== null) {
      const lens = shapes(m.space.size, m.opts.hidden, m.opts.latent);
      const raw = s.params as Record<string, { w?: unknown; m?: unknown; v?: unknown }> | undefined;
      const params = {} as Params;
      for (const n of PARAM_NAMES) {
        const p = raw?.[n];
        if (!p || !isFiniteArray(p.w, lens[n]) || !isFiniteArray(p.m, lens[n]) || !isFiniteArray(p.v, lens[n])) {
          throw new Error(`autoencoder snapshot: bad parameter ${n}`);
        }
        params[n] = { w: Float32Array.from(p.w), m: Float32Array.from(p.m), v: Float32Array.from(p.v) };
      }
      m.params = params;
    }
    return m;
  }

  /** Squared error per feature of the reconstruction from the latent mean. */
  private errors(x: Features): Float64Array {
    const z = this.space.vector(x);
    const pass = this.newPass(z.length);
    this.forward(z, pass);
    const out = new Float64Array(z.length);
    for (let j = 0; j < z.length; j++) out[j] = (pass.xHat[j] - z[j]) ** 2;
    return out;
  }

  /** Creates the parameters, or extends them for features new to the index (seeded initial values). */
  private grow(rng: Rng): void {
    const { hidden: h, latent: l } = this.opts;
    const d = this.space.size;
    const lens = shapes(d, h, l);
    const fanIn: Record<ParamName, number> = {
      encIn: d,
      encInBias: 0,
      mu: h,
      muBias: 0,
      logVar: h,
      logVarBias: 0,
      decIn: l,
      decInBias: 0,
      out: h,
      outBias: 0,
    };
    const old = this.params;
    const next = {} as Params;
    for (const n of PARAM_NAMES) {
      const prev = old?.[n];
      const have = prev?.w.length ?? 0;
      if (prev && have === lens[n]) {
        next[n] = prev;
        continue;
      }
      const p: Param = { w: new Float32Array(lens[n]), m: new Float32Array(lens[n]), v: new Float32Array(lens[n]) };
      if (prev) {
        p.w.set(prev.w);
        p.m.set(prev.m);
        p.v.set(prev.v);
      }
      const std = fanIn[n] > 0 ? Math.sqrt(1 / fanIn[n]) : 0;
      if (std > 0) for (let i = have; i < lens[n]; i++) p.w[i] = gaussian(rng) * std;
      next[n] = p;
    }
    this.params = next;
  }

  /** Fills `a` with the activations for `x`; with `rng`, samples z (writing its ε to `eps`), else z = μ. */
  private forward(x: Float64Array, a: Pass, rng?: Rng, eps?: Float64Array): void {
    const p = this.params!;
    const { hidden: H, latent: L } = this.opts;
    const d = x.length;
    const encIn = p.encIn.w;
    const { h1, mu, logVar, z, g, xHat } = a;
    h1.set(p.encInBias.w);
    for (let j = 0; j < d; j++) {
      const xj = x[j];
      if (xj === 0) continue;
      const row = j * H;
      for (let k = 0; k < H; k++) h1[k] += encIn[row + k] * xj;
    }
    for (let k = 0; k < H; k++) h1[k] = Math.tanh(h1[k]);
    const wMu = p.mu.w;
    const wLogVar = p.logVar.w;
    mu.set(p.muBias.w);
    logVar.set(p.logVarBias.w);
    for (let k = 0; k < H; k++) {
      const row = k * L;
      const hk = h1[k];
      for (let l = 0; l < L; l++) {
        mu[l] += wMu[row + l] * hk;
        logVar[l] += wLogVar[row + l] * hk;
      }
    }
    for (let l = 0; l < L; l++) {
      logVar[l] = Math.max(-LOGVAR_LIMIT, Math.min(LOGVAR_LIMIT, logVar[l]));
      if (rng && eps) {
        eps[l] = gaussian(rng);
        z[l] = mu[l] + Math.exp(logVar[l] / 2) * eps[l];
      } else z[l] = mu[l];
    }
    const decIn = p.decIn.w;
    g.set(p.decInBias.w);
    for (let l = 0; l < L; l++) {
      const row = l * H;
      const zl = z[l];
      for (let k = 0; k < H; k++) g[k] += decIn[row + k] * zl;
    }
    for (let k = 0; k < H; k++) g[k] = Math.tanh(g[k]);
    const out = p.out.w;
    const outBias = p.outBias.w;
    for (let j = 0; j < d; j++) {
      const row = j * H;
      let s = outBias[j];
      for (let k = 0; k < H; k++) s += out[row + k] * g[k];
      xHat[j] = s;
    }
  }

  private newPass(d: number): Pass {
    const { hidden: H, latent: L } = this.opts;
    return {
      h1: new Float64Array(H),
      mu: new Float64Array(L),
      logVar: new Float64Array(L),
      z: new Float64Array(L),
      g: new Float64Array(H),
      xHat: new Float64Array(d),
    };
  }

  /** Mini-batch Adam on the window, in a seeded order with seeded ε. */
  private train(xs: Float64Array[], rng: Rng): void {
    const p = this.params!;
    const { hidden: H, latent: L, epochs, batchSize, beta } = this.opts;
    const d = this.space.size;
    const grads = {} as Record<ParamName, Float64Array>;
    for (const n of PARAM_NAMES) grads[n] = new Float64Array(p[n].w.length);
    const [gOut, gOutBias, gDecIn, gDecInBias] = [grads.out, grads.outBias, grads.decIn, grads.decInBias];
    const [gMu, gMuBias, gLogVar, gLogVarBias] = [grads.mu, grads.muBias, grads.logVar, grads.logVarBias];
    const [gEncIn, gEncInBias] = [grads.encIn, grads.encInBias];
    const [out, decIn, wMu, wLogVar] = [p.out.w, p.decIn.w, p.mu.w, p.logVar.w];
    const a = this.newPass(d);
    const eps = new Float64Array(L);
    const dg = new Float64Array(H);
    const dMu = new Float64Array(L);
    const dLogVar = new Float64Array(L);
    const dh1 = new Float64Array(H);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(rng, xs.length);
      for (let start = 0; start < xs.length; start += batchSize) {
        const end = Math.min(xs.length, start + batchSize);
        for (const n of PARAM_NAMES) grads[n].fill(0);
        for (let b = start; b < end; b++) {
          const x = xs[order[b]];
          this.forward(x, a, rng, eps);
          const { h1, mu, logVar, z, g, xHat } = a;
          // decoder: ½‖x̂ − x‖²
          dg.fill(0);
          for (let j = 0; j < d; j++) {
            const row = j * H;
            const e = xHat[j] - x[j];
            gOutBias[j] += e;
            for (let k = 0; k < H; k++) {
              gOut[row + k] += e * g[k];
              dg[k] += out[row + k] * e;
            }
          }
          for (let k = 0; k < H; k++) {
            dg[k] *= 1 - g[k] * g[k];
            gDecInBias[k] += dg[k];
          }
          // latent: reparameterisation and β·KL
          for (let l = 0; l < L; l++) {
            const row = l * H;
            let dz = 0;
            for (let k = 0; k < H; k++) {
              gDecIn[row + k] += dg[k] * z[l];
              dz += decIn[row + k] * dg[k];
            }
            const sigma = Math.exp(logVar[l] / 2);
            dMu[l] = dz + beta * mu[l];
            dLogVar[l] = dz * eps[l] * sigma * 0.5 + beta * 0.5 * (sigma * sigma - 1);
            gMuBias[l] += dMu[l];
            gLogVarBias[l] += dLogVar[l];
          }
          // encoder
          for (let k = 0; k < H; k++) {
            const row = k * L;
            let s = 0;
            for (let l = 0; l < L; l++) {
              gMu[row + l] += dMu[l] * h1[k];
              gLogVar[row + l] += dLogVar[l] * h1[k];
              s += wMu[row + l] * dMu[l] + wLogVar[row + l] * dLogVar[l];
            }
            dh1[k] = s * (1 - h1[k] * h1[k]);
            gEncInBias[k] += dh1[k];
          }
          for (let j = 0; j < d; j++) {
            const xj = x[j];
            if (xj === 0) continue;
            const row = j * H;
            for (let k = 0; k < H; k++) gEncIn[row + k] += dh1[k] * xj;
          }
        }
        this.adam(grads, 1 / (end - start));
      }
    }
  }

  private adam(grads: Record<ParamName, Float64Array>, scale: number): void {
    const p = this.params!;
    const t = ++this.adamStep;
    const lr = (this.opts.learningRate * Math.sqrt(1 - ADAM.b2 ** t)) / (1 - ADAM.b1 ** t);
    for (const n of PARAM_NAMES) {
      const { w, m, v } = p[n];
      const g = grads[n];
      for (let i = 0; i < w.length; i++) {
        const gi = g[i] * scale;
        m[i] = ADAM.b1 * m[i] + (1 - ADAM.b1) * gi;
        v[i] = ADAM.b2 * v[i] + (1 - ADAM.b2) * gi * gi;
        w[i] -= (lr * m[i]) / (Math.sqrt(v[i]) + ADAM.eps);
      }
    }
  }
}

export function restoreAutoencoder(s: unknown): Autoencoder {
  return Autoencoder.restore(s);
}
