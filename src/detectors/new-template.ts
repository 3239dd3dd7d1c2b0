/** Flags a message whose template its source has never produced, once the source is past warm-up. */
import type { ParsedRecord } from '../model/record.js';
import { clip, type Finding } from './detector.js';

export interface NewTemplateOptions {
  enabled: boolean;
  grade: number;
  warmupRecords: number;
}

export class NewTemplateDetector {
  readonly name = 'new-template';

  constructor(private readonly opts: NewTemplateOptions) {}

  /** `recordsBefore`: records the source had seen before this one. */
  score(rec: ParsedRecord, recordsBefore: number): Finding | undefined {
    if (!this.opts.enabled || rec.change !== 'created' || recordsBefore < this.opts.warmupRecords) return undefined;
    return {
      detector: this.name,
      grade: this.opts.grade,
      reason: `new template #${rec.templateId} after ${recordsBefore} records: ${clip(rec.template, 120)}`,
      explain: { template: rec.template, templateId: rec.templateId },
    };
  }
}
