/**
 * Severity: a record whose level says the program itself judged it fatal (FATAL, CRITICAL, EMERG,
 * ALERT, PANIC) is graded high, an ERROR/SEVERE one lower (reported only with other evidence), unless
 * its template is routine in its source (above `routineShare` of the records: a service that logs the
 * same "fatal" line all day is not news). Knowledge, not learning: what operators grep for first.
 *
 * A *detail line* — one register or setting and its value (`instruction address: 0x00004ed8`,
 * `machine check enable..........0`), as a crash handler dumps after its headline — carries the level of
 * the event it describes but is not a new event: it is graded as an ERROR line, so the headline alarms
 * once and the dump stays context instead of twenty alarms for one crash.
 */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { ParsedRecord } from '../model/record.js';
import { checkDetectorSnapshot, type Detector, type DetectorFactory, type DetectorSnapshot, type Finding, type RecordContext } from './contract.js';
import { clip } from './detector.js';

export const severityOptions = z.object({
  enabled: z.boolean(),
  fatalGrade: z.number().min(0).max(1),
  errorGrade: z.number().min(0).max(1),
  routineShare: z.number().min(0).max(1),
});
export type SeverityOptions = z.infer<typeof severityOptions>;

const NAME = 'severity';

export const FATAL_LEVELS: ReadonlySet<string> = new Set(['FATAL', 'CRITICAL', 'CRIT', 'EMERG', 'EMERGENCY', 'ALERT', 'PANIC', 'F']);
export const ERROR_LEVELS: ReadonlySet<string> = new Set(['ERROR', 'ERR', 'SEVERE', 'E']);
/** A label, then dot leaders or a colon, then one numeric/hex value and nothing else. */
const DETAIL_LINE = /^[A-Za-z][\w ()=,/:-]{0,60}?(?:\.{3,}\s*|:\s+)(?:0x)?[0-9a-fA-F]*\d[0-9a-fA-F]*$/;

/** True when the message only states one register/setting and its value. */
export function isDetailLine(message: string): boolean {
  return message.length <= 120 && DETAIL_LINE.test(message.trim());
}

/** Knowledge, not learning: stateless; the template's share in its source comes with the context. */
export class SeverityDetector implements Detector<'record'> {
  readonly name = NAME;
  readonly scope = 'record';
  readonly learned = false;
  readonly state = 'small';

  constructor(private readonly opts: SeverityOptions) {}

  ready(): boolean {
    return true;
  }

  score(rec: ParsedRecord, ctx: RecordContext): Finding[] {
    const f = this.finding(rec, ctx.count, ctx.total);
    return f ? [f] : [];
  }

  private finding(rec: ParsedRecord, count: number, total: number): Finding | undefined {
    if (!this.opts.enabled) return undefined;
    const level = rec.fields.level;
    if (typeof level !== 'string') return undefined;
    const up = level.toUpperCase();
    const fatal = FATAL_LEVELS.has(up);
    if (!fatal && !ERROR_LEVELS.has(up)) return undefined;
    const detail = fatal && isDetailLine(rec.message);
    const base = fatal && !detail ? this.opts.fatalGrade : this.opts.errorGrade;
    if (base === 0) return undefined;
    const share = total > 0 ? count / total : 0;
    // routine templates fade: at routineShare the grade is halved, at twice that it is a quarter
    const grade = share > this.opts.routineShare ? base * (this.opts.routineShare / share) * 0.5 : base;
    return {
      detector: this.name,
      grade,
      reason: `${up} ${detail ? 'detail line' : 'line'}${share > this.opts.routineShare ? ' (routine in this source)' : ''}: ${clip(rec.template, 120)}`,
      explain: { level: up, detail, template: rec.template, templateId: rec.templateId, share, contributions: [{ feature: 'level', value: up, weight: base }] },
    };
  }

  learn(): void {}

  snapshot(): DetectorSnapshot {
    return { kind: NAME, version: 1 };
  }

  restore(s: DetectorSnapshot): void {
    checkDetectorSnapshot(s, NAME, 1);
  }
}

export const severityFactory: DetectorFactory<'record', SeverityOptions> = {
  name: NAME,
  scope: 'record',
  schema: severityOptions,
  options: (c: Config) => c.detect.severity,
  enabled: (o) => o.enabled,
  create: (o) => new SeverityDetector(o),
};
