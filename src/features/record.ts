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

/** A record's place in its source, as the pipeline counted it (this record included): what record detectors get with it. */
export interface RecordContext {
  /** Records of the source so far, this one included. */
  total: number;
  /** Records the source had before this one. */
  before: number;
  /** Records with this record's template so far, this one included. */
  count: number;
  /** The source's monitored categorical fields. */
  fields: FieldIndicators;
  /** The record's template parameters: extracted on the first call (few detectors need them), then kept on the record. */
  params(): string[];
}

/** What a record context needs of the source's template miner. */
export interface TemplateCounts {
  get(id: number): { count: number } | undefined;
  paramsOf(id: number, message: string): string[];
}

/**
 * A record's place in its source, right after it was mined and counted: `total` records so far (this
 * one included), `before` it. Parameters are extracted on first use only, and kept on the record.
 */
export function recordContext(miner: TemplateCounts, rec: ParsedRecord, total: number, before: number, fields: FieldIndicators): RecordContext {
  let params: string[] | undefined;
  return {
    total,
    before,
    count: miner.get(rec.templateId)?.count ?? 1,
    fields,
    params: () => (params ??= rec.params = miner.paramsOf(rec.templateId, rec.message)),
  };
}
