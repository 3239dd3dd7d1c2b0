/**
 * Grades a record by how rare its template is in its source: below `maxShare` of the source's records
 * the grade rises from 0.5 (at maxShare) to 1 (a template seen once). Not reported during warm-up.
 */
import type { ParsedRecord } from '../model/record.js';
import { clip, type Finding } from './detector.js';

export interface RareTemplateOptions {
  enabled: boolean;
  maxShare: number;
  warmupRecords: number;
}

export class RareTemplateDetector {
  readonly name = 'rare-template';

  constructor(private readonly opts: RareTemplateOptions) {}

  /** `count`: records with this template so far (this one included); `total`: records of the source. */
  score(rec: ParsedRecord, count: number, total: number): Finding | undefined {
    if (!this.opts.enabled || total < this.opts.warmupRecords || total <= 1) return undefined;
    const share = count / total;
    if (share >= this.opts.maxShare) return undefined;
    // log-scale between maxShare (0.5) and 1/total (1.0)
    const span = Math.log(this.opts.maxShare * total);
    const grade = span > 0 ? 0.5 + 0.5 * Math.min(1, Math.log(this.opts.maxShare / share) / span) : 0.5;
    return {
      detector: this.name,
      grade,
      reason: `rare template #${rec.templateId} (${count} of ${total} records): ${clip(rec.template, 120)}`,
      explain: { template: rec.template, templateId: rec.templateId, count, total, share },
    };
  }
}
