/**
 * The one calibration wrapper: a learned model (Isolation Forest, Random Cut Forest, autoencoder,
 * sequence model…) made into a detector. The model gives a raw score of the scope's input (through the
 * scope's production featurizer), its calibrator turns it into a grade against the model's own score
 * history, and the model's explanation becomes the finding's contributing features.
 */
import { Calibrator, type CalibrationOptions, type CalibratorSnapshot } from './calibrate.js';
import { checkDetectorSnapshot, type Detector, type DetectorSnapshot, type Finding, type Scope, type ScopeContext, type ScopeInput } from './contract.js';
import type { Contribution, Model, ModelSnapshot } from './model.js';

const VERSION = 1;

export interface CalibratedSpec<S extends Scope, X> {
  name: string;
  scope: S;
  calibration: CalibrationOptions;
  /** A fresh model (also when the source's monitored fields change, for models whose dimensions follow them). */
  make(): Model<X>;
  restoreModel(s: ModelSnapshot): Model<X>;
  /** The model's input, from the scope's input and context (a production featurizer). */
  featurize(x: ScopeInput[S], ctx: ScopeContext[S]): X;
  /** The reason of an anomaly: `explain(k)` gives the model's k strongest features. */
  describe(raw: number, explain: (k: number) => Contribution[]): string;
  /** Scores of a model that changes only when fitted may be cached under this key of the input. */
  cacheKey?(x: ScopeInput[S], ctx: ScopeContext[S]): string;
  /** Which inputs are learned (default all): a regular sample spreads a bounded training window over more history. */
  learns?(ctx: ScopeContext[S]): boolean;
  /** The model's dimensions follow the monitored fields: it starts again when they change. */
  followsFields?: boolean;
  /** Learns every input in every mode (a streaming model). */
  streaming?: boolean;
}

export interface CalibratedSnapshot extends DetectorSnapshot {
  model: ModelSnapshot;
  calibrator: CalibratorSnapshot;
}

const CACHE_LIMIT = 100_000;

export class CalibratedDetector<S extends Scope, X> implements Detector<S> {
  readonly learned = true;
  readonly state = 'large';
  readonly name: string;
  readonly scope: S;
  readonly streaming: boolean;
  private model: Model<X>;
  private calibrator: Calibrator;
  private restores = 0;
  private cache = new Map<string, number>();
  private cacheGen = '';
  /** The last input scored: `observe` right after `score` reuses its raw score. */
  private last?: { x: ScopeInput[S]; gen: string; raw: number | undefined };

  constructor(private readonly spec: CalibratedSpec<S, X>) {
    this.name = spec.name;
    this.scope = spec.scope;
    this.streaming = spec.streaming === true;
    this.model = spec.make();
    this.calibrator = new Calibrator(spec.calibration);
  }

  /** Changes on each fit and restore: cached scores are valid for one generation. */
  private get generation(): string {
    return `${this.restores}:${this.model.generation ?? 0}`;
  }

  ready(): boolean {
    return this.model.ready() && this.calibrator.warm();
  }

  /** The raw score, or undefined while the model is not ready. Pure (caches change no score). */
  raw(x: ScopeInput[S], ctx: ScopeContext[S]): number | undefined {
    if (!this.model.ready()) return undefined;
    const gen = this.generation;
    if (this.last && this.last.x === x && this.last.gen === gen) return this.last.raw;
    let raw: number | undefined;
    const key = this.spec.cacheKey?.(x, ctx);
    if (key !== undefined) {
      if (gen !== this.cacheGen) {
        this.cache.clear();
        this.cacheGen = gen;
      }
      raw = this.cache.get(key);
      if (raw === undefined) {
        raw = this.model.score(this.spec.featurize(x, ctx));
        if (this.cache.size < CACHE_LIMIT) this.cache.set(key, raw);
      }
    } else raw = this.model.score(this.spec.featurize(x, ctx));
    this.last = { x, gen, raw };
    return raw;
  }

  score(x: ScopeInput[S], ctx: ScopeContext[S]): Finding[] {
    const raw = this.raw(x, ctx);
    if (raw === undefined || !this.calibrator.warm()) return [];
    const grade = this.calibrator.grade(raw);
    if (grade < this.spec.calibration.threshold) {
      // most inputs are normal: records (the bulk) carry only their score; windows and sessions the boundary too
      if (this.scope === 'record') return [{ detector: this.name, grade, reason: this.name, explain: { score: raw } }];
      return [{ detector: this.name, grade, reason: `${this.name} score ${raw}`, explain: { score: raw, boundary: this.calibrator.boundaryScore(), contributions: [] } }];
    }
    // explanations cost a model walk each: only anomalies get them
    const input = this.spec.featurize(x, ctx);
    return [
      {
        detector: this.name,
        grade,
        reason: this.spec.describe(raw, (k) => this.model.explain(input, k)),
        explain: { score: raw, boundary: this.calibrator.boundaryScore(), contributions: this.model.explain(input, 3) },
      },
    ];
  }

  observe(x: ScopeInput[S], ctx: ScopeContext[S]): void {
    const raw = this.raw(x, ctx);
    if (raw !== undefined) this.calibrator.observe(raw);
  }

  markNormal(raw: number): void {
    this.calibrator.observeNormal(raw);
  }

  learn(x: ScopeInput[S], ctx: ScopeContext[S]): void {
    if (this.spec.learns && !this.spec.learns(ctx)) return;
    this.model.learn(this.spec.featurize(x, ctx));
  }

  fit(): void {
    this.model.fit();
  }

  fieldsChanged(): void {
    if (!this.spec.followsFields) return;
    this.model = this.spec.make();
    this.calibrator = new Calibrator(this.spec.calibration);
    this.restores++;
  }

  snapshot(): CalibratedSnapshot {
    return { kind: this.name, version: VERSION, model: this.model.snapshot(), calibrator: this.calibrator.snapshot() };
  }

  restore(s: DetectorSnapshot): void {
    checkDetectorSnapshot(s, this.name, VERSION);
    const c = s as CalibratedSnapshot;
    const model = this.spec.restoreModel(c.model);
    const calibrator = Calibrator.restore(c.calibrator, this.spec.calibration);
    this.model = model;
    this.calibrator = calibrator;
    this.restores++;
  }
}

/** Top features as `a, b` for reasons. */
export function topFeatures(explain: (k: number) => Contribution[], k = 2): string {
  return explain(k)
    .map((c) => c.feature)
    .join(', ');
}

/** A raw score for a one-line reason. */
export function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}
