/**
 * Finds a source's categorical fields by itself when none are configured: over its first records it
 * counts the values of every structured field (JSON, key=value, header level…); a field present in most
 * records with a few distinct values is categorical, and its common values are "known". From then on the
 * source monitors it like a configured field (unknown-value share per interval). High-cardinality fields
 * (ids, addresses, times) drop out as soon as they exceed `maxValues`, so profiling stays small.
 */
import type { MonitoredField } from '../config/schema.js';
import type { ParsedRecord } from '../model/record.js';

export interface ProfilerOptions {
  /** Records profiled before the fields are chosen. */
  records: number;
  /** A field with more distinct values is not categorical. */
  maxValues: number;
  /** A value with at least this share of the records is known (normal). */
  knownShare: number;
  /** A field must be present in at least this share of the records. */
  presentShare: number;
}

export interface ProfilerState {
  seen: number;
  /** field → value → count; null once the field has too many values. */
  fields: Record<string, Record<string, number> | null>;
  /** Set once chosen: the fields to monitor. */
  chosen?: MonitoredField[];
}

const MAX_FIELDS = 200;
const MAX_VALUE_LENGTH = 64;

export function newProfilerState(): ProfilerState {
  return { seen: 0, fields: Object.create(null) as ProfilerState['fields'] };
}

export class FieldProfiler {
  constructor(private readonly opts: ProfilerOptions) {}

  /** Adds a record; returns the chosen fields once, on the record that completes profiling. */
  add(rec: ParsedRecord, st: ProfilerState): MonitoredField[] | undefined {
    if (st.chosen) return undefined;
    st.seen++;
    let tracked = Object.keys(st.fields).length;
    for (const [k, v] of Object.entries(rec.fields)) {
      let counts = st.fields[k];
      if (counts === null) continue;
      if (counts === undefined) {
        if (tracked >= MAX_FIELDS) continue;
        st.fields[k] = counts = Object.create(null) as Record<string, number>;
        tracked++;
      }
      const s = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
      if (s === undefined || s.length > MAX_VALUE_LENGTH) {
        st.fields[k] = null;
        continue;
      }
      if (counts[s] === undefined && Object.keys(counts).length >= this.opts.maxValues) {
        st.fields[k] = null;
        continue;
      }
      counts[s] = (counts[s] ?? 0) + 1;
    }
    if (st.seen < this.opts.records) return undefined;
    st.chosen = this.choose(st);
    st.fields = Object.create(null) as ProfilerState['fields'];
    return st.chosen;
  }

  private choose(st: ProfilerState): MonitoredField[] {
    const out: MonitoredField[] = [];
    for (const [field, counts] of Object.entries(st.fields)) {
      if (!counts) continue;
      const entries = Object.entries(counts);
      const present = entries.reduce((a, [, c]) => a + c, 0);
      if (entries.length < 2 || present < st.seen * this.opts.presentShare) continue;
      const known = entries.filter(([, c]) => c >= st.seen * this.opts.knownShare).map(([v]) => v);
      // a field whose values are all common has nothing unknown to watch for yet, but a new value would be
      if (known.length === 0) continue;
      out.push({ field, known: known.sort(), label: undefined });
    }
    return out.sort((a, b) => a.field.localeCompare(b.field));
  }
}
