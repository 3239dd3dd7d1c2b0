/**
 * Spike detector on the per-interval share of records whose monitored field has an unknown value.
 * The base rate is learned from past normal windows (with a prior and slow decay); a window's surprise
 * is the Chernoff bound of the binomial upper tail, -log10 P(X >= k | n, p0) >= n·KL(k/n || p0)/ln 10.
 * Single rare records are normal (about 1 % of WAF records carry one): only rates can alarm.
 */
import type { MonitoredField } from '../config/schema.js';
import type { WindowAggregate } from '../features/window.js';
import { surpriseToGrade, type Finding } from './detector.js';

export interface FieldRateOptions {
  minCount: number;
  priorRate: number;
  priorRecords: number;
  surpriseScale: number;
  warmupIntervals: number;
  /** Weight kept by the learned counts at each new window (adapts to slow drift). */
  decay?: number;
}

export interface FieldRateState {
  windows: number;
  base: Record<string, { unknown: number; total: number }>;
}

export function newFieldRateState(): FieldRateState {
  return { windows: 0, base: {} };
}

export class FieldRateDetector {
  readonly name = 'field-rate';

  constructor(
    private readonly fields: MonitoredField[],
    private readonly opts: FieldRateOptions,
  ) {}

  get warmupIntervals(): number {
    return this.opts.warmupIntervals;
  }

  /** Pure: one finding per monitored field that is more unknown than usual in this window. */
  score(w: WindowAggregate, st: FieldRateState): Finding[] {
    if (st.windows < this.opts.warmupIntervals || w.total === 0) return [];
    const out: Finding[] = [];
    for (const f of this.fields) {
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
  learn(w: WindowAggregate, st: FieldRateState): void {
    st.windows++;
    const decay = this.opts.decay ?? 0.995;
    for (const f of this.fields) {
      const b = (st.base[f.field] ??= { unknown: 0, total: 0 });
      b.unknown = b.unknown * decay + (w.fields[f.field]?.unknown ?? 0);
      b.total = b.total * decay + countedFor(f, w);
    }
  }

  baseRate(st: FieldRateState, field: string): number {
    const b = st.base[field] ?? { unknown: 0, total: 0 };
    return (b.unknown + this.opts.priorRate * this.opts.priorRecords) / (b.total + this.opts.priorRecords);
  }
}

/** Records of the window that count for the field: all, or those carrying a `whenPresent` field. */
export function countedFor(f: MonitoredField, w: WindowAggregate): number {
  return f.whenPresent ? (w.fields[f.field]?.present ?? 0) : w.total;
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
