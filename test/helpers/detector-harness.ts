/**
 * Inputs and scope contexts for driving detectors through their contract (src/detectors/contract.ts)
 * in unit tests: records with their RecordContext, windows with their WindowContext, ended sessions
 * with their SessionContext, and probes of a learned record model built so that the production
 * featurizer (`recordFeatures`) gives exactly the wanted feature vector.
 */
import type { MonitoredField } from '../../src/config/schema.js';
import type { CalibratedDetector } from '../../src/detectors/calibrated.js';
import type { Detector, RecordContext, Scope, SessionContext, WindowContext } from '../../src/detectors/contract.js';
import type { Features } from '../../src/detectors/model.js';
import type { DetectorSet } from '../../src/detectors/registry.js';
import { recordFeatures } from '../../src/features/record.js';
import type { OpenSession } from '../../src/features/sessions.js';
import { FieldIndicators, windowFeatures, type WindowAggregate } from '../../src/features/window.js';
import type { ParsedRecord } from '../../src/model/record.js';

export const NO_FIELDS = new FieldIndicators([]);

const asIndicators = (fields: FieldIndicators | MonitoredField[] | undefined) => (fields === undefined ? NO_FIELDS : fields instanceof FieldIndicators ? fields : new FieldIndicators(fields));

/** A mined record (template 1, no parameters, no fields unless given). */
export function record(o: Partial<ParsedRecord> = {}): ParsedRecord {
  const message = o.message ?? 'hello';
  return {
    source: 's',
    offset: 0,
    line: 1,
    ts: 0,
    tsFromRecord: false,
    raw: message,
    message,
    fields: {},
    truncated: false,
    templateId: 1,
    template: message,
    params: [],
    change: 'none',
    ...o,
  };
}

export interface RecordContextOptions {
  /** Records of the source so far, this one included (default before + 1). */
  total?: number;
  /** Records before this one (default total - 1, or 0). */
  before?: number;
  /** Records with this record's template so far (default 1). */
  count?: number;
  fields?: FieldIndicators | MonitoredField[];
  /** The record's parameters (default: the record's `params`, when a record is given). */
  params?: string[] | (() => string[]);
}

/** A record context as the pipeline builds it; `params` may be a function (e.g. to see whether it is called). */
export function recordCtx(o: RecordContextOptions = {}, rec?: ParsedRecord): RecordContext {
  const before = o.before ?? (o.total !== undefined ? Math.max(0, o.total - 1) : 0);
  const total = o.total ?? before + 1;
  const p = o.params;
  return {
    total,
    before,
    count: o.count ?? 1,
    fields: asIndicators(o.fields),
    params: typeof p === 'function' ? p : () => p ?? rec?.params ?? [],
  };
}

/** A window context with the production window featurizer (or a given feature vector). */
export function windowCtx(w: WindowAggregate, fields?: FieldIndicators | MonitoredField[], features?: Features): WindowContext {
  const indicators = asIndicators(fields);
  return { fields: indicators, features: () => features ?? windowFeatures(w, indicators) };
}

/** A window of `total` records (one template), `fieldCounts` as aggregated. */
export function window(total: number, fieldCounts: WindowAggregate['fields'] = {}, start = 0): WindowAggregate {
  return { start, end: start + 60_000, total, templates: { '1': total }, fields: fieldCounts };
}

/** An ended session with these template ids in order. */
export function session(events: number[], key = 'k'): OpenSession {
  return { key, first: 0, last: 0, events, total: events.length, lines: [] };
}

export const sessionCtx = (describe: (templateId: number) => string = (id) => `template ${id}`): SessionContext => ({ describe });

/**
 * A record and its context whose `recordFeatures` are exactly `x` (`template.rarity`, one `level.X`,
 * `unknown.<field>` for monitored fields): the probe of a learned record model, as the pipeline
 * would featurize it. Throws when `x` cannot be produced so.
 */
export function recordProbe(x: Features, fields: FieldIndicators | MonitoredField[] = NO_FIELDS): { rec: ParsedRecord; ctx: RecordContext } {
  const indicators = asIndicators(fields);
  const rarity = x['template.rarity'] ?? 0;
  const total = Math.round(2 ** rarity);
  const values: Record<string, unknown> = {};
  for (const k of Object.keys(x)) if (k.startsWith('level.')) values.level = k.slice('level.'.length);
  for (const f of indicators.fields) {
    if (x[`unknown.${f.field}`]) values[f.field] = '(probe: unknown value)';
    else if (!f.whenPresent) values[f.field] = f.buckets ? f.buckets[0] - 1 : f.known[0];
  }
  const rec = record({ fields: values });
  const ctx = recordCtx({ total, count: 1, fields: indicators }, rec);
  const got = recordFeatures(rec, ctx.count, ctx.total, ctx.fields);
  const same = Object.keys(got).length === Object.keys(x).length && Object.entries(x).every(([k, v]) => got[k] === v);
  if (!same) throw new Error(`record probe ${JSON.stringify(x)} featurizes as ${JSON.stringify(got)}`);
  return { rec, ctx };
}

/** The detector of a set with this name (throws when it is not there). */
export function detectorNamed<S extends 'record' | 'window' | 'session'>(set: DetectorSet, scope: S, name: string): Detector<S> {
  const d = (set[scope] as Array<Detector<Scope>>).find((x) => x.name === name);
  if (!d) throw new Error(`no ${scope} detector ${name} in the set (${set[scope].map((x) => x.name).join(', ')})`);
  return d as Detector<S>;
}

/** A learned detector of a set, as the calibration wrapper it is (for its raw score). */
export function calibratedNamed<S extends 'record' | 'window' | 'session', X = Features>(set: DetectorSet, scope: S, name: string): CalibratedDetector<S, X> {
  const d = detectorNamed(set, scope, name);
  if (!d.learned || typeof (d as Partial<CalibratedDetector<S, X>>).raw !== 'function') throw new Error(`${name} is not a calibrated detector`);
  return d as unknown as CalibratedDetector<S, X>;
}
