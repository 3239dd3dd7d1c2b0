/** Flags a message whose template its source has never produced, once the source is past warm-up. */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { ParsedRecord } from '../model/record.js';
import { checkDetectorSnapshot, type Detector, type DetectorFactory, type DetectorSnapshot, type Finding, type RecordContext } from './contract.js';
import { clip } from './detector.js';

export const newTemplateOptions = z.object({
  enabled: z.boolean(),
  grade: z.number().min(0).max(1),
  warmupRecords: z.number().int().min(0),
});
export type NewTemplateOptions = z.infer<typeof newTemplateOptions>;

const NAME = 'new-template';

/** Stateless: the miner says whether the template was just created, the context how many records came before. */
export class NewTemplateDetector implements Detector<'record'> {
  readonly name = NAME;
  readonly scope = 'record';
  readonly learned = false;
  readonly state = 'small';

  constructor(private readonly opts: NewTemplateOptions) {}

  ready(): boolean {
    return true;
  }

  score(rec: ParsedRecord, ctx: RecordContext): Finding[] {
    const before = ctx.before;
    if (!this.opts.enabled || rec.change !== 'created' || before < this.opts.warmupRecords) return [];
    return [
      {
        detector: this.name,
        grade: this.opts.grade,
        reason: `new template #${rec.templateId} after ${before} records: ${clip(rec.template, 120)}`,
        explain: { template: rec.template, templateId: rec.templateId },
      },
    ];
  }

  learn(): void {}

  snapshot(): DetectorSnapshot {
    return { kind: NAME, version: 1 };
  }

  restore(s: DetectorSnapshot): void {
    checkDetectorSnapshot(s, NAME, 1);
  }
}

export const newTemplateFactory: DetectorFactory<'record', NewTemplateOptions> = {
  name: NAME,
  scope: 'record',
  schema: newTemplateOptions,
  options: (c: Config) => ({ ...c.detect.newTemplate, warmupRecords: c.detect.warmupRecords }),
  enabled: (o) => o.enabled,
  create: (o) => new NewTemplateDetector(o),
};
