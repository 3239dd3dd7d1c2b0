/**
 * Retraining through the real pipeline and a real SQLite store, on a fake clock (record times and the
 * `now` given to the job; no timer runs): the weekly job refits the learned models on the stored week,
 * each refit is a model version with its training range, a rollback restores the previous version's
 * scores number for number (also in a pipeline started afterwards), confirmed anomalies are left out of
 * the training data and false positives kept in as normal, and versions are bounded by keepVersions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type Config, type ConfigInput } from '../config/schema.js';
import type { CalibratedDetector } from '../detectors/calibrated.js';
import type { ScopeContext, ScopeInput } from '../detectors/contract.js';
import type { Features } from '../detectors/model.js';
import { FieldIndicators } from '../features/window.js';
import { MetricsRegistry } from '../model/metrics.js';
import type { RawLine } from '../model/record.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { createLogger } from '../util/log.js';
import { nextCronTime } from '../util/cron.js';
import { Pipeline } from './pipeline.js';
import { RetrainJob, retrainSource } from './retrain.js';
import { calibratedNamed, recordProbe, window, windowCtx } from '../../test/helpers/detector-harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** A Thursday: the first Sunday run comes after three and a half days of data. */
const T0 = Date.parse('2026-10-01T00:00:00Z');
const log = createLogger('silent');

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const MONITORED = [{ field: 'country', known: ['US', 'UK'] }];
/** The source's monitored fields, as its detectors get them in their contexts. */
const FIELDS = new FieldIndicators(MONITORED);

function makeConfig(dir: string, retrain: ConfigInput['retrain'] = {}): Config {
  return configSchema.parse({
    dataDir: dir,
    logLevel: 'silent',
    detect: {
      interval: '1h',
      warmupIntervals: 5,
      warmupRecords: 50,
      fields: MONITORED,
      calibration: { alarmRate: 0.01 },
      models: { windowAutoencoder: { epochs: 5 }, recordForest: { trees: 30 } },
    },
    store: { retention: { maxAge: '3650d' } },
    retrain,
  });
}

function open(dir: string): SqliteStore {
  const s = SqliteStore.open(dir);
  stores.push(s);
  return s;
}

function setup(retrain: ConfigInput['retrain'] = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'logradar-retrain-'));
  dirs.push(dir);
  const config = makeConfig(dir, retrain);
  const store = open(dir);
  const metrics = new MetricsRegistry();
  const pipeline = new Pipeline(config, store, metrics, log);
  let line = 0;
  /**
   * One hour of source `app` from `start`: `perHour` records, a share of them slow-query warnings, a
   * share with an unknown country, and optional extra lines at the end of the hour.
   */
  const hour = (start: number, o: { perHour?: number; warnShare?: number; unknownShare?: number; extra?: string[] } = {}) => {
    const n = o.perHour ?? 20;
    const lines: RawLine[] = [];
    const push = (text: string) => lines.push({ text, offset: line * 200, line: ++line, truncated: false });
    for (let i = 0; i < n; i++) {
      const ts = new Date(start + Math.floor((i * HOUR) / (n + 1))).toISOString();
      const warn = i < n * (o.warnShare ?? 0.02);
      const country = i >= n - n * (o.unknownShare ?? 0) ? 'XX' : i % 2 ? 'US' : 'UK';
      const message = warn ? `slow query took ${200 + ((i * 37) % 900)} ms` : i % 10 === 3 ? `cache miss for key k${(i * 7919) % 500}` : `request served in ${5 + ((i * 13) % 40)} ms`;
      push(JSON.stringify({ timestamp: ts, level: warn ? 'WARN' : 'INFO', country, message }));
    }
    for (const text of o.extra ?? []) push(text);
    pipeline.process({ source: 'app', fileId: null, lines });
  };
  /** Hours from `from` up to (not including) `to`. */
  const hours = (from: number, to: number, o: Parameters<typeof hour>[1] = {}) => {
    for (let t = from; t < to; t += HOUR) hour(t, o);
  };
  return { dir, config, store, metrics, pipeline, hour, hours };
}

/** Record-forest probes: the features the production featurizer gives a record (rarity in bits, level, unknown fields). */
const RECORD_PROBES: Features[] = [{ 'template.rarity': 1, 'level.INFO': 1 }, { 'template.rarity': 4, 'level.WARN': 1 }, { 'template.rarity': 12, 'level.ERROR': 1, 'unknown.country': 1 }];
/** Window-model probes: closed hours of `total` records, `unknown` of them with an unknown country. */
const WINDOW_PROBES: Array<{ total: number; unknown: number }> = [
  { total: 20, unknown: 0 },
  { total: 40, unknown: 2 },
  { total: 400, unknown: 240 },
];

/**
 * Raw score and grade of every learned model of `app` on fixed inputs, through the detector contract
 * (pure: probing changes nothing). The detectors are looked up anew each time: a version swaps them.
 */
function probes(p: Pipeline): Array<number | null> {
  const set = p.sourceModels('app')!.detectors;
  const out: Array<number | null> = [];
  const both = <S extends 'record' | 'window'>(d: CalibratedDetector<S, Features>, x: ScopeInput[S], ctx: ScopeContext[S]) => {
    const fs = d.score(x, ctx);
    expect(fs.length).toBeLessThanOrEqual(1);
    out.push(d.raw(x, ctx) ?? null, fs[0]?.grade ?? null);
  };
  const forest = calibratedNamed(set, 'record', 'record-forest');
  for (const x of RECORD_PROBES) {
    const { rec, ctx } = recordProbe(x, FIELDS);
    both(forest, rec, ctx);
  }
  for (const { total, unknown } of WINDOW_PROBES) {
    for (const name of ['window-vae', 'window-rcf']) {
      // a fresh window per probe: the wrapper remembers the last input it scored
      const w = window(total, { country: { unknown, present: total, values: unknown ? { XX: unknown } : {} } });
      both(calibratedNamed(set, 'window', name), w, windowCtx(w, FIELDS));
    }
  }
  return out;
}

/** Same numbers, compared one by one with Object.is (no tolerance). */
function expectExactly(actual: Array<number | null>, expected: Array<number | null>): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(Object.is(v, expected[i]), `probe ${i}: ${v} vs ${expected[i]}`).toBe(true));
}

const storedEvents = (store: SqliteStore, since: number, until: number) => [...store.events({ source: 'app', since, until })].length;

describe('scheduled retraining with a fake clock', () => {
  it('the weekly job makes a version with its training range; scores change with new data; rollback restores the previous scores exactly', () => {
    const { config, store, pipeline, hours, dir } = setup();
    const job = new RetrainJob(config, store, log, new MetricsRegistry(), pipeline, T0);
    const run1 = job.nextRun!;
    expect(run1).toBe(nextCronTime('0 3 * * 0', T0));
    // the store holds more than a week before the first run: the training range is a whole week
    hours(T0 - 4 * DAY, run1);
    // not due yet: nothing happens
    expect(job.tick(run1 - 1)).toBeUndefined();
    expect(store.versions.list()).toEqual([]);
    const online = probes(pipeline);

    const [r1] = job.tick(run1)!;
    expect(r1).toMatchObject({ source: 'app', from: run1 - WEEK, to: run1, excluded: 0 });
    expect(r1.records).toBe(storedEvents(store, run1 - WEEK, run1));
    expect(r1.records).toBeGreaterThan(1000);
    const v1 = store.versions.list('app');
    // the models learned online before the first refit are kept as a version too, so the refit can be undone
    expect(v1).toEqual([
      { id: r1.baseline, source: 'app', created: run1, records: expect.any(Number), active: false },
      { id: r1.version, source: 'app', created: run1, from: run1 - WEEK, to: run1, records: r1.records, active: true },
    ]);
    expect(pipeline.sourceModels('app')!.version).toBe(r1.version);
    const afterFirst = probes(pipeline);
    expect(afterFirst.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
    expect(afterFirst).not.toEqual(online);
    // ticking again at once does nothing; the next run is a week later
    expect(job.tick(run1 + 1000)).toBeUndefined();
    const run2 = job.nextRun!;
    expect(run2 - run1).toBe(WEEK);

    // week 2: twice the traffic, many more slow queries; the live models keep streaming on it
    hours(run1, run2, { perHour: 40, warnShare: 0.3 });
    const [r2] = job.tick(run2)!;
    expect(r2).toMatchObject({ from: run2 - WEEK, to: run2 });
    expect(r2.baseline).toBeUndefined();
    expect(r2.records).toBe(storedEvents(store, run2 - WEEK, run2));
    expect(store.versions.list('app').map((v) => [v.id, v.active])).toEqual([
      [r1.baseline, false],
      [r1.version, false],
      [r2.version, true],
    ]);
    const afterSecond = probes(pipeline);
    const changed = afterSecond.filter((v, i) => !Object.is(v, afterFirst[i])).length;
    expect(changed).toBeGreaterThan(afterSecond.length / 2);

    // rollback from another connection (as `logradar models rollback` does): the running pipeline follows at its next tick
    const cli = open(dir);
    const previous = cli.versions.previous('app')!;
    expect(previous.id).toBe(r1.version);
    expect(cli.versions.activate(previous.id)).toBe(true);
    pipeline.tick(run2 + 10_000);
    expect(pipeline.sourceModels('app')!.version).toBe(r1.version);
    expectExactly(probes(pipeline), afterFirst);

    // and forward again
    cli.versions.activate(r2.version);
    pipeline.syncModelVersions();
    expectExactly(probes(pipeline), afterSecond);

    // a pipeline started later (watch restarted after a rollback made while it was stopped) uses the active version
    pipeline.flushState();
    cli.versions.activate(r1.version);
    const restarted = new Pipeline(config, open(dir), new MetricsRegistry(), log);
    restarted.process({ source: 'app', fileId: null, lines: [] });
    expect(restarted.sourceModels('app')!.version).toBe(r1.version);
    expectExactly(probes(restarted), afterFirst);
  });

  it('the same stored range and seed give the same models (retraining is deterministic)', () => {
    const { config, store, pipeline, hours } = setup();
    const now = T0 + WEEK;
    hours(T0, now);
    const a = retrainSource(config, store, 'app', now, log, pipeline)!;
    const pa = probes(pipeline);
    const b = retrainSource(config, store, 'app', now, log, pipeline)!;
    expect(b.version).not.toBe(a.version);
    expect(b.records).toBe(a.records);
    expectExactly(probes(pipeline), pa);
    expect(store.versions.snapshot(b.version)).toBe(store.versions.snapshot(a.version));
  });

  it('no stored events in the range: no version', () => {
    const { config, store, pipeline, hours } = setup();
    hours(T0, T0 + DAY);
    expect(retrainSource(config, store, 'app', T0 + 30 * DAY, log, pipeline)).toBeUndefined();
    expect(store.versions.list()).toEqual([]);
  });
});

describe('training data and feedback', () => {
  it('confirmed anomalies are left out, false positives kept in (a false-positive window is learned as normal)', () => {
    const { config, store, pipeline, hour, hours } = setup();
    const now = T0 + WEEK;
    const spike = T0 + 4 * DAY + 10 * HOUR;
    const fatal = (t: number) => JSON.stringify({ timestamp: new Date(t).toISOString(), level: 'FATAL', country: 'US', message: 'disk controller on fire, shutting down now' });
    hours(T0, spike, {});
    // an hour where most requests come from an unknown country: the field-rate detector flags the window
    hour(spike, { unknownShare: 0.6 });
    hours(spike + HOUR, T0 + 5 * DAY);
    hour(T0 + 5 * DAY, { extra: [fatal(T0 + 5 * DAY + 59 * 60_000)] });
    hours(T0 + 5 * DAY + HOUR, now);
    const anomalies = store.anomalies({ source: 'app' });
    const windowAnomaly = anomalies.find((a) => a.kind === 'window' && a.window?.start === spike);
    const fatalAnomaly = anomalies.find((a) => a.kind === 'record' && a.raw?.includes('FATAL'));
    expect(windowAnomaly, 'the spike hour is a window anomaly').toBeDefined();
    expect(fatalAnomaly, 'the FATAL line is a record anomaly').toBeDefined();
    const total = storedEvents(store, now - WEEK, now);
    const spikeEvents = storedEvents(store, spike, spike + HOUR - 1);
    expect(spikeEvents).toBe(20);
    /** Intervals the new version's autoencoder learned. */
    const learnedWindows = (version: number) => (JSON.parse(store.versions.snapshot(version)!) as { detectors: { 'window-vae': { model: { window: { items: unknown[] } } } } }).detectors['window-vae'].model.window.items.length;
    const q = store.queries;
    const feedback = (id: number, action: 'confirm' | 'false_positive') => q.addFeedback({ anomalyId: id, action, signature: 'test', by: 'ops' });

    // no feedback: every stored record of the range; the flagged spike hour is not learned by the window models
    const plain = retrainSource(config, store, 'app', now, log, pipeline)!;
    expect(plain).toMatchObject({ records: total, excluded: 0 });

    // the spike marked false positive, the FATAL line confirmed: the line is left out, the spike hour learned
    feedback(windowAnomaly!.id, 'false_positive');
    feedback(fatalAnomaly!.id, 'confirm');
    const judged = retrainSource(config, store, 'app', now, log, pipeline)!;
    expect(judged).toMatchObject({ records: total - 1, excluded: 1 });
    expect(learnedWindows(judged.version)).toBe(learnedWindows(plain.version) + 1);

    // the spike confirmed after all: its whole hour is left out of the training data
    feedback(windowAnomaly!.id, 'confirm');
    const confirmed = retrainSource(config, store, 'app', now, log, pipeline)!;
    expect(confirmed).toMatchObject({ records: total - 1 - spikeEvents, excluded: 1 + spikeEvents });
  });
});

describe('model versions', () => {
  it('at most keepVersions per source: the oldest inactive ones go, the active one stays', () => {
    const { config, store, pipeline, hours } = setup({ keepVersions: 3 });
    const now = T0 + 2 * DAY;
    hours(T0, now);
    const made = [1, 2, 3, 4].map(() => retrainSource(config, store, 'app', now, log, pipeline)!.version);
    expect(store.versions.list('app').map((v) => v.id)).toEqual(made.slice(1));
    // roll back to the oldest kept version, then add versions without activating them: it stays
    store.versions.activate(made[1]);
    store.versions.add([1, 2].map(() => ({ source: 'app', created: now, records: 0, snapshot: store.versions.snapshot(made[3])! })), { activate: false, keep: 3 });
    const left = store.versions.list('app');
    expect(left).toHaveLength(3);
    expect(left.find((v) => v.active)?.id).toBe(made[1]);
  });

  it('an unreadable version is reported and the source keeps its models', () => {
    const { config, store, metrics, pipeline, hours } = setup();
    const now = T0 + 2 * DAY;
    hours(T0, now);
    retrainSource(config, store, 'app', now, log, pipeline);
    const before = probes(pipeline);
    const [bad] = store.versions.add([{ source: 'app', created: now, records: 0, snapshot: '{"version":2,"detectors":{"record-forest":{"kind":"record-forest","version":1,"model":{"kind":"isolation-forest"}}}}' }], { activate: true, keep: 10 });
    pipeline.syncModelVersions();
    expect(metrics.get('detect').errors.state).toBe(1);
    expect(pipeline.sourceModels('app')!.version).toBe(bad);
    expectExactly(probes(pipeline), before);
    // not retried at every check
    pipeline.syncModelVersions();
    expect(metrics.get('detect').errors.state).toBe(1);
  });

  it('the schedule must be a cron pattern', () => {
    expect(() => makeConfig('/tmp/x', { schedule: 'every sunday' })).toThrow(/not a cron pattern/);
    expect(makeConfig('/tmp/x').retrain).toEqual({ enabled: true, schedule: '0 3 * * 0', window: WEEK, keepVersions: 10 });
  });
});
