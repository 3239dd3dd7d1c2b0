/**
 * Labelled fixtures for the conformance runs (test/helpers/conformance.ts), of learned models and rule
 * detectors alike.
 *
 * - `windowAggregateFixture()`: generated WAF traffic aggregated into 1-minute windows, as the pipeline
 *   does (decode → features/window.ts); train on a run without anomalies, test on a run with random
 *   anomaly periods, a window being anomalous when it overlaps a labelled period. `windowFixture()`:
 *   the same windows as feature vectors.
 * - `recordParsedFixture()`: the 2 000 BGL lines of Loghub-2k (first token = label, `-` = normal), decoded
 *   and mined like any log. Train = all records, unlabelled; test = the same records with their labels.
 *   `recordFixture()`: the same records as feature vectors; `recordSplitFixture()`: first half train,
 *   second half test. Undefined when the shared data is absent.
 * All are deterministic and cached per process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WAF_FIELDS_PRESET } from '../../src/config/presets.js';
import type { Features } from '../../src/detectors/model.js';
import type { ParsedRecord } from '../../src/model/record.js';
import { addToWindow, emptyWindow, FieldIndicators, type WindowAggregate } from '../../src/features/window.js';
import { WafGenerator } from '../../src/generators/waf.js';
import { AnomalySchedule, type AnomalyLabel, type AnomalyPlan } from '../../src/generators/writer.js';
import { Decoder } from '../../src/parsers/decode/decoder.js';
import { TemplateMiner } from '../../src/parsers/drain/miner.js';
import { Rng } from '../../src/util/rng.js';
import type { Fixture, Labelled } from './conformance.js';
import { LOGHUB } from './loghub.js';

const MINUTE = 60_000;
const WAF_START = Date.parse('2024-01-01T00:00:00Z');
const WAF_SPAN = 120 * MINUTE;
/** Records per second: the default of `logradar generate waf`. */
const WAF_RATE = 20;
const DECODE = { messageFields: ['message', 'msg', 'log', 'MESSAGE'], timestampFields: ['timestamp', '@timestamp', 'time', 'ts', 'eventTime'] };

export interface WafRun {
  windows: WindowAggregate[];
  labels: AnomalyLabel[];
}

/** The record's value at a dotted path (`httpRequest.country`), as the JSON decoder flattens it. */
function at(rec: unknown, path: readonly string[]): unknown {
  let v = rec;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/**
 * Simulates `span` ms of WAF traffic in process: Poisson arrivals and the anomaly schedule use the
 * same seeded streams as `runGenerator`, so the records are those `logradar generate waf --seed S`
 * writes for the same start and span. Each record joins its 1-minute window through features/window.ts
 * with only the monitored fields taken from it (decoding JSON text would triple the cost, to no use here).
 */
export function simulateWafWindows(seed: number, plan: AnomalyPlan, span = WAF_SPAN): WafRun {
  const gen = new WafGenerator({ seed });
  const labels: AnomalyLabel[] = [];
  const schedule = new AnomalySchedule(gen, plan, new Rng(seed ^ 0x2c1b3c6d), WAF_START, undefined, (l) => labels.push(l));
  const arrivals = new Rng(seed ^ 0x51ed270b);
  const indicators = new FieldIndicators(WAF_FIELDS_PRESET);
  const paths = WAF_FIELDS_PRESET.map((f) => [f.field, f.field.split('.')] as const);
  const windows: WindowAggregate[] = [];
  let w = emptyWindow(WAF_START, MINUTE);
  let line = 0;
  const end = WAF_START + span;
  for (let ts = WAF_START + arrivals.exponential(1000 / WAF_RATE); ts < end; ts += arrivals.exponential(1000 / WAF_RATE)) {
    schedule.advance(ts);
    const r = gen.record(ts);
    const fields: Record<string, unknown> = {};
    for (const [name, path] of paths) fields[name] = at(r, path);
    const rec: ParsedRecord = {
      source: 'waf',
      offset: 0,
      line: ++line,
      ts: r.timestamp,
      tsFromRecord: true,
      raw: '',
      message: '',
      fields,
      truncated: false,
      templateId: 1,
      template: '',
      params: [],
      change: 'none',
    };
    while (rec.ts >= w.end) {
      windows.push(w);
      w = emptyWindow(w.end, MINUTE);
    }
    addToWindow(w, rec, indicators);
  }
  windows.push(w);
  schedule.finish(end);
  return { windows, labels };
}

/** Per window: the share of records with an unknown value of each monitored field, and log2(1 + records). */
export function windowFeatures(w: WindowAggregate): Features {
  const x: Features = { 'records.log2': Math.log2(1 + w.total) };
  for (const f of WAF_FIELDS_PRESET) x[`unknown.${f.field}`] = w.total > 0 ? (w.fields[f.field]?.unknown ?? 0) / w.total : 0;
  return x;
}

export function overlapsLabel(w: WindowAggregate, labels: AnomalyLabel[]): boolean {
  return labels.some((l) => w.start < Date.parse(l.end) && Date.parse(l.start) < w.end);
}

let aggregateCache: Fixture<WindowAggregate> | undefined;

/** 120 one-minute windows of normal traffic (train, time order) and 120 of traffic with random anomaly periods (test, time order). */
export function windowAggregateFixture(): Fixture<WindowAggregate> {
  if (aggregateCache) return aggregateCache;
  const train = simulateWafWindows(101, { kind: 'none' }).windows;
  const run = simulateWafWindows(202, { kind: 'random' });
  const test: Labelled<WindowAggregate>[] = run.windows.map((w) => ({ x: w, anomalous: overlapsLabel(w, run.labels) }));
  return (aggregateCache = { train, test });
}

let windowCache: Fixture<Features> | undefined;

/** The windows of `windowAggregateFixture` as feature vectors (`windowFeatures`). */
export function windowFixture(): Fixture<Features> {
  if (windowCache) return windowCache;
  const { train, test } = windowAggregateFixture();
  return (windowCache = { train: train.map(windowFeatures), test: test.map((t) => ({ x: windowFeatures(t.x), anomalous: t.anomalous })) });
}

export const BGL = { path: join(LOGHUB.path, 'BGL', 'BGL_2k.log'), present: LOGHUB.present };

let bglCache: Fixture<ParsedRecord> | null = null;

/** BGL records, decoded and mined in file order (see `bglRecords`); undefined when the shared data is absent. */
export function recordParsedFixture(): Fixture<ParsedRecord> | undefined {
  if (bglCache !== null) return bglCache;
  if (!BGL.present) return undefined;
  const lines = readFileSync(BGL.path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const recs = bglRecords(lines.map((l) => l.slice(l.indexOf(' ') + 1)));
  return (bglCache = { train: recs, test: recs.map((x, i) => ({ x, anomalous: !lines[i].startsWith('- ') })) });
}

/**
 * The same BGL records split in time: the first half trains (unlabelled), the second half is tested.
 * For detectors of novelty (a new template, a new parameter value, a rare one): trained on every record,
 * as `recordParsedFixture` does, nothing they are tested on would be new to them.
 */
export function recordSplitFixture(): Fixture<ParsedRecord> | undefined {
  const fx = recordParsedFixture();
  if (!fx) return undefined;
  const cut = Math.floor(fx.train.length / 2);
  return { train: fx.train.slice(0, cut), test: fx.test.slice(cut) };
}

let recordCache: Fixture<Features> | null = null;

/** BGL records as feature vectors (see `bglFeatures`); undefined when the shared data is absent. */
export function recordFixture(): Fixture<Features> | undefined {
  if (recordCache !== null) return recordCache;
  const fx = recordParsedFixture();
  if (!fx) return undefined;
  const xs = bglFeatures(fx.train);
  return (recordCache = { train: xs, test: xs.map((x, i) => ({ x, anomalous: fx.test[i].anomalous })) });
}

/**
 * Raw log lines (labels already stripped) decoded and mined in order, as the pipeline does while
 * learning: each record carries the template, parameters and change of its moment.
 */
export function bglRecords(lines: string[]): ParsedRecord[] {
  const decoder = new Decoder({ format: 'auto', ...DECODE });
  let id = 0;
  const miner = new TemplateMiner({ similarity: 0.75, depth: 2, maxTemplates: 5000 }, { next: () => ++id });
  return lines.map((text, i) => {
    const rec = decoder.decode({ text, offset: 0, line: i + 1, truncated: false }, 'bgl', 0);
    const mined = miner.add(rec.message);
    return { ...rec, templateId: mined.templateId, template: mined.template, params: mined.params, change: mined.change };
  });
}

/**
 * Features of mined records, from the whole file: the level as an indicator, and how rare the
 * record's template is.
 */
export function bglFeatures(records: ParsedRecord[]): Features[] {
  const recs = records.map((r) => ({ level: typeof r.fields.level === 'string' ? r.fields.level : undefined, templateId: r.templateId }));
  const count = new Map<number, number>();
  for (const r of recs) count.set(r.templateId, (count.get(r.templateId) ?? 0) + 1);
  return recs.map((r) => {
    const x: Features = { 'template.rarity': -Math.log2(count.get(r.templateId)! / recs.length) };
    if (r.level !== undefined) x[`level.${r.level}`] = 1;
    return x;
  });
}
