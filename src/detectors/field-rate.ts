/**
 * Spike detector on the per-interval share of records whose monitored field has an unknown value.
 * The base rate is learned from past normal windows (with a prior and slow decay); a window's surprise
 * is the Chernoff bound of the binomial upper tail, -log10 P(X >= k | n, p0) >= n·KL(k/n || p0)/ln 10,
 * scaled by N / (n + N): the base rate is an estimate from N records, and a window far larger than that
 * evidence is only as surprising as the estimate is sure. Single rare records are normal (about 1 % of
 * WAF records carry one): only rates can alarm. From one day of history on, the base rate of a window is
 * that of its hour of day, with the overall rate as prior (a mail server's nights).
 *
 * Several scales at once: a rate can be judged only over enough records (10 records a minute never
 * make a 1-minute window certain). Besides the source's window, the detector judges sliding windows of
 * `scales` × its length (1, 5, 15 by default) ending at each window, built from the windows it tracked
 * (aligned ones would cut a 4-minute period into two halves that neither reach the threshold). A scale
 * is tested for a field only when it can have power: its expected records (the field's learned records
 * per window × scale) would make a window with half its records unknown pass the threshold. The source's
 * window is always tested, and every scale from the smallest such one up; the surprise is
 * Bonferroni-corrected by the number of scales (−log10 K: K tests end at each window, so the false-alarm
 * bound per window is K·p), so a grade at the threshold means the same rarity whatever the scale. A
 * field is reported at the smallest scale that finds it, over that scale's window (so within one window
 * of the scale after a period starts). Windows inside an anomalous window of any scale are not learned:
 * the base rate folds in a window only once it left the largest scale. Nor are reported windows
 * evidence again: a larger scale judged later leaves them out, so an incident is not echoed for 15 windows.
 */
import { z } from 'zod';
import type { Config, MonitoredField } from '../config/schema.js';
import { countedFor, type WindowAggregate } from '../features/window.js';
import { checkDetectorSnapshot, plainCopy, type Detector, type DetectorFactory, type DetectorSnapshot, type Finding, type WindowContext } from './contract.js';
import { surpriseToGrade } from './detector.js';

export const fieldRateOptions = z.object({
  minCount: z.number().int().min(1),
  priorRate: z.number().min(0).max(1),
  priorRecords: z.number().min(0),
  surpriseScale: z.number().positive(),
  warmupIntervals: z.number().int().min(0),
  /** Weight kept by the learned counts at each new window (adapts to slow drift). */
  decay: z.number().min(0).max(1).optional(),
  /** Window lengths judged, in multiples of the source's window (1 first). */
  scales: z.array(z.number().int().min(1)).optional(),
  /** The grade at which a finding is an anomaly: the power rule and the learning rule use it. */
  threshold: z.number().min(0).max(1).optional(),
});
export type FieldRateOptions = z.infer<typeof fieldRateOptions>;

const NAME = 'field-rate';
const DAY = 86_400_000;
const VERSION = 1;

/** Counts of one field over a judged window. */
interface Agg {
  k: number;
  n: number;
  /** Expected unknown count: Σ records × the base rate at each window's hour of day. */
  e: number;
  values: Record<string, number>;
  sample?: WindowAggregate['sample'];
}

/** One tracked window: per field, unknown and counted records, and the top unknown values. */
interface Slot {
  start: number;
  end: number;
  f: Record<string, { k: number; n: number; values: Record<string, number>; sample?: WindowAggregate['sample'] }>;
  /** The pipeline learned it (not anomalous at the base scale). */
  learn?: boolean;
  /** Inside a reported window of some scale (the end of the window that found it): no longer evidence for
   * the windows after that one (a larger scale would echo the incident). */
  reportedAt?: number;
  /** Inside an anomalous window of some scale, reported windows counted: never folded into the base rate. */
  unlearned?: boolean;
}

export interface FieldRateState {
  windows: number;
  /** `windows`: decayed count of folded windows (records per window = total / windows); `hours`: the same
   * unknown and total counts per UTC hour of day. */
  base: Record<string, { unknown: number; total: number; windows?: number; hours?: { unknown: number[]; total: number[] } }>;
  /** Start of the first window folded: the hour-of-day rates are used from one day after it. */
  first?: number;
  /** The last windows, up to the largest scale (older ones are folded into `base`). */
  recent?: Slot[];
}

export function newFieldRateState(): FieldRateState {
  return { windows: 0, base: {} };
}

/** Monitors the source's fields (configured, or found by its profiler): they arrive with the context. */
export class FieldRateDetector implements Detector<'window'> {
  readonly name = NAME;
  readonly scope = 'window';
  readonly learned = false;
  readonly state = 'small';
  private st = newFieldRateState();
  /** field → its prior unknown rate (the profile's expectation, at least priorRate), from the context. */
  private readonly priors = new Map<string, number>();

  constructor(private readonly opts: FieldRateOptions) {}

  ready(): boolean {
    return this.st.windows >= this.opts.warmupIntervals;
  }

  /** Records the window (every mode); marks windows of anomalous scale windows; folds windows that left the largest scale. */
  track(w: WindowAggregate, ctx: WindowContext): void {
    this.usePriors(ctx);
    const st = this.st;
    const recent = (st.recent ??= []);
    const f: Slot['f'] = {};
    for (const m of ctx.fields.fields) {
      const fc = w.fields[m.field];
      f[m.field] = { k: fc?.unknown ?? 0, n: countedFor(m, w), values: { ...(fc?.values ?? {}) }, ...(fc?.sample ? { sample: fc.sample } : {}) };
    }
    recent.push({ start: w.start, end: w.end, f });
    const threshold = this.opts.threshold ?? 0.7;
    // reported: the windows inside an anomalous window (judged as score judges it) are evidence no more
    for (const x of this.evaluate(w, ctx, true)) if (x.grade >= threshold) for (const sl of recent) if (sl.start >= x.start) sl.reportedAt ??= w.end;
    // not learned: judged with the windows already reported too, so the tail of an incident stays
    // unlearned for the largest scale after it (every scale, not only the smallest that reports)
    for (const x of this.evaluate(w, ctx, true, true)) if (x.grade >= threshold) for (const sl of recent) if (sl.start >= x.start) sl.unlearned = true;
    const keep = Math.max(...this.scales());
    while (recent.length > keep) {
      const old = recent.shift()!;
      if (old.learn && !old.unlearned) this.fold(old);
    }
  }

  private scales(): number[] {
    const s = this.opts.scales ?? [1];
    return s.length ? s : [1];
  }

  /** Pure: one finding per monitored field that is more unknown than usual, at the smallest scale that shows it. */
  score(w: WindowAggregate, ctx: WindowContext): Finding[] {
    return this.evaluate(w, ctx).map((x) => x.finding);
  }

  private evaluate(w: WindowAggregate, ctx: WindowContext, all = false, withReported = false): Array<{ grade: number; start: number; finding: Finding }> {
    const st = this.st;
    if (st.windows < this.opts.warmupIntervals || w.total === 0) return [];
    const recent = st.recent ?? [];
    const tracked = recent.length > 0 && recent[recent.length - 1].start === w.start;
    // without tracked history (a caller that does not track) only the window itself is judged
    const scales = tracked ? this.scales() : [1];
    const interval = w.end - w.start;
    const threshold = this.opts.threshold ?? 0.7;
    // Bonferroni over the scales: K tests per field instead of one
    const correction = Math.log10(scales.length);
    const needed = (this.opts.surpriseScale * threshold) / (1 - threshold) + correction;
    const out: Array<{ grade: number; start: number; finding: Finding }> = [];
    for (const m of ctx.fields.fields) {
      const prior = this.priorOf(m);
      const p0 = this.baseRate(st, m.field, prior);
      const evidence = (st.base[m.field]?.total ?? 0) + this.opts.priorRecords;
      const perWindow = this.recordsPerWindow(m.field, recent) ?? countedFor(m, w);
      // power: the smallest scale whose expected records make a half-unknown window reach the threshold
      const halfBits = binomialUpperSurprise(1, 2, p0) / 2;
      const first = scales.findIndex((s) => perWindow * s * halfBits * (evidence / (perWindow * s + evidence)) >= needed);
      // the source's own window is always judged (strong evidence needs no extra records); larger ones from the first with power
      const tested = first <= 0 ? scales : [scales[0], ...scales.slice(first)];
      for (const scale of tested) {
        // sliding: every scale ends at this window (aligned windows would split a short period in two)
        const start = w.end - scale * interval;
        const agg = scale === 1 || !tracked ? this.single(m.field, w, m, prior) : this.aggregate(m.field, recent, start, withReported ? -Infinity : w.end, prior);
        if (agg.k < this.opts.minCount || agg.n === 0) continue;
        const pw = agg.e / agg.n;
        // the base rate is itself an estimate, from `evidence` records: a window much larger than that
        // evidence can only be as surprising as the estimate is sure (share variance p(1-p)(1/n + 1/N))
        const raw = binomialUpperSurprise(agg.k, agg.n, pw) * (evidence / (agg.n + evidence));
        const surprise = scales.length > 1 ? Math.max(0, raw - correction) : raw;
        const grade = surpriseToGrade(surprise, this.opts.surpriseScale);
        if (grade <= 0) continue;
        const f = this.finding(m, w, agg, pw, surprise, grade, scale, { start, end: w.end });
        out.push({ grade, start, finding: f });
        // the smallest scale that finds it reports it
        if (grade >= threshold && !all) break;
      }
    }
    return out;
  }

  private recordsPerWindow(field: string, recent: Slot[]): number | undefined {
    const b = this.st.base[field];
    if (b?.windows) return b.total / b.windows;
    const ns = recent.map((sl) => sl.f[field]?.n ?? 0);
    return ns.length ? ns.reduce((a, x) => a + x, 0) / ns.length : undefined;
  }

  private single(field: string, w: WindowAggregate, m: MonitoredField, prior: number): Agg {
    const n = countedFor(m, w);
    return { k: w.fields[field]?.unknown ?? 0, n, e: n * this.rateAt(this.st, field, prior, w.start), values: w.fields[field]?.values ?? {}, sample: w.fields[field]?.sample };
  }

  /** The counts of the tracked windows from `start`, leaving out those a window before `now` already reported (-Infinity: none). */
  private aggregate(field: string, recent: Slot[], start: number, now: number, prior: number): Agg {
    const a: Agg = { k: 0, n: 0, e: 0, values: {} };
    for (const sl of recent) {
      if (sl.start < start || (sl.reportedAt !== undefined && sl.reportedAt < now)) continue;
      const x = sl.f[field];
      if (!x) continue;
      a.k += x.k;
      a.n += x.n;
      a.e += x.n * this.rateAt(this.st, field, prior, sl.start);
      a.sample ??= x.sample;
      for (const [v, c] of Object.entries(x.values)) a.values[v] = (a.values[v] ?? 0) + c;
    }
    return a;
  }

  private finding(
    f: MonitoredField,
    w: WindowAggregate,
    agg: Agg,
    p0: number,
    surprise: number,
    grade: number,
    scale: number,
    window: { start: number; end: number },
  ): Finding {
    const { k, n } = agg;
    const label = f.label ?? f.field;
    const top = Object.entries(agg.values)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5);
    const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;
    const span = scale > 1 ? ` over ${Math.round((window.end - window.start) / 60_000)} min` : '';
    return {
      detector: this.name,
      grade,
      reason: `${label}: ${k} of ${n} records${f.whenPresent ? ` with ${f.field}` : ''}${span} (${pct(k / n)}) had unknown values (${top.map(([v, c]) => `${v}×${c}`).join(', ')}), usually ${pct(p0)}`,
      explain: {
        field: f.field,
        unknown: k,
        total: n,
        rate: k / n,
        expectedRate: p0,
        surprise,
        scale,
        ...(scale > 1 ? { window } : {}),
        values: Object.fromEntries(top),
        known: f.known,
        // the first unknown record of the judged window (absent: the pipeline shows the window's first record)
        ...(agg.sample ? { sample: agg.sample } : {}),
        contributions: top.map(([v, c]) => ({ feature: `${f.field}=${v}`, count: c, weight: c / n })),
      },
    };
  }

  /** Learns a closed window (the caller skips windows it reported as anomalous): folded once it left every scale. */
  learn(w: WindowAggregate, ctx: WindowContext): void {
    this.usePriors(ctx);
    const st = this.st;
    st.windows++;
    const slot = st.recent?.find((sl) => sl.start === w.start);
    if (slot) {
      slot.learn = true;
      return;
    }
    const f: Slot['f'] = {};
    for (const m of ctx.fields.fields) f[m.field] = { k: w.fields[m.field]?.unknown ?? 0, n: countedFor(m, w), values: {} };
    this.fold({ start: w.start, end: w.end, f });
  }

  private fold(sl: Slot): void {
    const decay = this.opts.decay ?? 0.995;
    // a window moves the base rate only by what is plausible under it: its unknown count is capped where
    // it would reach half the threshold's surprise (the edge of an incident that no scale reported must
    // not raise the base rate that judges the next one; slow drift still passes). A cap at surprise 2 was
    // tried too: no better on the WAF runs, and one more false alarm per 14 Postfix days (nights learned slower).
    const threshold = this.opts.threshold ?? 0.7;
    const half = (this.opts.surpriseScale * threshold) / (1 - threshold) / 2;
    this.st.first ??= sl.start;
    const h = new Date(sl.start).getUTCHours();
    for (const [field, x] of Object.entries(sl.f)) {
      const b = (this.st.base[field] ??= { unknown: 0, total: 0, windows: 0 });
      const k = plausibleCount(x.k, x.n, this.rateAt(this.st, field, this.priors.get(field) ?? this.opts.priorRate, sl.start), half);
      b.unknown = b.unknown * decay + k;
      b.total = b.total * decay + x.n;
      b.windows = (b.windows ?? 0) * decay + 1;
      const hours = (b.hours ??= { unknown: new Array<number>(24).fill(0), total: new Array<number>(24).fill(0) });
      hours.unknown[h] = hours.unknown[h]! * decay + k;
      hours.total[h] = hours.total[h]! * decay + x.n;
    }
  }

  baseRate(st: FieldRateState, field: string, prior = this.priors.get(field) ?? this.opts.priorRate): number {
    const b = st.base[field] ?? { unknown: 0, total: 0 };
    return (b.unknown + prior * this.opts.priorRecords) / (b.total + this.opts.priorRecords);
  }

  /**
   * The base rate for a window starting at `at`. From one day of history on, it blends the rate at that
   * hour of day with the overall rate (as its prior, weighing priorRecords records): a mail server's
   * rejects and failed logins come at a steady pace while its mail stops at night, so the night's share is
   * several times the day's, and one overall rate would alarm every night at the larger scales.
   */
  rateAt(st: FieldRateState, field: string, prior: number, at: number): number {
    const overall = this.baseRate(st, field, prior);
    const hours = st.base[field]?.hours;
    if (!hours || st.first === undefined || at - st.first < DAY) return overall;
    const h = new Date(at).getUTCHours();
    // the overall rate weighs as much as priorRecords of the hour's own: a busy hour soon speaks for itself
    const weight = this.opts.priorRecords;
    return (hours.unknown[h]! + overall * weight) / (hours.total[h]! + weight);
  }

  /** The fields' priors, as the context gives them (a long-tailed field expects more unknown values). */
  private usePriors(ctx: WindowContext): void {
    for (const m of ctx.fields.fields) this.priors.set(m.field, this.priorOf(m));
  }

  private priorOf(m: MonitoredField): number {
    return Math.max(this.opts.priorRate, m.expectedUnknown ?? 0);
  }

  snapshot(): DetectorSnapshot {
    return { kind: NAME, version: VERSION, state: plainCopy(this.st) };
  }

  restore(s: DetectorSnapshot): void {
    checkDetectorSnapshot(s, NAME, VERSION);
    this.st = { ...newFieldRateState(), ...plainCopy(s.state as FieldRateState) };
  }
}

export const fieldRateFactory: DetectorFactory<'window', FieldRateOptions> = {
  name: NAME,
  scope: 'window',
  schema: fieldRateOptions,
  options: (c: Config) => ({ ...c.detect.fieldRate, warmupIntervals: c.detect.warmupIntervals, threshold: c.detect.threshold }),
  enabled: () => true,
  create: (o) => new FieldRateDetector(o),
};

/** k, or the largest count ≤ k whose surprise in n records at rate p stays within `max` (binary search). */
export function plausibleCount(k: number, n: number, p: number, max: number): number {
  if (binomialUpperSurprise(k, n, p) <= max) return k;
  let lo = Math.floor(n * p);
  let hi = k;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (binomialUpperSurprise(mid, n, p) <= max) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** -log10 of the Chernoff bound on P(X >= k) for X ~ Binomial(n, p); 0 when k/n <= p. */
export function binomialUpperSurprise(k: number, n: number, p: number): number {
  if (n <= 0) return 0;
  const q = k / n;
  if (q <= p) return 0;
  const pp = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  const kl = (q > 0 ? q * Math.log(q / pp) : 0) + (q < 1 ? (1 - q) * Math.log((1 - q) / (1 - pp)) : 0);
  return (n * kl) / Math.LN10;
}
