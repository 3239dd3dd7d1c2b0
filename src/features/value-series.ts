/**
 * The `value:<field>=<value>` series: per closed window, the records carrying each of the most common
 * values of every monitored field (e.g. `value:action=BLOCK`). Which values are charted follows the
 * running totals of the source (in memory; after a restart they rebuild from the next windows).
 */
import type { WindowAggregate } from './window.js';

/** Values charted per monitored field. */
export const TOP_VALUES = 10;
/** Distinct values tallied per field (categorical fields have few; the rest is not tallied). */
const MAX_TALLIED = 1000;

export class ValueTally {
  private readonly totals = new Map<string, Map<string, number>>();

  /** Adds a closed window's counts; returns its rows for the top values of each field (0 when absent in it). */
  rows(source: string, w: WindowAggregate): Array<{ source: string; key: string; start: number; value: number }> {
    const out: Array<{ source: string; key: string; start: number; value: number }> = [];
    for (const [field, fc] of Object.entries(w.fields)) {
      const counts = fc.counts ?? {};
      let t = this.totals.get(field);
      if (!t) this.totals.set(field, (t = new Map()));
      for (const [v, c] of Object.entries(counts)) if (t.has(v) || t.size < MAX_TALLIED) t.set(v, (t.get(v) ?? 0) + c);
      const top = [...t.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_VALUES);
      for (const [v] of top) out.push({ source, key: `value:${field}=${v}`, start: w.start, value: counts[v] ?? 0 });
    }
    return out;
  }
}
