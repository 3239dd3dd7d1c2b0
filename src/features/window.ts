/**
 * Per-source, per-interval aggregation in log time: record counts, counts per template and, for each
 * monitored categorical field, how many records carried an unknown value (and which ones). Windows are
 * aligned to the interval; a record from a later interval closes the current one.
 */
import type { MonitoredField } from '../config/schema.js';
import type { ParsedRecord } from '../model/record.js';

export interface FieldCounts {
  unknown: number;
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

  constructor(readonly fields: MonitoredField[]) {
    this.known = new Map(fields.map((f) => [f.field, new Set(f.known.map(String))]));
  }

  /** The value of a monitored field when it is unknown, else undefined. A missing field counts as unknown `(missing)`. */
  unknownValue(field: string, rec: ParsedRecord): string | undefined {
    const v = rec.fields[field];
    const s = v === undefined || v === null ? '(missing)' : String(v);
    return this.known.get(field)!.has(s) ? undefined : s;
  }
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
    let fc = w.fields[f.field];
    if (!fc) w.fields[f.field] = fc = { unknown: 0, values: {} };
    const v = rec.fields[f.field];
    const s = v === undefined || v === null ? '(missing)' : String(v);
    const counts = (fc.counts ??= {});
    if (counts[s] !== undefined || Object.keys(counts).length < MAX_COUNTED) counts[s] = (counts[s] ?? 0) + 1;
    const u = indicators.unknownValue(f.field, rec);
    if (u === undefined) continue;
    fc.unknown++;
    if (fc.values[u] !== undefined || Object.keys(fc.values).length < MAX_VALUES) fc.values[u] = (fc.values[u] ?? 0) + 1;
    fc.sample ??= { raw: rec.raw, line: rec.line, offset: rec.offset, file };
  }
}
