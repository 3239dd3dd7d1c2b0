/**
 * Per-source, per-interval aggregation in log time: record counts, counts per template and, for each
 * monitored categorical field, how many records carried an unknown value (and which ones). Windows are
 * aligned to the interval; a record from a later interval closes the current one.
 */
import type { MonitoredField } from '../config/schema.js';
import type { ParsedRecord } from '../model/record.js';
import type { Features } from './vector.js';

export interface FieldCounts {
  unknown: number;
  /** Records that counted for the field (all of them, unless it is `whenPresent`). */
  present?: number;
  /** Unknown values seen, with counts (bounded: the first MAX_VALUES distinct ones). */
  values: Record<string, number>;
  /** Records per value, known or not (bounded: the first MAX_COUNTED distinct ones): the `value:` series. */
  counts?: Record<string, number>;
  /** The first record with an unknown value: the example shown in explanations. */
  sample?: { raw: string; line: number; offset: number; file?: string };
}

export interface WindowAggregate {
  start: number;
  end: number;
  total: number;
  templates: Record<string, number>;
  fields: Record<string, FieldCounts>;
  /** The window's first record: the example shown for window-wide findings. */
  sample?: { raw: string; line: number; offset: number; file?: string };
}

const MAX_VALUES = 20;
const MAX_COUNTED = 100;

export class FieldIndicators {
  private readonly known: Map<string, Set<string>>;
  /** Fields this source has carried at least once (one indicator set per source). */
  private readonly carried = new Set<string>();

  constructor(readonly fields: MonitoredField[]) {
    this.known = new Map(fields.map((f) => [f.field, new Set(f.known.map(String))]));
  }

  /**
   * The field's value as a category: its text, its bucket for a bucketed number, `(missing)` when absent
   * — or undefined when absent from a `whenPresent` field, or from a source that never carried the field
   * (the record does not count for it: configured fields apply to every source, and a plain-text source
   * beside the JSON one would otherwise count every record as unknown).
   */
  valueOf(f: MonitoredField, rec: ParsedRecord): string | undefined {
    const v = rec.fields[f.field];
    if (v === undefined || v === null || v === '') return f.whenPresent || !this.carried.has(f.field) ? undefined : '(missing)';
    this.carried.add(f.field);
    return f.buckets ? bucketOf(Number(v), f.buckets) : String(v);
  }

  /** The value of a monitored field when it is unknown, else undefined. */
  unknownValue(f: MonitoredField, rec: ParsedRecord): string | undefined {
    const s = this.valueOf(f, rec);
    return s === undefined || this.isKnown(f, s) ? undefined : s;
  }

  isKnown(f: MonitoredField, value: string): boolean {
    return this.known.get(f.field)!.has(value);
  }
}

/** `<b0`, `b0-b1`, …, `>=bn`; a value that is not a number is `(not a number)`. */
export function bucketOf(x: number, bounds: readonly number[]): string {
  if (!Number.isFinite(x)) return '(not a number)';
  if (x < bounds[0]) return `<${bounds[0]}`;
  for (let i = 1; i < bounds.length; i++) if (x < bounds[i]) return `${bounds[i - 1]}-${bounds[i]}`;
  return `>=${bounds[bounds.length - 1]}`;
}

/** What window detectors get with a closed window. */
export interface WindowContext {
  fields: FieldIndicators;
  /** The window as a feature vector (`windowFeatures`), computed once per window. */
  features(): Features;
}

/** Records of the window that count for the field: those that carry it or miss it in a source that carries it (all, once it does), or those carrying a `whenPresent` field. */
export function countedFor(f: MonitoredField, w: WindowAggregate): number {
  return w.fields[f.field]?.present ?? 0;
}

/**
 * The window as a feature vector, the input of every learned window model: log2(1 + records) and, per
 * monitored field, the share of the records counting for it that carried an unknown value.
 */
export function windowFeatures(w: WindowAggregate, indicators: FieldIndicators): Features {
  const x: Features = { 'records.log2': Math.log2(1 + w.total) };
  for (const f of indicators.fields) {
    const n = countedFor(f, w);
    x[`unknown.${f.field}`] = n > 0 ? (w.fields[f.field]?.unknown ?? 0) / n : 0;
  }
  return x;
}

export function emptyWindow(start: number, intervalMs: number): WindowAggregate {
  return { start, end: start + intervalMs, total: 0, templates: {}, fields: {} };
}

export function windowStart(ts: number, intervalMs: number): number {
  return Math.floor(ts / intervalMs) * intervalMs;
}

/** Adds one record to a window. */
export function addToWindow(w: WindowAggregate, rec: ParsedRecord, indicators: FieldIndicators, file?: string): void {
  w.total++;
  w.sample ??= { raw: rec.raw, line: rec.line, offset: rec.offset, file };
  // a number key is the same property as its string, without making the string per record
  w.templates[rec.templateId] = (w.templates[rec.templateId] ?? 0) + 1;
  for (const f of indicators.fields) {
    const s = indicators.valueOf(f, rec);
    if (s === undefined) continue;
    let fc = w.fields[f.field];
    if (!fc) w.fields[f.field] = fc = { unknown: 0, values: {}, present: 0 };
    fc.present = (fc.present ?? 0) + 1;
    const counts = (fc.counts ??= {});
    if (counts[s] !== undefined || Object.keys(counts).length < MAX_COUNTED) counts[s] = (counts[s] ?? 0) + 1;
    if (indicators.isKnown(f, s)) continue;
    fc.unknown++;
    if (fc.values[s] !== undefined || Object.keys(fc.values).length < MAX_VALUES) fc.values[s] = (fc.values[s] ?? 0) + 1;
    fc.sample ??= { raw: rec.raw, line: rec.line, offset: rec.offset, file };
  }
}
