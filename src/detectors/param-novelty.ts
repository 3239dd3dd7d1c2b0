/**
 * Parameter novelty: a template's variable part usually takes a few values at some positions (an
 * interface, a status, a user) and anything at others (ids, sizes). At a low-cardinality position, a
 * value never seen before is news in proportion to how rarely that position has produced new values
 * (Good–Turing: distinct values ÷ records), weighted by its Levenshtein distance to the nearest known
 * value (`eth2` after `eth0`/`eth1` is less surprising than `/dev/sdz9`).
 * Cheap on the hot path: a template whose positions all turned out high-cardinality is never looked at
 * again (`wants()` says no before its parameters are even extracted), and seen values are cached.
 */
import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { ParsedRecord } from '../model/record.js';
import { checkDetectorSnapshot, type Detector, type DetectorFactory, type DetectorSnapshot, type Finding, type RecordContext } from './contract.js';
import { clip } from './detector.js';

export const paramNoveltyOptions = z.object({
  enabled: z.boolean(),
  /** Records of a template before its positions are judged. */
  warmup: z.number().int().min(1),
  /** A position with more distinct values than this is free-form: never judged, values no longer kept. */
  maxDistinct: z.number().int().min(1),
  /** -log10 of the new-value probability at which the grade (before distance weighting) reaches 1. */
  fullSurprise: z.number().positive(),
});
export type ParamNoveltyOptions = z.infer<typeof paramNoveltyOptions>;

const NAME = 'param-novelty';
const VERSION = 1;

interface Position {
  /** Distinct values seen (up to maxDistinct), else undefined: free-form. */
  values?: Set<string>;
}

interface TemplateParams {
  records: number;
  positions: Position[];
  /** All positions free-form: skip this template. */
  free: boolean;
}

export interface ParamNoveltyState {
  templates: Map<number, TemplateParams>;
}

export function newParamNoveltyState(): ParamNoveltyState {
  return { templates: new Map() };
}

/** JSON form: Sets and Maps as arrays. */
export interface ParamNoveltyJson {
  templates: Array<[number, { records: number; free: boolean; positions: Array<string[] | null> }]>;
}

export function paramNoveltyToJson(st: ParamNoveltyState): ParamNoveltyJson {
  return {
    templates: [...st.templates].map(([id, t]) => [id, { records: t.records, free: t.free, positions: t.positions.map((p) => (p.values ? [...p.values] : null)) }]),
  };
}

export function paramNoveltyFromJson(j: ParamNoveltyJson | undefined): ParamNoveltyState {
  const st = newParamNoveltyState();
  for (const [id, t] of j?.templates ?? []) st.templates.set(id, { records: t.records, free: t.free, positions: t.positions.map((v) => ({ values: v ? new Set(v) : undefined })) });
  return st;
}

export class ParamNoveltyDetector implements Detector<'record'> {
  readonly name = NAME;
  readonly scope = 'record';
  readonly learned = false;
  /** Known values of every template position: too large to rewrite with every batch. */
  readonly state = 'large';
  private st = newParamNoveltyState();

  constructor(private readonly opts: ParamNoveltyOptions) {}

  /** Past warm-up once some template is judged, or known to have nothing to judge (free-form). */
  ready(): boolean {
    for (const t of this.st.templates.values()) if (t.free || t.records >= this.opts.warmup) return true;
    return false;
  }

  /** False when this template's parameters need not be extracted at all. */
  private wants(templateId: number): boolean {
    return this.opts.enabled && this.st.templates.get(templateId)?.free !== true;
  }

  score(rec: ParsedRecord, ctx: RecordContext): Finding[] {
    if (!this.wants(rec.templateId)) return [];
    const f = this.finding(rec.templateId, rec.template, ctx.params());
    return f ? [f] : [];
  }

  learn(rec: ParsedRecord, ctx: RecordContext): void {
    if (this.wants(rec.templateId)) this.learnParams(rec.templateId, ctx.params());
  }

  snapshot(): DetectorSnapshot {
    return { kind: NAME, version: VERSION, state: paramNoveltyToJson(this.st) };
  }

  restore(s: DetectorSnapshot): void {
    checkDetectorSnapshot(s, NAME, VERSION);
    this.st = paramNoveltyFromJson(s.state as ParamNoveltyJson | undefined);
  }

  private finding(templateId: number, template: string, params: readonly string[]): Finding | undefined {
    const st = this.st;
    const t = st.templates.get(templateId);
    if (!this.opts.enabled || !t || t.free || t.records < this.opts.warmup) return undefined;
    let best: Finding | undefined;
    for (let i = 0; i < params.length && i < t.positions.length; i++) {
      const known = t.positions[i].values;
      const v = params[i];
      if (!known || known.has(v)) continue;
      let nearest = '';
      let d = Infinity;
      for (const k of known) {
        const dk = distance(v, k);
        if (dk < d) {
          d = dk;
          nearest = k;
        }
      }
      const norm = Math.min(1, d / Math.max(1, v.length, nearest.length));
      const pNew = (known.size + 1) / (t.records + 2);
      const surprise = Math.min(1, -Math.log10(pNew) / this.opts.fullSurprise);
      const grade = surprise * (0.6 + 0.4 * norm);
      if (best && best.grade >= grade) continue;
      best = {
        detector: this.name,
        grade,
        reason: `new value "${clip(v, 40)}" at parameter ${i + 1} of a template whose parameter took ${known.size} value(s) in ${t.records} records (nearest "${clip(nearest, 40)}"): ${clip(template, 80)}`,
        explain: {
          position: i,
          value: v,
          nearestNormal: nearest,
          editDistance: d,
          distinct: known.size,
          records: t.records,
          contributions: [{ feature: `param${i + 1}`, value: v, nearest, weight: grade }],
        },
      };
    }
    return best;
  }

  private learnParams(templateId: number, params: readonly string[]): void {
    const st = this.st;
    let t = st.templates.get(templateId);
    if (!t) st.templates.set(templateId, (t = { records: 0, positions: [], free: false }));
    if (t.free) return;
    t.records++;
    while (t.positions.length < params.length) t.positions.push({ values: new Set() });
    let free = true;
    for (let i = 0; i < params.length; i++) {
      const p = t.positions[i];
      if (!p.values) continue;
      p.values.add(params[i]);
      if (p.values.size > this.opts.maxDistinct) p.values = undefined;
      else free = false;
    }
    // a template without parameters has nothing to judge (once it has settled after warm-up)
    t.free = params.length > 0 ? free : t.records >= this.opts.warmup;
  }
}

export const paramNoveltyFactory: DetectorFactory<'record', ParamNoveltyOptions> = {
  name: NAME,
  scope: 'record',
  schema: paramNoveltyOptions,
  options: (c: Config) => c.detect.paramNovelty,
  enabled: (o) => o.enabled,
  create: (o) => new ParamNoveltyDetector(o),
};
