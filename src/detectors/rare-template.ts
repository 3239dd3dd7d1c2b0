/**
 * Grades a record by how rare its template is in its source: below `maxShare` of the source's records
 * the grade rises from 0.5 (at maxShare) to 1 (a template seen once). Not reported during warm-up.
 */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { ParsedRecord } from '../model/record.js';
import { checkDetectorSnapshot, type Detector, type DetectorFactory, type DetectorSnapshot, type Finding, type RecordContext } from './contract.js';
import { clip } from './detector.js';

export const rareTemplateOptions = z.object({
  enabled: z.boolean(),
  maxShare: z.number().min(0).max(1),
  warmupRecords: z.number().int().min(0),
});
export type RareTemplateOptions = z.infer<typeof rareTemplateOptions>;

const NAME = 'rare-template';

/** Stateless: the template counts are the miner's, handed over in the context. */
export class RareTemplateDetector implements Detector<'record'> {
  readonly name = NAME;
  readonly scope = 'record';
  readonly learned = false;
  readonly state = 'small';

  constructor(private readonly opts: RareTemplateOptions) {}

  ready(): boolean {
    return true;
  }

  score(rec: ParsedRecord, ctx: RecordContext): Finding[] {
    const { count, total } = ctx;
    if (!this.opts.enabled || total < this.opts.warmupRecords || total <= 1) return [];
    const share = count / total;
    if (share >= this.opts.maxShare) return [];
    // log-scale between maxShare (0.5) and 1/total (1.0)
    const span = Math.log(this.opts.maxShare * total);
    const grade = span > 0 ? 0.5 + 0.5 * Math.min(1, Math.log(this.opts.maxShare / share) / span) : 0.5;
    return [
      {
        detector: this.name,
        grade,
        reason: `rare template #${rec.templateId} (${count} of ${total} records): ${clip(rec.template, 120)}`,
        explain: { template: rec.template, templateId: rec.templateId, count, total, share },
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

export const rareTemplateFactory: DetectorFactory<'record', RareTemplateOptions> = {
  name: NAME,
  scope: 'record',
  schema: rareTemplateOptions,
  options: (c: Config) => ({ ...c.detect.rareTemplate, warmupRecords: c.detect.warmupRecords }),
  enabled: (o) => o.enabled,
  create: (o) => new RareTemplateDetector(o),
};
