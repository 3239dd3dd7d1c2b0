/**
 * The detector conformance suite (DESIGN §3): every registered detector — a detector is in the suite by
 * being in the registry — on inputs built the way the pipeline builds them (test/helpers/fixtures.ts):
 * - contract cases on generated fixtures, which never skip: same seed and input give the same grades;
 *   score is pure; snapshot → JSON → restore gives the same grades and learns on the same way; unseen and
 *   missing input neither throws nor grades outside 0..1; a snapshot of another kind is refused;
 * - AUC on labelled fixtures where the detector has something to find (those of ../shared/data skip,
 *   saying so, when it is absent). No detector may grade its fixture with a constant.
 * Training follows `logradar train`: pass 1 learns and fits, pass 2 feeds the calibrators the scores of the
 * same inputs; the test inputs are then scored in order as `detect` does (streaming detectors learn on).
 * `LOGRADAR_AUC_OUT=FILE` appends one JSON line per AUC case (scripts/auc-table.mjs turns them into the
 * table of docs/detectors.md).
 */
import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Detector, DetectorFactory, DetectorSnapshot, Scope } from '../../src/detectors/contract.js';
import { detectorOptions, registeredDetectors } from '../../src/detectors/registry.js';
import type { Anomaly, ParsedRecord } from '../../src/model/record.js';
import { FieldIndicators, emptyWindow } from '../../src/features/window.js';
import { appRecords, appSessions, bglRecords, crossSourceAnomalies, hdfsCompleteSessionFixture, hdfsSessionFixture, minedRecords, sessionOf, wafWindows, windowItem, type Fixture, type Item } from './fixtures.js';

/** Area under the ROC curve (ties count half). */
export function auc(scores: number[], labels: boolean[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let pos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (labels[idx[k]]) {
        rankSumPos += avgRank;
        pos++;
      }
    i = j + 1;
  }
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * The configuration of the suite: defaults, but calibration with a 1 % tail (the fixtures hold a few
 * hundred inputs: from so few scores only the fitted tail can place a 0.1 % boundary).
 */
export function suiteConfig(): Config {
  return loadConfig({ env: {}, overrides: { detect: { calibration: { alarmRate: 0.01 } } } });
}

/** A detector of the factory, switched on whatever the default (the suite runs every registered detector). */
export function build<S extends Scope>(f: DetectorFactory<S>, config: Config, seed: number): Detector<S> {
  const o = detectorOptions(f, config) as Record<string, unknown>;
  return f.create('enabled' in o ? { ...o, enabled: true } : o, seed);
}

const grade = <S extends Scope>(d: Detector<S>, it: Item<S>): number => d.score(it.x, it.ctx).reduce((g, f) => Math.max(g, f.grade), 0);

function trained<S extends Scope>(f: DetectorFactory<S>, config: Config, fx: Fixture<S>, seed: number): Detector<S> {
  const d = build(f, config, seed);
  for (const it of fx.train) d.learn(it.x, it.ctx);
  d.fit?.();
  for (const it of fx.train) d.observe?.(it.x, it.ctx);
  return d;
}

/** The generated fixture of each scope: contract cases run on it and it never skips. */
function contractFixture(scope: Scope, config: Config): Fixture<Scope> {
  switch (scope) {
    case 'record':
      return appRecords(config) as Fixture<Scope>;
    case 'window':
      return wafWindows() as Fixture<Scope>;
    case 'session':
      return appSessions() as Fixture<Scope>;
    case 'cross-source':
      return crossSourceAnomalies(config.detect.interval) as Fixture<Scope>;
  }
}

/** Inputs no fixture has: unseen fields and templates, missing fields, empty windows and sessions. */
function unseen(scope: Scope, config: Config): Array<Item<Scope>> {
  switch (scope) {
    case 'record': {
      const odd = minedRecords(['', 'zzz qqq 12 never seen before', '2026-11-21T10:00:00Z PANIC x'], config, new FieldIndicators([{ field: 'country', known: ['US'] }]));
      const bare: ParsedRecord = { source: 's', offset: 0, line: 1, ts: 0, tsFromRecord: false, raw: '', message: '', fields: {}, truncated: false, templateId: 999_999, template: '', params: [], change: 'none' };
      return [...odd, { x: bare, ctx: { total: 1, before: 0, count: 1, fields: new FieldIndicators([]), params: () => [] } }] as Array<Item<Scope>>;
    }
    case 'window': {
      const empty = emptyWindow(0, 60_000);
      const odd = { ...emptyWindow(60_000, 60_000), total: 5, fields: { never: { unknown: 5, values: { x: 5 } } } };
      return [windowItem(empty), windowItem(odd, new FieldIndicators([{ field: 'never', known: [] }]))] as Array<Item<Scope>>;
    }
    case 'session':
      return [sessionOf('empty', []), sessionOf('odd', [-1, 0, 2 ** 31, 123456789])].map((x) => ({ x, ctx: { describe: () => '' } })) as Array<Item<Scope>>;
    case 'cross-source': {
      const a: Anomaly = { kind: 'window', source: 'x', ts: 0, grade: 1, detector: 'd', detectors: [], reason: '', window: { start: 0, end: 60_000 } };
      return [{ x: a, ctx: {} }, { x: { ...a, source: '', grade: Number.NaN }, ctx: {} }] as Array<Item<Scope>>;
    }
  }
}

export interface AucCase {
  fixture: (config: Config) => Fixture<Scope> | undefined;
  /** Where the data comes from, when it may be absent. */
  needs?: string;
  min: number;
  /** Why the minimum is below 0.8. */
  why?: string;
}

/**
 * The labelled fixtures of each detector: the contract fixture of its scope at AUC > 0.8 unless listed
 * here. A minimum below 0.8 says why next to it.
 */
const AUC_CASES: Record<string, AucCase[]> = {
  'new-template': [{ fixture: (c) => appRecords(c, 'novel'), min: 0.8 }],
  'rare-template': [{ fixture: (c) => appRecords(c, 'novel'), min: 0.8 }],
  'param-novelty': [{ fixture: (c) => appRecords(c, 'param'), min: 0.8 }],
  severity: [{ fixture: (c) => appRecords(c, 'severe'), min: 0.8 }, { fixture: (c) => bglRecords(c), needs: 'loghub-2k', min: 0.8 }],
  // the forest sees level, template rarity and unknown monitored values: not a new value inside a routine message
  'record-forest': [{ fixture: (c) => appRecords(c, 'novel'), min: 0.8 }, { fixture: (c) => appRecords(c, 'severe'), min: 0.8 }, { fixture: (c) => bglRecords(c), needs: 'loghub-2k', min: 0.8 }],
  'window-rcf': [{ fixture: () => wafWindows(), min: 0.7, why: 'it streams: detect learns every window it scores, anomalous ones too (the shingle must stay current), so a long anomaly period fades as it goes on' }],
  'session-signature': [
    { fixture: () => appSessions(), min: 0.8 },
    { fixture: () => hdfsSessionFixture(), needs: 'hdfs', min: 0.65, why: 'about half the anomalous HDFS blocks of the 100k sample were cut short and are identical to normal ones' },
  ],
  'count-invariants': [
    { fixture: () => appSessions(), min: 0.8 },
    { fixture: () => hdfsCompleteSessionFixture(), needs: 'hdfs', min: 0.8 },
    { fixture: () => hdfsSessionFixture(), needs: 'hdfs', min: 0.65, why: 'as session-signature: the cut-short blocks are normal count vectors' },
  ],
  sequence: [
    { fixture: () => appSessions(), min: 0.8 },
    { fixture: () => hdfsSessionFixture(), needs: 'hdfs', min: 0.65, why: 'as session-signature: the cut-short blocks are normal sequences' },
  ],
  'session-forest': [{ fixture: () => appSessions(), min: 0.8 }, { fixture: () => hdfsSessionFixture(), needs: 'hdfs', min: 0.65, why: 'as session-signature' }],
};

/**
 * Runs the suite on every registered detector (call at the top level of a test file); `only` picks
 * detectors by name, `cases` adds labelled fixtures for detectors this file does not know.
 */
export function conformanceSuite(opts: { only?: string[]; cases?: Record<string, AucCase[]> } = {}): void {
  const config = suiteConfig();
  const cases = { ...AUC_CASES, ...opts.cases };
  for (const f of registeredDetectors()) {
    if (opts.only && !opts.only.includes(f.name)) continue;
    describe(`${f.name} (${f.scope}) conformance`, () => {
      const fx = () => contractFixture(f.scope, config);
      const probes = () => [...fx().test.slice(0, 300), ...unseen(f.scope, config)];

      it('same seed and input give the same grades', () => {
        const a = trained(f, config, fx(), 7);
        const b = trained(f, config, fx(), 7);
        expect(probes().map((it) => grade(b, it))).toEqual(probes().map((it) => grade(a, it)));
      });

      it('score changes no state', () => {
        const d = trained(f, config, fx(), 3);
        const before = JSON.stringify(d.snapshot());
        const first = probes().map((it) => d.score(it.x, it.ctx));
        expect(probes().map((it) => d.score(it.x, it.ctx))).toEqual(first);
        expect(JSON.stringify(d.snapshot())).toBe(before);
      });

      it('snapshot → JSON → restore gives the same grades, and learns on the same way', () => {
        const d = trained(f, config, fx(), 11);
        const r = build(f, config, 11);
        r.restore(JSON.parse(JSON.stringify(d.snapshot())) as DetectorSnapshot);
        expect(probes().map((it) => grade(r, it))).toEqual(probes().map((it) => grade(d, it)));
        for (const it of fx().test.slice(0, 100)) {
          d.learn(it.x, it.ctx);
          r.learn(it.x, it.ctx);
        }
        d.fit?.();
        r.fit?.();
        expect(probes().map((it) => grade(r, it))).toEqual(probes().map((it) => grade(d, it)));
      });

      it('unseen and missing input neither throws nor grades outside 0..1', () => {
        for (const d of [build(f, config, 1), trained(f, config, fx(), 5)])
          for (const it of unseen(f.scope, config)) {
            const g = grade(d, it);
            expect(Number.isFinite(g)).toBe(true);
            expect(g).toBeGreaterThanOrEqual(0);
            expect(g).toBeLessThanOrEqual(1);
          }
      });

      it('refuses a snapshot of another kind', () => {
        expect(() => build(f, config, 1).restore({ kind: 'not-a-detector', version: 1 })).toThrow(/snapshot/);
      });

      for (const c of cases[f.name] ?? [{ fixture: (cfg: Config) => contractFixture(f.scope, cfg), min: 0.8 }]) {
        it(`AUC > ${c.min} on its labelled fixture${c.needs ? ` (${c.needs})` : ''}`, (ctx) => {
          const data = c.fixture(config);
          if (!data) {
            console.log(`${f.name}: AUC case skipped: ../shared/data/${c.needs} is absent`);
            return ctx.skip();
          }
          const d = trained(f, config, data, 42);
          // as `detect` scores: frozen, but streaming detectors go on learning what they score
          const grades = data.test.map((it) => {
            const g = grade(d, it);
            if (d.streaming) d.learn(it.x, it.ctx);
            return g;
          });
          expect(new Set(grades).size, `${f.name} grades its fixture with a constant`).toBeGreaterThan(1);
          const a = auc(
            grades,
            data.test.map((it) => it.anomalous),
          );
          console.log(`${f.name}: AUC ${a.toFixed(3)} on ${data.name} (${data.test.length} labelled inputs)`);
          if (process.env.LOGRADAR_AUC_OUT) appendFileSync(process.env.LOGRADAR_AUC_OUT, JSON.stringify({ detector: f.name, scope: f.scope, fixture: data.name, inputs: data.test.length, auc: a, min: c.min, why: c.why }) + '\n');
          expect(a).toBeGreaterThan(c.min);
        });
      }
    });
  }
}
