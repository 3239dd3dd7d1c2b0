/**
 * Grades a record by how rare its template is in its source: below `maxShare` of the source's records
 * the grade rises from 0.5 (at maxShare) to 1 (a template seen once). Not reported during warm-up.
 *
 * A rare template that recurs is not news: one seen in `recurring` distinct windows (`detect.interval`
 * of log time) is normal however rare (a mail server's occasional bounce, a WAF's occasional block), as a
 * profiled value is known when spread over time rather than common in one burst. Without that rule the
 * count a template needs to stop being rare grows with the source's history (total^0.6), so a template at
 * one in 20,000 records alarmed again and again for its first 600,000 records. A burst inside one or two
 * windows still alarms, and so do the first windows of a longer one (its incident is open by then).
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
  /** Distinct windows a template must have been seen in to be recurring (never rare); 0 or absent: never. */
  recurring: z.number().int().min(0).optional(),
  /** The window length (ms) of `recurring`. */
  window: z.number().int().positive().optional(),
});
export type RareTemplateOptions = z.infer<typeof rareTemplateOptions>;

const NAME = 'rare-template';

const VERSION = 2;

/** The template counts are the miner's, handed over in the context; the detector keeps when each rare template was seen. */
export class RareTemplateDetector implements Detector<'record'> {
  readonly name = NAME;
  readonly scope = 'record';
  readonly learned = false;
  readonly state = 'small';
  /** templateId → the distinct windows (log time) it was seen in, until it has `recurring` of them. */
  private seen = new Map<number, number[]>();
  /** Templates seen in `recurring` distinct windows. */
  private recurring = new Set<number>();

  constructor(private readonly opts: RareTemplateOptions) {}

  ready(): boolean {
    return true;
  }

  score(rec: ParsedRecord, ctx: RecordContext): Finding[] {
    const { count, total } = ctx;
    if (!this.opts.enabled || total < this.opts.warmupRecords || total <= 1) return [];
    const share = count / total;
    if (share >= this.opts.maxShare || this.recurring.has(rec.templateId)) return [];
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

  learn(rec: ParsedRecord, ctx: RecordContext): void {
    const need = this.opts.recurring ?? 0;
    // only templates rare enough to be graded need their windows (the common ones would never alarm)
    if (need === 0 || this.recurring.has(rec.templateId) || ctx.count / Math.max(1, ctx.total) >= this.opts.maxShare) return;
    const w = Math.floor(rec.ts / (this.opts.window ?? 60_000));
    const seen = this.seen.get(rec.templateId) ?? [];
    if (seen.includes(w)) return;
    seen.push(w);
    if (seen.length >= need) {
      this.seen.delete(rec.templateId);
      this.recurring.add(rec.templateId);
    } else this.seen.set(rec.templateId, seen);
  }

  snapshot(): DetectorSnapshot {
    return { kind: NAME, version: VERSION, seen: [...this.seen], recurring: [...this.recurring] };
  }

  restore(s: DetectorSnapshot): void {
    // version 1 kept nothing: it restores as a detector that has seen no windows yet
    if (s.kind === NAME && s.version === 1) return;
    checkDetectorSnapshot(s, NAME, VERSION);
    this.seen = new Map((s.seen as Array<[number, number[]]> | undefined) ?? []);
    this.recurring = new Set((s.recurring as number[] | undefined) ?? []);
  }
}

export const rareTemplateFactory: DetectorFactory<'record', RareTemplateOptions> = {
  name: NAME,
  scope: 'record',
  schema: rareTemplateOptions,
  options: (c: Config) => ({ ...c.detect.rareTemplate, warmupRecords: c.detect.warmupRecords, window: c.detect.interval }),
  enabled: (o) => o.enabled,
  create: (o) => new RareTemplateDetector(o),
};
