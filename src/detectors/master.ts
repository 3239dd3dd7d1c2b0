/**
 * The master model: it watches every source's anomalies per interval (log time) and raises one
 * cross-source incident when at least `minSources` sources go abnormal in the same interval — the shape of
 * a shared cause (a network partition, a bad deploy, an attack on several front doors). An incident lasts
 * while consecutive intervals stay abnormal across sources, and is raised once, naming the sources.
 * Per-source models stay separate: the master only sees their grades.
 */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { Anomaly } from '../model/record.js';
import { checkDetectorSnapshot, type Detector, type DetectorFactory, type DetectorSnapshot, type Finding } from './contract.js';

export const masterOptions = z.object({
  enabled: z.boolean(),
  minSources: z.number().int().min(2),
  interval: z.number().int().positive(),
  threshold: z.number().min(0).max(1),
});
export type MasterOptions = z.infer<typeof masterOptions>;

const NAME = 'cross-source';
const VERSION = 1;

/** What the master keeps of a source's strongest anomaly in an interval. */
interface Part {
  source: string;
  detector: string;
  grade: number;
  reason: string;
  line?: number;
  file?: unknown;
}

interface IntervalState {
  /** The strongest anomaly of each source in this interval, sources in order of arrival. */
  sources: Part[];
  raised: boolean;
}

interface MasterState {
  intervals: Record<string, IntervalState>;
  /** Start of the last interval that was part of a raised incident. */
  lastIncidentInterval: number | null;
}

/** Intervals kept: late anomalies older than this are ignored by the master. */
const KEPT_INTERVALS = 64;

export class MasterModel implements Detector<'cross-source'> {
  readonly name = NAME;
  readonly scope = 'cross-source';
  readonly learned = false;
  readonly state = 'small';
  /** It follows the anomalies of the run at hand, in `detect` as in `watch`. */
  readonly streaming = true;
  private st: MasterState = { intervals: {}, lastIncidentInterval: null };

  constructor(private readonly opts: MasterOptions) {}

  ready(): boolean {
    return true;
  }

  private counts(a: Anomaly): boolean {
    return this.opts.enabled && a.grade >= this.opts.threshold && !(a.kind === 'window' && a.detector === this.name);
  }

  private startOf(a: Anomaly): number {
    const iv = this.opts.interval;
    return Math.floor((a.window?.start ?? a.ts) / iv) * iv;
  }

  /** This interval's sources once `a` is counted in. */
  private withAnomaly(a: Anomaly, start: number): { st?: IntervalState; sources: Part[] } {
    const st = this.st.intervals[start];
    const sources = [...(st?.sources ?? [])];
    const part: Part = { source: a.source, detector: a.detector, grade: a.grade, reason: a.reason, line: a.line, file: a.explain?.file };
    const i = sources.findIndex((p) => p.source === a.source);
    if (i < 0) sources.push(part);
    else if (a.grade > sources[i].grade) sources[i] = part;
    return { st, sources };
  }

  /** Pure: the cross-source incident this anomaly completes, if any. */
  score(a: Anomaly): Finding[] {
    if (!this.counts(a)) return [];
    const start = this.startOf(a);
    const { st, sources } = this.withAnomaly(a, start);
    if (st?.raised || sources.length < this.opts.minSources) return [];
    // the same incident goes on: the previous interval was already part of it
    const last = this.st.lastIncidentInterval;
    if (last !== null && (last === start - this.opts.interval || last === start)) return [];
    const parts = [...sources].sort((x, y) => y.grade - x.grade);
    const names = parts.map((p) => p.source);
    return [
      {
        detector: this.name,
        grade: Math.min(1, parts[0].grade),
        reason: `${names.length} sources abnormal together: ${names.join(', ')}`,
        explain: {
          window: { start, end: start + this.opts.interval },
          detectors: parts.map((p) => ({ detector: `${p.source}:${p.detector}`, grade: p.grade })),
          sources: parts.map((p) => ({ source: p.source, detector: p.detector, grade: p.grade, reason: p.reason, line: p.line, file: p.file })),
        },
      },
    ];
  }

  learn(a: Anomaly): void {
    if (!this.counts(a)) return;
    const start = this.startOf(a);
    const { st, sources } = this.withAnomaly(a, start);
    const iv: IntervalState = st ?? { sources: [], raised: false };
    iv.sources = sources;
    if (!st) {
      this.st.intervals[start] = iv;
      const keys = Object.keys(this.st.intervals);
      if (keys.length > KEPT_INTERVALS) delete this.st.intervals[Math.min(...keys.map(Number))];
    }
    if (iv.raised || sources.length < this.opts.minSources) return;
    iv.raised = true;
    this.st.lastIncidentInterval = Math.max(this.st.lastIncidentInterval ?? -Infinity, start);
  }

  snapshot(): DetectorSnapshot {
    return { kind: NAME, version: VERSION, state: JSON.parse(JSON.stringify(this.st)) as MasterState };
  }

  restore(s: DetectorSnapshot): void {
    checkDetectorSnapshot(s, NAME, VERSION);
    const st = s.state as MasterState;
    this.st = { intervals: { ...st.intervals }, lastIncidentInterval: st.lastIncidentInterval ?? null };
  }
}

export const masterFactory: DetectorFactory<'cross-source', MasterOptions> = {
  name: NAME,
  scope: 'cross-source',
  schema: masterOptions,
  options: (c: Config) => ({ ...c.detect.master, interval: c.detect.interval, threshold: c.detect.threshold }),
  enabled: (o) => o.enabled,
  create: (o) => new MasterModel(o),
};
