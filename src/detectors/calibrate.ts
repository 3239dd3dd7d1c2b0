/**
 * Turns a detector's raw scores into grades 0..1 that mean the same thing for every detector:
 * the grade reaches the configured threshold where a score is more extreme than all but `alarmRate`
 * of the detector's own history (a streaming DDSketch of every score it has produced), rises towards 1
 * beyond that, and sits below the threshold in proportion between the median and that boundary.
 * Raw scores of different detectors (isolation depth, collusive displacement, reconstruction error,
 * surprise) are not comparable; their ranks in their own history are.
 */
import { DDSketch } from '@datadog/sketches-js';

export interface CalibrationOptions {
  /** Grade at the alarm boundary: the detection threshold. */
  threshold: number;
  /** Share of history allowed above the boundary (the expected false-alarm rate on normal data). */
  alarmRate: number;
  /** Scores observed before grades are given (warm-up, and at least 1/alarmRate): until then every grade is 0. */
  warmup: number;
}

export interface CalibratorSnapshot {
  kind: 'calibrator';
  version: 1;
  /** Non-empty bins of the sketch as [key, count] pairs, and the zero count. */
  bins: Array<[number, number]>;
  zeros: number;
  count: number;
  min: number;
  max: number;
}

const ACCURACY = 0.01;

export class Calibrator {
  private sketch = new DDSketch({ relativeAccuracy: ACCURACY });
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  /** Quantiles cached for the count they were computed at (grading is on the hot path, observing too). */
  private cachedAt = -1;
  private median = 0;
  private boundary = 0;

  constructor(private readonly opts: CalibrationOptions) {}

  get observed(): number {
    return this.count;
  }

  /**
   * Enough history to grade: the configured warm-up, and at least 1/alarmRate scores — fewer cannot
   * place the (1 − alarmRate) quantile (120 intervals say nothing about a 0.1 % tail).
   */
  warm(): boolean {
    const tail = this.opts.alarmRate > 0 ? Math.ceil(1 / this.opts.alarmRate) : 0;
    return this.count >= Math.max(this.opts.warmup, tail);
  }

  observe(score: number): void {
    if (!Number.isFinite(score)) return;
    // DDSketch keeps positive values at relative accuracy; scores are ≥ 0 by the Model contract
    this.sketch.accept(Math.max(0, score));
    this.count++;
    if (score < this.min) this.min = score;
    if (score > this.max) this.max = score;
  }

  /**
   * Feedback said this score was normal (a false positive): it is added with enough weight that the
   * alarm boundary reaches it, so the same score no longer alarms. Later normal scores dilute it again.
   */
  observeNormal(score: number): void {
    if (!Number.isFinite(score)) return;
    const a = this.opts.alarmRate;
    const weight = Math.ceil((a * this.count) / (1 - a)) + 1;
    // a little above the score: the sketch's relative accuracy must not leave the score itself over the boundary
    const v = Math.max(0, score) * (1 + 2 * ACCURACY);
    this.sketch.accept(v, weight);
    this.count += weight;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Pure: the grade of a raw score against the history observed so far. */
  grade(score: number): number {
    if (!this.warm() || !Number.isFinite(score)) return 0;
    this.refresh();
    const t = this.opts.threshold;
    const m = this.median;
    const b = this.boundary;
    // scale of "how far beyond": the spread of normal scores, never zero
    const spread = Math.max(b - m, (this.max - m) / 10, Math.abs(b) * 0.05, 1e-9);
    if (score <= b) return score <= m || b <= m ? 0 : (t * (score - m)) / (b - m) * 0.999;
    return t + (1 - t) * (1 - Math.exp(-(score - b) / spread));
  }

  /** The raw score at which the grade reaches the threshold. */
  boundaryScore(): number {
    this.refresh();
    return this.boundary;
  }

  snapshot(): CalibratorSnapshot {
    return {
      kind: 'calibrator',
      version: 1,
      bins: this.bins(),
      zeros: this.sketch.zeroCount,
      count: this.count,
      min: this.min,
      max: this.max,
    };
  }

  static restore(s: CalibratorSnapshot, opts: CalibrationOptions): Calibrator {
    if (s?.kind !== 'calibrator' || s.version !== 1) throw new Error('calibrator snapshot: unknown kind or version');
    const c = new Calibrator(opts);
    // rebuilt through the public add(): the sketch's own protobuf form needs an optional dependency
    for (const [key, n] of s.bins) c.sketch.store.add(key, n);
    c.sketch.zeroCount = s.zeros;
    c.sketch.count = s.count;
    c.count = s.count;
    c.min = s.min ?? Infinity;
    c.max = s.max ?? -Infinity;
    return c;
  }

  private bins(): Array<[number, number]> {
    const st = this.sketch.store;
    const out: Array<[number, number]> = [];
    for (let i = 0; i < st.bins.length; i++) if (st.bins[i] > 0) out.push([i + st.offset, st.bins[i]]);
    return out;
  }

  private refresh(): void {
    if (this.cachedAt === this.count) return;
    this.cachedAt = this.count;
    this.median = this.sketch.getValueAtQuantile(0.5);
    // never above what was seen: the sketch's bucket midpoint could exceed the true maximum
    this.boundary = Math.min(this.max, this.sketch.getValueAtQuantile(1 - this.opts.alarmRate));
  }
}
