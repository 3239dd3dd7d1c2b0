/**
 * Severity: a record whose level says the program itself judged it fatal (FATAL, CRITICAL, EMERG,
 * ALERT, PANIC) is graded high, an ERROR/SEVERE one lower (reported only with other evidence), unless
 * its template is routine in its source (above `routineShare` of the records: a service that logs the
 * same "fatal" line all day is not news). Knowledge, not learning: what operators grep for first.
 */
import type { ParsedRecord } from '../model/record.js';
import { clip, type Finding } from './detector.js';

export interface SeverityOptions {
  enabled: boolean;
  fatalGrade: number;
  errorGrade: number;
  routineShare: number;
}

const FATAL = new Set(['FATAL', 'CRITICAL', 'CRIT', 'EMERG', 'EMERGENCY', 'ALERT', 'PANIC', 'F']);
const ERROR = new Set(['ERROR', 'ERR', 'SEVERE', 'E']);

export class SeverityDetector {
  readonly name = 'severity';

  constructor(private readonly opts: SeverityOptions) {}

  /** `count`: records with this template so far; `total`: records of the source. */
  score(rec: ParsedRecord, count: number, total: number): Finding | undefined {
    if (!this.opts.enabled) return undefined;
    const level = rec.fields.level;
    if (typeof level !== 'string') return undefined;
    const up = level.toUpperCase();
    const base = FATAL.has(up) ? this.opts.fatalGrade : ERROR.has(up) ? this.opts.errorGrade : 0;
    if (base === 0) return undefined;
    const share = total > 0 ? count / total : 0;
    // routine templates fade: at routineShare the grade is halved, at twice that it is a quarter
    const grade = share > this.opts.routineShare ? base * (this.opts.routineShare / share) * 0.5 : base;
    return {
      detector: this.name,
      grade,
      reason: `${up} line${share > this.opts.routineShare ? ' (routine in this source)' : ''}: ${clip(rec.template, 120)}`,
      explain: { level: up, template: rec.template, templateId: rec.templateId, share, contributions: [{ feature: 'level', value: up, weight: base }] },
    };
  }
}
