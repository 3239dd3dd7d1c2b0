/**
 * Record-scope features, the only ones: what the pipeline scores records on is what fixtures and tests
 * compute. A record is described by its level, how rare its template is in its source so far
 * (quantised to half bits, so records repeat few distinct vectors and scores cache well) and which
 * monitored fields carry an unknown value.
 */
import type { ParsedRecord } from '../model/record.js';
import type { FieldIndicators } from './window.js';
import type { Features } from './vector.js';

/** Half-bit quanta of -log2(share of the source's records with this template). */
function rarityQuanta(count: number, total: number): number {
  return Math.round(-2 * Math.log2(Math.max(count, 1) / Math.max(total, 1)));
}

/** `count`: records with the record's template so far; `total`: records of the source so far. */
export function recordFeatures(rec: ParsedRecord, count: number, total: number, fields: FieldIndicators): Features {
  const x: Features = { 'template.rarity': rarityQuanta(count, total) / 2 };
  const level = rec.fields.level;
  if (typeof level === 'string') x[`level.${level.toUpperCase()}`] = 1;
  for (const f of fields.fields) if (fields.unknownValue(f, rec) !== undefined) x[`unknown.${f.field}`] = 1;
  return x;
}

/** The same features as a compact key (rarity quantum, level, indices of unknown monitored fields), for score caches. */
export function recordKey(rec: ParsedRecord, count: number, total: number, fields: FieldIndicators): string {
  let key = `${rarityQuanta(count, total)}|${typeof rec.fields.level === 'string' ? rec.fields.level : ''}`;
  const fs = fields.fields;
  for (let i = 0; i < fs.length; i++) if (fields.unknownValue(fs[i], rec) !== undefined) key += `,${i}`;
  return key;
}
