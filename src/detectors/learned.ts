/**
 * A learned model (Isolation Forest, Random Cut Forest, sequence model…) made into a detector: the model
 * gives a raw score, its calibrator turns it into a grade against the model's own score history, and the
 * model's explanation becomes the finding's contributing features. One instance per source and scope.
 */
import type { Finding } from './detector.js';
import { Calibrator, type CalibrationOptions, type CalibratorSnapshot } from './calibrate.js';
import type { Model, ModelSnapshot } from './model.js';

export interface LearnedSnapshot {
  model: ModelSnapshot;
  calibrator: CalibratorSnapshot;
}

export class LearnedDetector<X> {
  private calibrator: Calibrator;
  private restores = 0;

  constructor(
    readonly name: string,
    private model: Model<X>,
    private readonly calibration: CalibrationOptions,
    private readonly describe: (x: X, raw: number, grade: number) => string,
  ) {
    this.calibrator = new Calibrator(calibration);
  }

  /** For score caches of models that only change when fitted: changes on each fit and restore. */
  get generation(): string {
    return `${this.restores}:${this.model.generation ?? 0}`;
  }

  get ready(): boolean {
    return this.model.ready() && this.calibrator.warm();
  }

  /** The raw score, or undefined while the model is not ready. Pure. */
  raw(x: X): number | undefined {
    return this.model.ready() ? this.model.score(x) : undefined;
  }

  /** Pure: a finding with a grade once the model and its calibrator are warm. */
  score(x: X, raw = this.raw(x)): Finding | undefined {
    if (raw === undefined || !this.calibrator.warm()) return undefined;
    const grade = this.calibrator.grade(raw);
    // explanations cost a model walk each: only anomalies get them (most scores are of normal inputs)
    const anomalous = grade >= this.calibration.threshold;
    return {
      detector: this.name,
      grade,
      reason: anomalous ? this.describe(x, raw, grade) : `${this.name} score ${raw}`,
      explain: { score: raw, boundary: this.calibrator.boundaryScore(), contributions: anomalous ? this.model.explain(x, 3) : [] },
    };
  }

  /**
   * Like `score` for a raw score already known; the input is built (by `x`) only when the grade makes
   * it an anomaly that needs its reason and contributions.
   */
  scoreRaw(raw: number | undefined, x: () => X): Finding | undefined {
    if (raw === undefined || !this.calibrator.warm()) return undefined;
    const grade = this.calibrator.grade(raw);
    if (grade >= this.calibration.threshold) return this.score(x(), raw);
    // below the threshold only the grade is read (ensembles, --all): no reason text per record
    return { detector: this.name, grade, reason: this.name, explain: { score: raw } };
  }

  /** Adds a raw score to the calibration history (scores of normal operation). */
  observe(raw: number | undefined): void {
    if (raw !== undefined) this.calibrator.observe(raw);
  }

  /** A false positive: this raw score is normal for the calibrator from now on. */
  markNormal(raw: number): void {
    this.calibrator.observeNormal(raw);
  }

  learn(x: X): void {
    this.model.learn(x);
  }

  fit(): void {
    this.model.fit();
  }

  contributions(x: X, top: number) {
    return this.model.explain(x, top);
  }

  snapshot(): LearnedSnapshot {
    return { model: this.model.snapshot(), calibrator: this.calibrator.snapshot() };
  }

  restore(s: LearnedSnapshot, restoreModel: (m: ModelSnapshot) => Model<X>): void {
    this.model = restoreModel(s.model);
    this.restores++;
    this.calibrator = Calibrator.restore(s.calibrator, this.calibration);
  }
}
