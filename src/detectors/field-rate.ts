/**
 * Spike detector on the per-interval share of records whose monitored field has an unknown value.
 * The base rate is learned from past normal windows (with a prior and slow decay); a window's surprise
 * is the Chernoff bound of the binomial upper tail, -log10 P(X >= k | n, p0) >= n·KL(k/n || p0)/ln 10.
 * Single rare records are normal (about 1 % of WAF records carry one): only rates can alarm.
 */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
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
});
export type FieldRateOptions = z.infer<typeof fieldRateOptions>;

const NAME = 'field-rate';
const VERSION = 1;

export interface FieldRateState {
  windows: number;
  base: Record<string, { unknown: number; total: number }>;
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

  constructor(private readonly opts: FieldRateOptions) {}

  ready(): boolean {
    return this.st.windows >= this.opts.warmupIntervals;
  }

  /** Pure: one finding per monitored field that is more unknown than usual in this window. */
  score(w: WindowAggregate, ctx: WindowContext): Finding[] {
    const st = this.st;
    if (st.windows < this.opts.warmupIntervals || w.total === 0) return [];
    const out: Finding[] = [];
    for (const f of ctx.fields.fields) {
      const fc = w.fields[f.field];
      const k = fc?.unknown ?? 0;
      if (k < this.opts.minCount) continue;
      const p0 = this.baseRate(st, f.field);
      const n = countedFor(f, w);
      const surprise = binomialUpperSurprise(k, n, p0);
      const grade = surpriseToGrade(surprise, this.opts.surpriseScale);
      if (grade <= 0) continue;
      const label = f.label ?? f.field;
      const top = Object.entries(fc!.values)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5);
      const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;
      out.push({
        detector: this.name,
        grade,
        reason: `${label}: ${k} of ${n} records${f.whenPresent ? ` with ${f.field}` : ''} (${pct(k / n)}) had unknown values (${top.map(([v, c]) => `${v}×${c}`).join(', ')}), usually ${pct(p0)}`,
        explain: {
          field: f.field,
          unknown: k,
          total: n,
          rate: k / n,
          expectedRate: p0,
          surprise,
          values: Object.fromEntries(top),
          known: f.known,
          sample: fc!.sample,
          contributions: top.map(([v, c]) => ({ feature: `${f.field}=${v}`, count: c, weight: c / n })),
        },
      });
    }
    return out;
  }

  /** Learns a closed window (the caller skips windows it reported as anomalous). */
  learn(w: WindowAggregate, ctx: WindowContext): void {
    const st = this.st;
    st.windows++;
    const decay = this.opts.decay ?? 0.995;
    for (const f of ctx.fields.fields) {
      const b = (st.base[f.field] ??= { unknown: 0, total: 0 });
      b.unknown = b.unknown * decay + (w.fields[f.field]?.unknown ?? 0);
      b.total = b.total * decay + countedFor(f, w);
    }
  }

  baseRate(st: FieldRateState, field: string): number {
    const b = st.base[field] ?? { unknown: 0, total: 0 };
    return (b.unknown + this.opts.priorRate * this.opts.priorRecords) / (b.total + this.opts.priorRecords);
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
  options: (c: Config) => ({ ...c.detect.fieldRate, warmupIntervals: c.detect.warmupIntervals }),
  enabled: () => true,
  create: (o) => new FieldRateDetector(o),
};

/** -log10 of the Chernoff bound on P(X >= k) for X ~ Binomial(n, p); 0 when k/n <= p. */
export function binomialUpperSurprise(k: number, n: number, p: number): number {
  if (n <= 0) return 0;
  const q = k / n;
  if (q <= p) return 0;
  const pp = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  const kl = (q > 0 ? q * Math.log(q / pp) : 0) + (q < 1 ? (1 - q) * Math.log((1 - q) / (1 - pp)) : 0);
  return (n * kl) / Math.LN10;
}
