/**
 * Finds a source's categorical fields by itself when none are configured: over its first records it
 * counts the values of every structured field (JSON, key=value, header level…); a field present in most
 * records with a few distinct values is categorical, and its common values are "known". From then on the
 * source monitors it like a configured field (unknown-value share per interval). High-cardinality fields
 * (ids, addresses, times) drop out as soon as they exceed `maxValues`, so profiling stays small.
 *
 * Profiling covers both `records` records and `span` of log time, cut into `slices` equal time slices;
 * a value is known only when it has `knownShare` of the records (and at least two) in more than half
 * of the slices that have records. A burst (an incident in the first hour) fills one or two slices: its values stay
 * unknown however many records it has. The choice is provisional at `records` records (50: a quiet source
 * is watched within minutes) and made again at each doubling until the span is covered; after that the
 * known values never change, so values first seen in an anomalous window are never learned as known.
 * Each field carries the share of unknown values its profile expects (its long tail), which the rate
 * detector takes as its prior.
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
  /** Log time (ms) profiled at least, from the first record. */
  span?: number;
  /** Time slices of the span: a known value is common in at least half of them. */
  slices?: number;
}

export interface ProfilerState {
  seen: number;
  /** field → value → count; null once the field has too many values. */
  fields: Record<string, Record<string, number> | null>;
  /** Set once chosen: the fields to monitor (provisional until `final`). */
  chosen?: MonitoredField[];
  /** Records at which the provisional choice is made again (it doubles). */
  nextChoice?: number;
  /** The span is profiled: the chosen fields are final. */
  final?: boolean;
  /** Log time of the first record profiled. */
  first?: number;
  /** Per time slice: records, and field → value → count. */
  slices?: Array<{ records: number; fields: Record<string, Record<string, number>> }>;
}

const MAX_FIELDS = 200;
const MAX_VALUE_LENGTH = 64;

export function newProfilerState(): ProfilerState {
  return { seen: 0, fields: Object.create(null) as ProfilerState['fields'] };
}

export class FieldProfiler {
  constructor(private readonly opts: ProfilerOptions) {}

  /**
   * Adds a record; returns the fields when they are chosen: provisionally after `records` records (a busy
   * source is monitored within seconds), finally once `span` is profiled too (the time-spread rule then
   * drops values that were common only in a burst).
   */
  add(rec: ParsedRecord, st: ProfilerState): MonitoredField[] | undefined {
    if (st.final || (st.chosen && !st.slices)) return undefined;
    st.seen++;
    st.first ??= rec.ts;
    const sliceLen = (this.opts.span ?? 0) / (this.opts.slices ?? 1);
    const si = sliceLen > 0 ? Math.max(0, Math.floor((rec.ts - st.first) / sliceLen)) : 0;
    const slices = (st.slices ??= []);
    while (slices.length <= si) slices.push({ records: 0, fields: Object.create(null) as Record<string, Record<string, number>> });
    const slice = slices[si];
    slice.records++;
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
      const sc = (slice.fields[k] ??= Object.create(null) as Record<string, number>);
      sc[s] = (sc[s] ?? 0) + 1;
    }
    if (st.seen < this.opts.records) return undefined;
    if (rec.ts - st.first < (this.opts.span ?? 0)) {
      // provisional, refined as evidence grows: at `records`, then at each doubling (by the same rule,
      // so a value common in a burst only stays unknown)
      if (st.chosen && st.seen < (st.nextChoice ?? 0)) return undefined;
      st.nextChoice = st.seen * 2;
      return (st.chosen = this.choose(st, true));
    }
    st.chosen = this.choose(st);
    st.final = true;
    st.fields = Object.create(null) as ProfilerState['fields'];
    st.slices = undefined;
    st.nextChoice = undefined;
    return st.chosen;
  }

  private choose(st: ProfilerState, provisional = false): MonitoredField[] {
    const out: MonitoredField[] = [];
    for (const [field, counts] of Object.entries(st.fields)) {
      if (!counts) continue;
      const entries = Object.entries(counts);
      const present = entries.reduce((a, [, c]) => a + c, 0);
      if (entries.length < 2 || present < st.seen * this.opts.presentShare) continue;
      const known = entries.filter(([v, c]) => c >= st.seen * this.opts.knownShare && this.spread(st, field, v, provisional)).map(([v]) => v);
      // a field whose values are all common has nothing unknown to watch for yet, but a new value would be
      if (known.length === 0) continue;
      out.push({ field, known: known.sort(), label: undefined, expectedUnknown: this.rareShare(entries, present) });
    }
    return out.sort((a, b) => a.field.localeCompare(b.field));
  }

  /**
   * The share of records a new profile would not know, estimated leave-one-out: a record whose value would
   * fall below the known share without it (singletons among them, Good-Turing's unseen mass). Values of a
   * burst are left out: they are the anomalies, not the base rate. A long-tailed field gets a base rate
   * that its tail does not exceed, from the first window on.
   */
  private rareShare(entries: Array<[string, number]>, present: number): number {
    const bar = Math.max(1, (present - 1) * this.opts.knownShare);
    let rare = 0;
    for (const [, c] of entries) if (c - 1 < bar) rare += c;
    return rare / present;
  }

  /** The value has `knownShare` of the records in more than half of the slices with records (a burst is not). */
  private spread(st: ProfilerState, field: string, value: string, provisional: boolean): boolean {
    // the last slice is still filling (a few records): judged over the complete ones
    const all = st.slices ?? [];
    const used = (all.length > 1 ? all.slice(0, -1) : all).filter((s) => s.records > 0);
    // with one complete slice, a value must be common in it: one only in the slice still filling (a burst
    // starting as the choice is made) is not known yet
    if (used.length === 0) return true;
    // one sighting is no evidence of a share (at 50 records a slice, 1 would pass 1 %): a slice needs two
    const isCommon = (s: { records: number; fields: Record<string, Record<string, number>> }) => (s.fields[field]?.[value] ?? 0) >= Math.max(2, s.records * this.opts.knownShare);
    const common = used.filter(isCommon).length;
    // provisionally, few slices are complete and a burst of two fills most of them: a value must also be
    // common in the first slice (a burst at the very start is known until the final choice drops it)
    if (provisional && !isCommon(used[0]!)) return false;
    // more than half: a burst of up to half the slices stays unknown
    return common * 2 > used.length;
  }
}
