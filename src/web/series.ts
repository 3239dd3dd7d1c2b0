/** Series as the API gives them (downsampled [t, value] buckets) → what the charts draw. Pure functions. */

export type Point = [number, number];

export interface SeriesKey {
  source: string;
  key: string;
  label: string;
}

/** One chart: the keys of one source drawn together. */
export interface ChartGroup {
  source: string;
  id: string;
  title: string;
  keys: SeriesKey[];
}

/** uPlot's aligned data: shared x values, then one y array per series (null where a series has no bucket). */
export type Aligned = [number[], ...Array<Array<number | null>>];

/** Merges series with possibly different buckets onto the union of their times. */
export function toAligned(series: ReadonlyArray<ReadonlyArray<Point>>): Aligned {
  const xs = [...new Set(series.flatMap((s) => s.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y = new Array<number | null>(xs.length).fill(null);
    for (const [t, v] of s) y[index.get(t)!] = (y[index.get(t)!] ?? 0) + v;
    return y;
  });
  return [xs, ...ys];
}

/**
 * Adds a live window's value to a downsampled series: into the bucket of `step` ms that holds `t`, or a
 * new bucket aligned with the existing ones (summed, like the server's downsampling). Returns a new array.
 */
export function addPoint(points: ReadonlyArray<Point>, step: number, t: number, value: number): Point[] {
  const out = points.map((p) => [p[0], p[1]] as Point);
  if (out.length === 0 || !(step > 0)) {
    const same = out.findIndex((p) => p[0] === t);
    if (same >= 0) out[same][1] += value;
    else out.push([t, value]);
    return out.sort((a, b) => a[0] - b[0]);
  }
  const base = out[0][0];
  const start = base + Math.floor((t - base) / step) * step;
  const i = out.findIndex((p) => p[0] === start);
  if (i >= 0) out[i][1] += value;
  else {
    out.push([start, value]);
    out.sort((a, b) => a[0] - b[0]);
  }
  return out;
}

/** Drops points before `since` (a live range slides forward). */
export function trimBefore(points: ReadonlyArray<Point>, since: number | undefined): Point[] {
  return since === undefined ? [...points] : points.filter((p) => p[0] >= since);
}

/**
 * Which series go on which chart: per source, one chart per monitored field with its common values
 * (`value:<field>=<v>`), one chart of unknown values (`unknown:<field>`) and one of the record rate.
 * Per-template series are many and belong to the template explorer, not the overview.
 */
export function chartGroups(keys: readonly SeriesKey[]): ChartGroup[] {
  const groups = new Map<string, ChartGroup>();
  const add = (k: SeriesKey, id: string, title: string) => {
    const gid = `${k.source}\u0000${id}`;
    let g = groups.get(gid);
    if (!g) groups.set(gid, (g = { source: k.source, id, title, keys: [] }));
    g.keys.push(k);
  };
  for (const k of keys) {
    if (k.key === 'records') add(k, 'records', 'records');
    else if (k.key.startsWith('value:')) {
      const rest = k.key.slice('value:'.length);
      const eq = rest.indexOf('=');
      const field = eq < 0 ? rest : rest.slice(0, eq);
      add(k, `value:${field}`, field);
    } else if (k.key.startsWith('unknown:')) add(k, 'unknown', 'unknown values');
    else if (!k.key.startsWith('template:')) add(k, k.key, k.label || k.key);
  }
  const rank = (id: string) => (id === 'records' ? 0 : id.startsWith('value:') ? 1 : id === 'unknown' ? 2 : 3);
  return [...groups.values()].sort(
    (a, b) => a.source.localeCompare(b.source) || rank(a.id) - rank(b.id) || a.id.localeCompare(b.id),
  );
}

/** The short name of a key inside its chart's legend (`value:action=BLOCK` → `BLOCK`). */
export function legendLabel(k: SeriesKey): string {
  if (k.key.startsWith('value:')) {
    const rest = k.key.slice('value:'.length);
    const eq = rest.indexOf('=');
    if (eq >= 0) return rest.slice(eq + 1);
  }
  if (k.key.startsWith('unknown:')) return k.key.slice('unknown:'.length);
  return k.label || k.key;
}
