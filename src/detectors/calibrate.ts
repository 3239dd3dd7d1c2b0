/**
 * Turns a detector's raw scores into grades 0..1 that mean the same thing for every detector: a grade
 * is a function of one number, the score's p-value against the detector's own score history (a
 * streaming DDSketch of the scores of normal operation), so raw scores of different detectors
 * (isolation depth, collusive displacement, reconstruction error, surprise), which are not comparable,
 * become comparable ranks.
 *
 * The p-value is conformal: p = (1 + #{s ≥ x}) / (n + 1) over the n scores seen. Scores in x's own sketch
 * bucket (within the sketch's 1 % relative accuracy) count as ≥ x, so a score the history holds, or
 * nearly, is never "beyond" it: a model that scores most inputs alike (records repeat few feature vectors)
 * must not alarm on the very scores it was calibrated on. Beyond every bucket seen the rank says only
 * p ≤ 1/(n + 1); there an exponential tail fitted on the top of the history (peaks over its 90th
 * percentile, the mean excess taken at its upper confidence bound) extrapolates, so a short history can still
 * say that a score far beyond it is rarer than `alarmRate`, while one just beyond it cannot.
 *
 * The grade reaches the threshold exactly where p ≤ alarmRate (alarmRate 0: beyond every score seen),
 * rises towards 1 as p falls further, and below the threshold grows with log(0.5 / p) from 0 at the median.
 */
import { DDSketch } from '@datadog/sketches-js';

export interface CalibrationOptions {
  /** Grade at the alarm boundary: the detection threshold. */
  threshold: number;
  /** Largest p-value that alarms (the expected false-alarm rate on normal data); 0: only scores beyond every one seen. */
  alarmRate: number;
  /** Scores observed before grades are given: until then every grade is 0. */
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
/** The tail is fitted on this share of the history (its top), and on at least TAIL_MIN scores. */
const TAIL_SHARE = 0.1;
const TAIL_MIN = 10;

export class Calibrator {
  private sketch = new DDSketch({ relativeAccuracy: ACCURACY });
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  /** Derived from the sketch for the count they were computed at (grading is on the hot path, observing too). */
  private cachedAt = -1;
  /** above[i]: scores in bucket key offset + i or higher (suffix sums of the positive bins). */
  private above = new Float64Array(0);
  private offset = 0;
  /** Exponential tail P(X > x) ≈ share · exp(−(x − u) / sigma) for x > u. */
  private tail = { u: 0, sigma: 1, share: 1 };
  private boundary = 0;

  constructor(private readonly opts: CalibrationOptions) {}

  get observed(): number {
    return this.count;
  }

  /** Enough history to grade: the configured warm-up. Short histories are graded honestly by `pValue`, not withheld. */
  warm(): boolean {
    return this.count >= Math.max(1, this.opts.warmup);
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
   * Feedback said this score was normal (a false positive): it is added with enough weight that its
   * p-value exceeds the alarm rate, so the same score no longer alarms. Later normal scores dilute it again.
   */
  observeNormal(score: number): void {
    if (!Number.isFinite(score)) return;
    const a = this.opts.alarmRate;
    // (1 + w) / (n + w + 1) > a; at alarmRate 0 one copy already puts the score inside the history
    const weight = Math.ceil((a * (this.count + 1)) / (1 - a)) + 1;
    const v = Math.max(0, score);
    this.sketch.accept(v, weight);
    this.count += weight;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Pure: the p-value of a raw score against the history (1 with no history). */
  pValue(score: number): number {
    if (this.count === 0) return 1;
    this.refresh();
    const n = this.count;
    const c = this.atLeast(score);
    if (c > 0) return (1 + c) / (n + 1);
    const { u, sigma, share } = this.tail;
    return Math.min(1 / (n + 1), share * Math.exp(-(score - u) / sigma));
  }

  /** Pure: the grade of a raw score against the history observed so far. */
  grade(score: number): number {
    if (!this.warm() || !Number.isFinite(score)) return 0;
    return gradeOf(this.pValue(score), this.alarmAt(), this.opts.threshold);
  }

  /** The raw score at which the grade reaches the threshold (approximately: to the sketch's accuracy). */
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

  /** The p-value at and below which a score alarms: alarmRate, or at 0 "beyond every score seen". */
  private alarmAt(): number {
    return this.opts.alarmRate > 0 ? this.opts.alarmRate : 1 / (this.count + 1);
  }

  /** Scores in the history at or above x's sketch bucket (its own bucket included: ties are not "beyond"). */
  private atLeast(x: number): number {
    if (!(x > this.sketch.mapping.minPossible)) return this.count;
    const i = this.sketch.mapping.key(x) - this.offset;
    if (i < 0) return this.above.length ? this.above[0] : 0;
    return i < this.above.length ? this.above[i] : 0;
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
    const { bins, offset } = this.sketch.store;
    const mapping = this.sketch.mapping;
    const n = this.count;
    if (this.above.length !== bins.length) this.above = new Float64Array(bins.length);
    const above = this.above;
    this.offset = offset;
    let acc = 0;
    let top = -1;
    for (let i = bins.length - 1; i >= 0; i--) {
      acc += bins[i];
      above[i] = acc;
      if (top < 0 && bins[i] > 0) top = i;
    }
    // the tail: excesses of the top k scores over the k-th largest (u); zeros and u's own bucket add nothing
    const k = Math.min(n, Math.max(TAIL_MIN, Math.ceil(TAIL_SHARE * n)));
    let i = top;
    while (i >= 0 && above[i] < k) i--;
    const u = i >= 0 ? mapping.value(i + offset) : 0;
    let excess = 0;
    for (let j = Math.max(i + 1, 0); j <= top; j++) if (bins[j] > 0) excess += bins[j] * (mapping.value(j + offset) - u);
    // a short history extrapolates with a wider tail: the upper 97.5 % confidence bound of the exponential
    // mean from k excesses; never narrower than 5 % of u (a history of ties has no spread to measure, not none)
    const sigma = Math.max((excess / k) * upperMeanFactor(k), 0.05 * u, 1e-12);
    this.tail = { u, sigma, share: k / n };
    this.boundary = this.findBoundary(top);
  }

  /** The lowest score whose p-value is at most the alarm p-value. */
  private findBoundary(top: number): number {
    const { bins, offset } = this.sketch.store;
    const mapping = this.sketch.mapping;
    const n = this.count;
    const a = this.alarmAt();
    // a history of zeros: any positive score is beyond it
    if (top < 0) return mapping.minPossible;
    const beyond = mapping.value(top + 1 + offset);
    // most scores allowed at or above an alarming one: (1 + c) / (n + 1) ≤ a
    const most = Math.floor(a * (n + 1) - 1 + 1e-9);
    if (most >= 1) {
      let i = top + 1;
      while (i > 0 && this.above[i - 1] <= most) i--;
      return i <= top ? mapping.value(i + offset) : beyond;
    }
    if (most >= 0 || bins.length === 0) return beyond;
    const { u, sigma, share } = this.tail;
    return Math.max(beyond, u + sigma * Math.log(share / a));
  }
}

/**
 * σ̂ · this bounds an exponential mean σ from above at 97.5 % confidence, from k excesses: k σ̂ / σ is
 * Gamma(k, 1), whose 2.5 % quantile is k (1 − 1/(9k) − 1.96 / (3√k))³ (Wilson–Hilferty). About 3.1 at
 * k = 5, 2.1 at k = 10, 1.2 at k = 100.
 */
function upperMeanFactor(k: number): number {
  const q = 1 - 1 / (9 * k) - 1.96 / (3 * Math.sqrt(k));
  return 1 / Math.max(0.01, q * q * q);
}

/**
 * The grade of a p-value: the threshold exactly at the alarm p-value `a`, towards 1 as p falls to 0
 * (a tenth of `a` gives about 0.89 at threshold 0.7), and below the threshold log(0.5 / p) relative to
 * log(0.5 / a): 0 at the median, so ordinary scores stay at 0.
 */
export function gradeOf(p: number, a: number, t: number): number {
  if (p <= a) return t + (1 - t) * (1 - Math.pow(p / a, 1 / Math.LN10));
  const p0 = a < 0.5 ? 0.5 : 1;
  if (p >= p0) return 0;
  return (t * Math.log(p0 / p)) / Math.log(p0 / a);
}
