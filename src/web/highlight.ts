/** Which characters of a raw line to highlight: pure functions from ranges or values to text segments. */

export interface Range {
  start: number;
  end: number;
}

export interface Segment {
  text: string;
  hit: boolean;
}

/** Clamps ranges to the text, drops empty/invalid ones and merges overlapping or touching ones. */
export function normaliseRanges(ranges: readonly Range[], length: number): Range[] {
  const valid = ranges
    .filter((r) => Number.isFinite(r.start) && Number.isFinite(r.end))
    .map((r) => ({ start: Math.max(0, Math.floor(r.start)), end: Math.min(length, Math.floor(r.end)) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Range[] = [];
  for (const r of valid) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** The text cut into alternating plain and highlighted segments (concatenated, they give back `text`). */
export function segmentsOf(text: string, ranges: readonly Range[]): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const r of normaliseRanges(ranges, text.length)) {
    if (r.start > at) out.push({ text: text.slice(at, r.start), hit: false });
    out.push({ text: text.slice(r.start, r.end), hit: true });
    at = r.end;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), hit: false });
  return out;
}

/** Every occurrence of each value in the text, as ranges (values shorter than `minLength` are ignored: "1" would hit everywhere). */
export function rangesOfValues(text: string, values: readonly string[], minLength = 2): Range[] {
  const out: Range[] = [];
  for (const v of new Set(values)) {
    if (v.length < minLength) continue;
    for (let i = text.indexOf(v); i >= 0; i = text.indexOf(v, i + v.length)) out.push({ start: i, end: i + v.length });
  }
  return out;
}

/**
 * The values an explanation names that could appear in the raw line: `value`/`param` of each contribution,
 * and the value half of a `field=value` feature (field-rate contributions name them that way).
 */
export function contributionValues(explain: unknown): string[] {
  const contributions = (explain as { contributions?: unknown } | undefined)?.contributions;
  if (!Array.isArray(contributions)) return [];
  const out: string[] = [];
  for (const c of contributions as Array<Record<string, unknown>>) {
    if (!c || typeof c !== 'object') continue;
    for (const k of ['value', 'param'] as const) {
      const v = c[k];
      if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
    }
    if (typeof c.feature === 'string' && c.feature.includes('=')) out.push(c.feature.slice(c.feature.indexOf('=') + 1));
  }
  return out;
}

/** The highlight ranges for a raw line: the explanation's own ranges when present, else where its values occur. */
export function highlightRanges(raw: string, explain: unknown): Range[] {
  const hl = (explain as { highlights?: unknown } | undefined)?.highlights;
  if (Array.isArray(hl) && hl.length > 0) {
    return (hl as Array<Record<string, unknown>>)
      .filter((r) => r && typeof r.start === 'number' && typeof r.end === 'number')
      .map((r) => ({ start: r.start as number, end: r.end as number }));
  }
  // a template without parameters equals the whole line: that names the shape, not an anomalous token
  return rangesOfValues(raw, contributionValues(explain).filter((v) => v !== raw));
}
