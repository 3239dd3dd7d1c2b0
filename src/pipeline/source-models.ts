/**
 * One source's learned models, one per scope (record: Isolation Forest; window: Random Cut Forest;
 * session: sequence model and Isolation Forest on template counts), each behind a calibrator. Built from
 * the config with the configured seed, snapshotted as versioned JSON with the rest of the source's state.
 */
import type { Config } from '../config/schema.js';
import type { Finding } from '../detectors/detector.js';
import { LearnedDetector, type LearnedSnapshot } from '../detectors/learned.js';
import type { Features, Model, ModelSnapshot } from '../detectors/model.js';
import { IsolationForest, restoreIsolationForest } from '../detectors/ml/isolation-forest.js';
import { RandomCutForest, restoreRandomCutForest } from '../detectors/ml/random-cut-forest.js';
import { Autoencoder, restoreAutoencoder } from '../detectors/ml/autoencoder.js';
import { OneClassBoundary, restoreOneClass } from '../detectors/ml/one-class.js';
import { restoreSequenceModel, SequenceModel, sessionCounts } from '../detectors/ml/sequence-model.js';
import { newParamNoveltyState, paramNoveltyFromJson, paramNoveltyToJson, type ParamNoveltyJson, type ParamNoveltyState } from '../detectors/param-novelty.js';
import type { FieldIndicators, WindowAggregate } from '../features/window.js';
import { countedFor } from '../detectors/field-rate.js';
import type { ParsedRecord } from '../model/record.js';

export const MODELS_VERSION = 1;

type Restore<X> = (s: ModelSnapshot) => Model<X>;

interface Slot<X> {
  detector: LearnedDetector<X>;
  restore: Restore<X>;
}

export interface ModelsSnapshot {
  version: number;
  models: Record<string, LearnedSnapshot>;
  params?: ParamNoveltyJson;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

export class SourceModels {
  readonly sequence?: Slot<number[]>;
  readonly sessionForest?: Slot<Features>;
  windowForest?: Slot<Features>;
  windowAutoencoder?: Slot<Features>;
  windowBoundary?: Slot<Features>;
  readonly recordForest?: Slot<Features>;
  /** Known parameter values per template position (parameter novelty). */
  params: ParamNoveltyState = newParamNoveltyState();
  /** Record scores are cached by feature vector for the forest generation they came from. */
  private recordCache = new Map<string, number>();
  private recordCacheGen = '';

  constructor(
    private readonly config: Config,
    private indicators: FieldIndicators,
  ) {
    const d = config.detect;
    const m = d.models;
    const cal = { threshold: d.threshold, ...d.calibration };
    if (m.sequence.enabled) {
      const model = new SequenceModel({ order: m.sequence.order, topK: m.sequence.topK, seed: d.seed });
      this.sequence = {
        detector: new LearnedDetector('sequence', model, cal, (x) => `unusual order of events (${model.explain(x, 1)[0]?.feature ?? 'n/a'})`),
        restore: restoreSequenceModel,
      };
    }
    if (m.sessionForest.enabled) {
      const model = new IsolationForest({ seed: d.seed, trees: m.sessionForest.trees, window: m.sessionForest.window });
      this.sessionForest = {
        detector: new LearnedDetector('session-forest', model, cal, (x, raw) => `unusual template counts (isolation ${fmt(raw)}; ${this.top(this.sessionForest!, x)})`),
        restore: restoreIsolationForest,
      };
    }
    this.newWindowModels();
    if (m.recordForest.enabled) {
      const model = new IsolationForest({ seed: d.seed, trees: m.recordForest.trees, window: m.recordForest.window, refitEvery: m.recordForest.refitEvery });
      this.recordForest = {
        detector: new LearnedDetector('record-forest', model, { ...cal, alarmRate: m.recordForest.alarmRate }, (x, raw) => `unusual record (isolation ${fmt(raw)}; ${this.top(this.recordForest!, x)})`),
        restore: restoreIsolationForest,
      };
    }
  }

  /** The RCF's dimensions are fixed at its first point: a new set of monitored fields needs new window models. */
  private newWindowModels(): void {
    const d = this.config.detect;
    const m = d.models;
    const cal = { threshold: d.threshold, ...d.calibration };
    this.windowForest = m.windowForest.enabled
      ? {
          detector: new LearnedDetector('window-rcf', new RandomCutForest({ seed: d.seed, trees: m.windowForest.trees, shingleSize: m.windowForest.shingleSize }), cal, (x, raw) => `unusual interval (RCF score ${fmt(raw)}; ${this.top(this.windowForest!, x)})`),
          restore: restoreRandomCutForest,
        }
      : undefined;
    this.windowAutoencoder = m.windowAutoencoder.enabled
      ? {
          detector: new LearnedDetector('window-vae', new Autoencoder({ seed: d.seed, epochs: m.windowAutoencoder.epochs }), cal, (x, raw) => `interval reconstructed badly (error ${fmt(raw)}; ${this.top(this.windowAutoencoder!, x)})`),
          restore: restoreAutoencoder,
        }
      : undefined;
    this.windowBoundary = m.windowBoundary.enabled
      ? {
          detector: new LearnedDetector('window-boundary', new OneClassBoundary({ seed: d.seed, nu: m.windowBoundary.nu }), cal, (x, raw) => `interval outside the learned boundary (${fmt(raw)}; ${this.top(this.windowBoundary!, x)})`),
          restore: restoreOneClass,
        }
      : undefined;
  }

  /** Window findings of the batch-fitted window models (the RCF streams and is handled by the caller). */
  windowFindings(x: Features, observe: boolean): Finding[] {
    const out: Finding[] = [];
    if (this.windowAutoencoder) push(out, this.windowAutoencoder.detector, x, observe);
    if (this.windowBoundary) push(out, this.windowBoundary.detector, x, observe);
    return out;
  }

  learnWindow(x: Features): void {
    this.windowAutoencoder?.detector.learn(x);
    this.windowBoundary?.detector.learn(x);
  }

  /** The source chose its monitored fields (automatic fields): features and the window forest follow. */
  setIndicators(indicators: FieldIndicators): void {
    this.indicators = indicators;
    this.newWindowModels();
  }

  private top<X>(slot: Slot<X>, x: X): string {
    return slot.detector
      .contributions(x, 2)
      .map((c) => c.feature)
      .join(', ');
  }

  // ---- features of each scope ----

  /** Level, template rarity (quantised: few distinct vectors, so scores cache well), unknown monitored values. */
  recordFeatures(rec: ParsedRecord, count: number, total: number): Features {
    const x: Features = { 'template.rarity': Math.round(-2 * Math.log2(Math.max(count, 1) / Math.max(total, 1))) / 2 };
    const level = rec.fields.level;
    if (typeof level === 'string') x[`level.${level.toUpperCase()}`] = 1;
    for (const f of this.indicators.fields) if (this.indicators.unknownValue(f, rec) !== undefined) x[`unknown.${f.field}`] = 1;
    return x;
  }

  windowFeatures(w: WindowAggregate): Features {
    const x: Features = { 'records.log2': Math.log2(1 + w.total) };
    for (const f of this.indicators.fields) {
      const n = countedFor(f, w);
      x[`unknown.${f.field}`] = n > 0 ? (w.fields[f.field]?.unknown ?? 0) / n : 0;
    }
    return x;
  }

  // ---- scoring (pure) and learning, per scope ----

  /** The record's features as a compact key: rarity quantum, level, indices of unknown monitored fields. */
  recordKey(rec: ParsedRecord, count: number, total: number): string {
    let key = `${Math.round(-2 * Math.log2(Math.max(count, 1) / Math.max(total, 1)))}|${typeof rec.fields.level === 'string' ? rec.fields.level : ''}`;
    const fields = this.indicators.fields;
    for (let i = 0; i < fields.length; i++) if (this.indicators.unknownValue(fields[i], rec) !== undefined) key += `,${i}`;
    return key;
  }

  /**
   * Raw record-forest score, cached by feature key for the forest generation it came from: records
   * repeat a few feature vectors, so the forest is walked for few of them. `features` builds the vector
   * on a miss.
   */
  recordRaw(key: string, features: () => Features): number | undefined {
    const model = this.recordForest?.detector;
    if (!model) return undefined;
    const gen = model.generation;
    if (gen !== this.recordCacheGen) {
      this.recordCache.clear();
      this.recordCacheGen = gen;
    }
    let raw = this.recordCache.get(key);
    if (raw === undefined) {
      raw = model.raw(features());
      if (raw === undefined) return undefined;
      if (this.recordCache.size < 100_000) this.recordCache.set(key, raw);
    }
    return raw;
  }

  /** Learned records are a regular sample: the forest's window then spans refitEvery records, not the last few thousand. */
  get recordLearnEvery(): number {
    const m = this.config.detect.models.recordForest;
    return Math.max(1, Math.floor(m.refitEvery / m.window));
  }

  sessionFindings(events: number[], observe: boolean): Finding[] {
    const out: Finding[] = [];
    if (this.sequence) push(out, this.sequence.detector, events, observe);
    if (this.sessionForest) push(out, this.sessionForest.detector, sessionCounts(events), observe);
    return out;
  }

  learnSession(events: number[]): void {
    this.sequence?.detector.learn(events);
    this.sessionForest?.detector.learn(sessionCounts(events));
  }

  /** Fits the batch models now (end of training). */
  fit(): void {
    for (const s of this.slots()) s.detector.fit();
  }

  snapshot(): ModelsSnapshot {
    const models: Record<string, LearnedSnapshot> = {};
    for (const [name, s] of this.named()) models[name] = s.detector.snapshot();
    return { version: MODELS_VERSION, models, params: paramNoveltyToJson(this.params) };
  }

  restore(s: ModelsSnapshot): void {
    if (s.version !== MODELS_VERSION) throw new Error(`models version ${s.version}`);
    this.params = paramNoveltyFromJson(s.params);
    for (const [name, slot] of this.named()) {
      const saved = s.models[name];
      if (saved) (slot.detector as LearnedDetector<unknown>).restore(saved, slot.restore as Restore<unknown>);
    }
  }

  private named(): Array<[string, Slot<never>]> {
    const all: Array<[string, Slot<never> | undefined]> = [
      ['sequence', this.sequence as Slot<never> | undefined],
      ['sessionForest', this.sessionForest as Slot<never> | undefined],
      ['windowForest', this.windowForest as Slot<never> | undefined],
      ['windowAutoencoder', this.windowAutoencoder as Slot<never> | undefined],
      ['windowBoundary', this.windowBoundary as Slot<never> | undefined],
      ['recordForest', this.recordForest as Slot<never> | undefined],
    ];
    return all.filter((e): e is [string, Slot<never>] => e[1] !== undefined);
  }

  private slots(): Array<Slot<never>> {
    return this.named().map(([, s]) => s);
  }
}

function push<X>(out: Finding[], d: LearnedDetector<X>, x: X, observe: boolean): void {
  const raw = d.raw(x);
  const f = d.score(x, raw);
  if (f) out.push(f);
  if (observe) d.observe(raw);
}
