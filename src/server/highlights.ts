/**
 * Character ranges of a raw line to highlight: where the values an anomaly's detectors named (an
 * unknown field value, a novel parameter, a level) occur in it as whole tokens. Indices are JavaScript
 * string indices (UTF-16 code units), end exclusive.
 */
import type { Anomaly } from '../model/record.js';

const MAX_RANGES = 20;
const WORD = /[\p{L}\p{N}_]/u;

export function highlights(raw: string, a: Pick<Anomaly, 'explain'>): Array<{ start: number; end: number }> {
  const values = new Set<string>();
  const contributions = Array.isArray(a.explain?.contributions) ? (a.explain.contributions as Array<Record<string, unknown>>) : [];
  for (const c of contributions) {
    if (typeof c.value === 'string' || typeof c.value === 'number') values.add(String(c.value));
    else if (typeof c.feature === 'string' && c.feature.includes('=')) values.add(c.feature.slice(c.feature.lastIndexOf('=') + 1));
  }
  const out: Array<{ start: number; end: number }> = [];
  for (const v of values) {
    if (!v || v.length > raw.length) continue;
    for (let i = raw.indexOf(v); i >= 0 && out.length < MAX_RANGES; i = raw.indexOf(v, i + v.length)) {
      const end = i + v.length;
      // whole tokens only: "1" must not light up every digit of the line
      if ((i > 0 && WORD.test(raw[i - 1]) && WORD.test(v[0])) || (end < raw.length && WORD.test(raw[end]) && WORD.test(v[v.length - 1]))) continue;
      out.push({ start: i, end });
    }
  }
  return out.sort((x, y) => x.start - y.start);
}
