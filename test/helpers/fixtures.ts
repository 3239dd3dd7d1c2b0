/**
 * Labelled fixtures for the detector conformance suite (test/helpers/conformance.ts), one kind per scope,
 * built the way the pipeline builds detector inputs: records decoded by the Decoder, mined by the
 * TemplateMiner and placed in their source by features/record.ts `recordContext`; windows aggregated by
 * features/window.ts with the source's FieldIndicators; sessions as the SessionTracker ends them.
 *
 * - `appRecords()`: a generated application log (never skips): routine lines, then a test part with
 *   labelled anomalies — new templates, FATAL lines, new values at parameters that take few, rare lines.
 * - `bglRecords()`: the 2,000 BGL lines of Loghub-2k (first token = label), train = all (unlabelled),
 *   test = the same records with their labels. Undefined without ../shared/data.
 * - `wafWindows()`: generated WAF traffic in 1-minute windows (never skips): train on a run without
 *   anomalies, test on a run with random anomaly periods.
 * - `appSessions()`: generated request sessions (never skips): open, work, close; anomalies miss the close,
 *   repeat an error or take a step never seen. `hdfsSessions()`: the HDFS block sessions of the shared
 *   DeepLoglizer train split (first 60 % train, rest test). Undefined without ../shared/data.
 * - `crossSourceAnomalies()`: per-source anomalies at random (noise) and shared incidents where several
 *   sources go abnormal in the same interval (never skips).
 * All deterministic and cached per process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/config/schema.js';
import { WAF_FIELDS_PRESET } from '../../src/config/presets.js';
import type { Scope, ScopeContext, ScopeInput } from '../../src/detectors/contract.js';
import { recordContext } from '../../src/features/record.js';
import type { OpenSession } from '../../src/features/sessions.js';
import { addToWindow, emptyWindow, FieldIndicators, windowFeatures, type WindowAggregate } from '../../src/features/window.js';
import { WafGenerator } from '../../src/generators/waf.js';
import { AnomalySchedule, type AnomalyLabel, type AnomalyPlan } from '../../src/generators/writer.js';
import type { Anomaly, ParsedRecord } from '../../src/model/record.js';
import { Decoder } from '../../src/parsers/decode/decoder.js';
import { TemplateMiner } from '../../src/parsers/drain/miner.js';
import { Rng } from '../../src/util/rng.js';
import { LOGHUB } from './loghub.js';
import { hdfsSessions as hdfsCsvSessions, HDFS_SESSIONS } from './session-fixture.js';

/** One input of a scope with the context the pipeline would give it. */
export interface Item<S extends Scope> {
  x: ScopeInput[S];
  ctx: ScopeContext[S];
}

export interface Labelled<S extends Scope> extends Item<S> {
  anomalous: boolean;
}

export interface Fixture<S extends Scope> {
  name: string;
  /** Unlabelled training inputs in order (may hold anomalies, as real data does). */
  train: Array<Item<S>>;
  /** Labelled inputs scored after training, in order. */
  test: Array<Labelled<S>>;
}

// ---- records ----

/**
 * Decodes and mines lines in order as a source would, each record with its context of that moment
 * (parameters extracted then, as a record detector would have them).
 */
export function minedRecords(lines: readonly string[], config: Config, fields = new FieldIndicators([])): Array<Item<'record'>> {
  const decoder = new Decoder(config.parse);
  let id = 0;
  const m = config.parse.miner;
  const miner = new TemplateMiner({ similarity: m.similarity, depth: m.depth, maxTemplates: m.maxTemplatesPerSource }, { next: () => ++id });
  let total = 0;
  return lines.map((text, i) => {
    const rec = decoder.decode({ text, offset: 0, line: i + 1, truncated: false }, 'fixture', 0);
    const mined = miner.add(rec.message, rec.ts, false);
    const parsed: ParsedRecord = { ...rec, templateId: mined.templateId, template: mined.template, params: mined.params, change: mined.change };
    const before = total++;
    const ctx = recordContext(miner, parsed, total, before, fields);
    const params = ctx.params();
    return { x: parsed, ctx: { ...ctx, params: () => params } };
  });
}

const USERS = ['alice', 'bob', 'carol', 'dave'];
const NODES = ['node-1', 'node-2', 'node-3'];
const STATUSES = ['200', '200', '200', '204', '304'];

/** Routine lines of a small service: requests, cache figures, logins by a few users, a retry now and then. */
function routineLine(r: Rng, t: string): string {
  const k = r.next();
  if (k < 0.5) return `${t} INFO http: request ${r.int(100000)} served in ${1 + r.int(300)} ms status=${r.pick(STATUSES)}`;
  if (k < 0.7) return `${t} INFO cache: hit ratio 0.${10 + r.int(89)} on ${r.pick(NODES)}`;
  if (k < 0.85) return `${t} INFO auth: user ${r.pick(USERS)} logged in from 10.0.${r.int(4)}.${r.int(255)}`;
  if (k < 0.97) return `${t} DEBUG scheduler: job ${r.int(5000)} finished after ${r.int(60)} s`;
  return `${t} WARN db: retrying connection to ${r.pick(NODES)} attempt ${1 + r.int(3)}`;
}

const WORDS = ['quota', 'shard', 'lease', 'token', 'socket', 'replica', 'journal', 'mutex', 'bucket', 'cursor', 'plugin', 'keystore'];

/**
 * The anomalies of the test part, by the news each record detector is made for: `novel` messages never
 * seen before (every one different), `severe` lines the program itself calls fatal or critical, `param`
 * routine messages with a value never seen at a position that takes few; `mixed` all of them.
 */
export type RecordAnomalies = 'novel' | 'severe' | 'param' | 'mixed';

const ANOMALOUS_LINES: Record<Exclude<RecordAnomalies, 'mixed'>, Array<(r: Rng, t: string) => string>> = {
  novel: [
    (r, t) => `${t} INFO ${r.pick(WORDS)}: ${r.pick(WORDS)} ${r.pick(WORDS)} ${r.pick(['moved', 'dropped', 'rebuilt', 'expired'])} after ${r.int(900)} s`,
    (r, t) => `${t} WARN ${r.pick(WORDS)}-${r.pick(WORDS)}: unexpected ${r.pick(WORDS)} ${r.int(99)} in ${r.pick(WORDS)}`,
  ],
  severe: [
    (r, t) => `${t} FATAL kernel: out of memory, killed process ${r.int(30000)} (java)`,
    (r, t) => `${t} CRITICAL raft: lost quorum, ${r.int(3)} of 5 peers reachable`,
    (r, t) => `${t} FATAL db: connection to ${r.pick(NODES)} failed ${1 + r.int(3)} times`,
  ],
  param: [
    (r, t) => `${t} INFO auth: user ${r.pick(['mallory', 'root', 'eve', 'trudy'])} logged in from 10.0.${r.int(4)}.${r.int(255)}`,
    (r, t) => `${t} INFO http: request ${r.int(100000)} served in ${1 + r.int(300)} ms status=${r.pick(['500', '503', '502'])}`,
    (r, t) => `${t} INFO cache: hit ratio 0.${10 + r.int(89)} on ${r.pick(['node-7', 'node-9', 'db-4'])}`,
  ],
};

const appCache = new Map<RecordAnomalies, Fixture<'record'>>();

/** 4,000 routine lines to train on, then 2,000 lines with about 60 labelled anomalies of one kind (or all). */
export function appRecords(config: Config, kind: RecordAnomalies = 'mixed'): Fixture<'record'> {
  const cached = appCache.get(kind);
  if (cached) return cached;
  const r = new Rng(1234);
  const t0 = Date.parse('2026-11-21T10:00:00Z');
  const lines: string[] = [];
  const labels: boolean[] = [];
  const makers = kind === 'mixed' ? Object.values(ANOMALOUS_LINES).flat() : ANOMALOUS_LINES[kind];
  for (let i = 0; i < 6000; i++) {
    const t = new Date(t0 + i * 1000).toISOString();
    const anomalous = i >= 4000 && r.next() < 0.03;
    lines.push(anomalous ? r.pick(makers)(r, t) : routineLine(r, t));
    labels.push(anomalous);
  }
  const items = minedRecords(lines, config);
  const fx = { name: `generated app log (${kind} anomalies)`, train: items.slice(0, 4000), test: items.slice(4000).map((it, i) => ({ ...it, anomalous: labels[4000 + i] })) };
  appCache.set(kind, fx);
  return fx;
}

export const BGL = { path: join(LOGHUB.path, 'BGL', 'BGL_2k.log'), present: LOGHUB.present };
let bglCache: Fixture<'record'> | undefined;

/** BGL_2k, labels stripped for mining; train = every record, test = the same records with their labels. */
export function bglRecords(config: Config): Fixture<'record'> | undefined {
  if (bglCache || !BGL.present) return bglCache;
  const lines = readFileSync(BGL.path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const items = minedRecords(
    lines.map((l) => l.slice(l.indexOf(' ') + 1)),
    config,
  );
  return (bglCache = { name: 'BGL_2k', train: items, test: items.map((it, i) => ({ ...it, anomalous: !lines[i].startsWith('- ') })) });
}

// ---- windows ----

const MINUTE = 60_000;
const WAF_START = Date.parse('2024-01-01T00:00:00Z');
const WAF_SPAN = 120 * MINUTE;
/** Records per second: the default of `logradar generate waf`. */
const WAF_RATE = 20;

/** The record's value at a dotted path (`httpRequest.country`), as the JSON decoder flattens it. */
function at(rec: unknown, path: readonly string[]): unknown {
  let v = rec;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export const WAF_INDICATORS = new FieldIndicators(WAF_FIELDS_PRESET);

/**
 * Simulates `span` ms of WAF traffic in process with the seeded streams of `logradar generate waf --seed S`,
 * each record added to its 1-minute window by features/window.ts (only the monitored fields are taken
 * from the record: decoding JSON text would triple the cost, to no use here).
 */
export function simulateWafWindows(seed: number, plan: AnomalyPlan, span = WAF_SPAN): { windows: WindowAggregate[]; labels: AnomalyLabel[] } {
  const gen = new WafGenerator({ seed });
  const labels: AnomalyLabel[] = [];
  const schedule = new AnomalySchedule(gen, plan, new Rng(seed ^ 0x2c1b3c6d), WAF_START, undefined, (l) => labels.push(l));
  const arrivals = new Rng(seed ^ 0x51ed270b);
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
    const rec: ParsedRecord = { source: 'waf', offset: 0, line: ++line, ts: r.timestamp, tsFromRecord: true, raw: '', message: '', fields, truncated: false, templateId: 1, template: '', params: [], change: 'none' };
    while (rec.ts >= w.end) {
      windows.push(w);
      w = emptyWindow(w.end, MINUTE);
    }
    addToWindow(w, rec, WAF_INDICATORS);
  }
  windows.push(w);
  schedule.finish(end);
  return { windows, labels };
}

export function overlapsLabel(w: WindowAggregate, labels: AnomalyLabel[]): boolean {
  return labels.some((l) => w.start < Date.parse(l.end) && Date.parse(l.start) < w.end);
}

/** A closed window with the context the pipeline gives it. */
export function windowItem(w: WindowAggregate, fields = WAF_INDICATORS): Item<'window'> {
  let x: ReturnType<typeof windowFeatures> | undefined;
  return { x: w, ctx: { fields, features: () => (x ??= windowFeatures(w, fields)) } };
}

let wafCache: Fixture<'window'> | undefined;

/** 120 one-minute windows of normal traffic (train) and 120 of traffic with random anomaly periods (test). */
export function wafWindows(): Fixture<'window'> {
  if (wafCache) return wafCache;
  const train = simulateWafWindows(101, { kind: 'none' }).windows.map((w) => windowItem(w));
  const run = simulateWafWindows(202, { kind: 'random' });
  return (wafCache = { name: 'generated WAF windows', train, test: run.windows.map((w) => ({ ...windowItem(w), anomalous: overlapsLabel(w, run.labels) })) });
}

// ---- sessions ----

/** An ended session as the SessionTracker hands it over; lines are only for explanations. */
export function sessionOf(key: string, events: number[], t = 0): OpenSession {
  return { key, first: t, last: t + events.length, events, total: events.length, lines: [] };
}

const describe = (id: number) => `template ${id}`;

/** Steps of a request session: open (1), auth (2), work steps (3, 4) a few times, commit (5), close (6). */
function routineSession(r: Rng): number[] {
  const out = [1, 2];
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) out.push(r.next() < 0.7 ? 3 : 4);
  out.push(5, 6);
  return out;
}

const ANOMALOUS_SESSIONS: Array<(r: Rng) => number[]> = [
  (r) => routineSession(r).slice(0, -2), // never committed nor closed
  (r) => [...routineSession(r).slice(0, -1), 7, 7, 7, 6], // repeated errors before the close
  (r) => [1, 8, ...routineSession(r).slice(1)], // a step never seen
  () => [1, 2, 5, 6], // committed without any work
];

let appSessionCache: Fixture<'session'> | undefined;

/** 1,500 routine sessions to train on (1 % anomalous, as real data), then 500 with 5 % labelled anomalies. */
export function appSessions(): Fixture<'session'> {
  if (appSessionCache) return appSessionCache;
  const r = new Rng(99);
  const make = (i: number, p: number) => {
    const anomalous = r.next() < p;
    return { x: sessionOf(`req-${i}`, anomalous ? r.pick(ANOMALOUS_SESSIONS)(r) : routineSession(r), i * 10), ctx: { describe }, anomalous };
  };
  const train = Array.from({ length: 1500 }, (_, i) => make(i, 0.01)).map(({ x, ctx }) => ({ x, ctx }));
  const test = Array.from({ length: 500 }, (_, i) => make(1500 + i, 0.05));
  return (appSessionCache = { name: 'generated sessions', train, test });
}

let hdfsCache: Fixture<'session'> | undefined;

/** HDFS block sessions of the DeepLoglizer train split: first 60 % train (unlabelled), the rest labelled. */
export function hdfsSessionFixture(): Fixture<'session'> | undefined {
  if (hdfsCache || !HDFS_SESSIONS.present) return hdfsCache;
  const sessions = hdfsCsvSessions().filter((s) => s.split === 'session_train');
  const cut = Math.floor(sessions.length * 0.6);
  const item = (s: (typeof sessions)[number]) => ({ x: sessionOf(s.blockId, s.events), ctx: { describe } });
  return (hdfsCache = { name: 'HDFS block sessions', train: sessions.slice(0, cut).map(item), test: sessions.slice(cut).map((s) => ({ ...item(s), anomalous: s.anomalous })) });
}

let hdfsCompleteCache: Fixture<'session'> | undefined;

/**
 * The HDFS block sessions without the anomalous blocks whose event sequence equals a normal block's (cut
 * short by the 100k-line sample: no detector can tell them): what a detector of count mismatches has to find.
 */
export function hdfsCompleteSessionFixture(): Fixture<'session'> | undefined {
  if (hdfsCompleteCache || !HDFS_SESSIONS.present) return hdfsCompleteCache;
  const all = hdfsCsvSessions();
  const normal = new Set(all.filter((s) => !s.anomalous).map((s) => s.events.join(' ')));
  const sessions = all.filter((s) => s.split === 'session_train' && (!s.anomalous || !normal.has(s.events.join(' '))));
  const cut = Math.floor(sessions.length * 0.6);
  const item = (s: (typeof sessions)[number]) => ({ x: sessionOf(s.blockId, s.events), ctx: { describe } });
  return (hdfsCompleteCache = { name: 'HDFS complete block sessions', train: sessions.slice(0, cut).map(item), test: sessions.slice(cut).map((s) => ({ ...item(s), anomalous: s.anomalous })) });
}

// ---- across sources ----

let crossCache: Fixture<'cross-source'> | undefined;

/**
 * Anomalies of five sources over 600 one-minute intervals: each source is abnormal on its own now and
 * then (noise), and in 30 shared incidents two to four sources go abnormal in the same interval. The
 * labelled inputs are the anomaly that makes an interval shared (its second source), and every other.
 */
export function crossSourceAnomalies(interval: number): Fixture<'cross-source'> {
  if (crossCache) return crossCache;
  const r = new Rng(7);
  const sources = ['web', 'db', 'mail', 'auth', 'cache'];
  const t0 = Date.parse('2026-11-21T00:00:00Z');
  const anomaly = (source: string, ts: number): Anomaly => ({ kind: 'record', source, ts, grade: 0.7 + 0.3 * r.next(), detector: 'severity', detectors: [], reason: 'r' });
  const items: Array<Labelled<'cross-source'>> = [];
  const shared = new Set<number>();
  while (shared.size < 30) shared.add(10 + 3 * r.int(196));
  for (let i = 0; i < 600; i++) {
    const start = t0 + i * interval;
    if (shared.has(i)) {
      const n = 2 + r.int(3);
      const hit = [...sources].sort(() => r.next() - 0.5).slice(0, n);
      hit.forEach((s, k) => items.push({ x: anomaly(s, start + 1000 * (k + 1)), ctx: {}, anomalous: k === 1 }));
    } else if (r.next() < 0.15) items.push({ x: anomaly(r.pick(sources), start + 5000), ctx: {}, anomalous: false });
  }
  const cut = Math.floor(items.length / 3);
  return (crossCache = { name: 'generated cross-source anomalies', train: items.slice(0, cut).map(({ x, ctx }) => ({ x, ctx })), test: items.slice(cut) });
}
