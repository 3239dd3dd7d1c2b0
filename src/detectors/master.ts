/**
 * The master model: it watches every source's anomalies per interval (log time) and raises one
 * cross-source incident when at least `minSources` sources go abnormal in the same interval — the shape of
 * a shared cause (a network partition, a bad deploy, an attack on several front doors). An incident lasts
 * while consecutive intervals stay abnormal across sources, and is raised once, naming the sources.
 * Per-source models stay separate: the master only sees their grades.
 */
import type { Anomaly } from '../model/record.js';

export interface MasterOptions {
  enabled: boolean;
  minSources: number;
  interval: number;
  threshold: number;
}

interface IntervalState {
  /** source → strongest anomaly of that source in this interval */
  sources: Map<string, Anomaly>;
  raised: boolean;
}

/** Intervals kept: late anomalies older than this are ignored by the master. */
const KEPT_INTERVALS = 64;

export class MasterModel {
  readonly name = 'cross-source';
  private readonly intervals = new Map<number, IntervalState>();
  /** Start of the last interval that was part of a raised incident. */
  private lastIncidentInterval = -Infinity;

  constructor(private readonly opts: MasterOptions) {}

  /** Takes a source's anomaly; returns the cross-source incident it completes, if any. */
  observe(a: Anomaly): Anomaly | undefined {
    if (!this.opts.enabled || a.grade < this.opts.threshold || a.kind === 'window' && a.detector === this.name) return undefined;
    const iv = this.opts.interval;
    const start = Math.floor((a.window?.start ?? a.ts) / iv) * iv;
    let st = this.intervals.get(start);
    if (!st) {
      st = { sources: new Map(), raised: false };
      this.intervals.set(start, st);
      if (this.intervals.size > KEPT_INTERVALS) this.intervals.delete(Math.min(...this.intervals.keys()));
    }
    const prev = st.sources.get(a.source);
    if (!prev || a.grade > prev.grade) st.sources.set(a.source, a);
    if (st.raised || st.sources.size < this.opts.minSources) return undefined;
    st.raised = true;
    // the same incident goes on: the previous interval was already part of it
    const continues = this.lastIncidentInterval === start - iv || this.lastIncidentInterval === start;
    this.lastIncidentInterval = Math.max(this.lastIncidentInterval, start);
    if (continues) return undefined;
    const parts = [...st.sources.values()].sort((x, y) => y.grade - x.grade);
    const names = parts.map((p) => p.source);
    const grade = Math.min(1, parts[0].grade);
    return {
      kind: 'window',
      source: '*',
      ts: start + iv,
      grade,
      detector: this.name,
      detectors: parts.map((p) => ({ detector: `${p.source}:${p.detector}`, grade: p.grade })),
      reason: `${names.length} sources abnormal together: ${names.join(', ')}`,
      window: { start, end: start + iv },
      explain: { sources: parts.map((p) => ({ source: p.source, detector: p.detector, grade: p.grade, reason: p.reason, line: p.line, file: p.explain?.file })) },
    };
  }
}
