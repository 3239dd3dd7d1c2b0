/**
 * The learned detectors: each a model of src/detectors/ml behind the calibration wrapper, fed by the
 * production featurizer of its scope (record: features/record.ts; window: features/window.ts; session:
 * the template sequence or its counts). Every one takes the configured seed.
 */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import { recordFeatures, recordKey } from '../features/record.js';
import { CalibratedDetector, fmt, topFeatures } from './calibrated.js';
import type { DetectorFactory, RecordContext } from './contract.js';
import type { Features } from './model.js';
import { Autoencoder, restoreAutoencoder } from './ml/autoencoder.js';
import { IsolationForest, restoreIsolationForest } from './ml/isolation-forest.js';
import { OneClassBoundary, restoreOneClass } from './ml/one-class.js';
import { RandomCutForest, restoreRandomCutForest } from './ml/random-cut-forest.js';
import { restoreSequenceModel, SequenceModel, sessionCounts } from './ml/sequence-model.js';

const calibration = z.object({
  threshold: z.number().min(0).max(1),
  alarmRate: z.number().min(0).max(0.5),
  warmup: z.number().int().min(1),
});

/** A learned detector's options: its section of detect.models, and the calibration it is graded by. */
const learnedOptions = <T extends z.ZodRawShape>(shape: T) => z.object({ enabled: z.boolean(), calibration, ...shape });

const calibrationOf = (c: Config) => ({ threshold: c.detect.threshold, ...c.detect.calibration });

const recordForestOptions = learnedOptions({ trees: z.number().int().min(1), window: z.number().int().min(16), refitEvery: z.number().int().min(0) });
type RecordForestOptions = z.infer<typeof recordForestOptions>;

/**
 * Isolation Forest on record features. Records repeat few feature vectors, so raw scores are cached by
 * feature key for the forest generation they came from; learned records are a regular sample, so the
 * training window spans `refitEvery` records rather than the last few thousand.
 */
export const recordForestFactory: DetectorFactory<'record', RecordForestOptions> = {
  name: 'record-forest',
  scope: 'record',
  schema: recordForestOptions,
  options: (c) => {
    const { alarmRate, ...m } = c.detect.models.recordForest;
    return { ...m, calibration: { ...calibrationOf(c), alarmRate } };
  },
  enabled: (o) => o.enabled,
  create: (o, seed) => {
    const every = Math.max(1, Math.floor(o.refitEvery / o.window));
    const featurize = (rec: Parameters<typeof recordFeatures>[0], ctx: RecordContext) => recordFeatures(rec, ctx.count, ctx.total, ctx.fields);
    return new CalibratedDetector<'record', Features>({
      name: 'record-forest',
      scope: 'record',
      calibration: o.calibration,
      make: () => new IsolationForest({ seed, trees: o.trees, window: o.window, refitEvery: o.refitEvery }),
      restoreModel: restoreIsolationForest,
      featurize,
      cacheKey: (rec, ctx) => recordKey(rec, ctx.count, ctx.total, ctx.fields),
      learns: (ctx) => ctx.before % every === 0,
      describe: (raw, explain) => `unusual record (isolation ${fmt(raw)}; ${topFeatures(explain)})`,
    });
  },
};

const windowForestOptions = learnedOptions({ trees: z.number().int().min(1), shingleSize: z.number().int().min(1) });
type WindowForestOptions = z.infer<typeof windowForestOptions>;

/** Random Cut Forest on interval vectors: it streams, learning every interval in every mode so its shingle stays current. */
export const windowForestFactory: DetectorFactory<'window', WindowForestOptions> = {
  name: 'window-rcf',
  scope: 'window',
  schema: windowForestOptions,
  options: (c) => ({ ...c.detect.models.windowForest, calibration: calibrationOf(c) }),
  enabled: (o) => o.enabled,
  create: (o, seed) =>
    new CalibratedDetector<'window', Features>({
      name: 'window-rcf',
      scope: 'window',
      calibration: o.calibration,
      make: () => new RandomCutForest({ seed, trees: o.trees, shingleSize: o.shingleSize }),
      restoreModel: restoreRandomCutForest,
      featurize: (_w, ctx) => ctx.features(),
      describe: (raw, explain) => `unusual interval (RCF score ${fmt(raw)}; ${topFeatures(explain)})`,
      followsFields: true,
      streaming: true,
    }),
};

const windowAutoencoderOptions = learnedOptions({ epochs: z.number().int().min(1) });
type WindowAutoencoderOptions = z.infer<typeof windowAutoencoderOptions>;

export const windowAutoencoderFactory: DetectorFactory<'window', WindowAutoencoderOptions> = {
  name: 'window-vae',
  scope: 'window',
  schema: windowAutoencoderOptions,
  options: (c) => ({ ...c.detect.models.windowAutoencoder, calibration: calibrationOf(c) }),
  enabled: (o) => o.enabled,
  create: (o, seed) =>
    new CalibratedDetector<'window', Features>({
      name: 'window-vae',
      scope: 'window',
      calibration: o.calibration,
      make: () => new Autoencoder({ seed, epochs: o.epochs }),
      restoreModel: restoreAutoencoder,
      featurize: (_w, ctx) => ctx.features(),
      describe: (raw, explain) => `interval reconstructed badly (error ${fmt(raw)}; ${topFeatures(explain)})`,
      followsFields: true,
    }),
};

const windowBoundaryOptions = learnedOptions({ nu: z.number().min(0.001).max(0.5) });
type WindowBoundaryOptions = z.infer<typeof windowBoundaryOptions>;

export const windowBoundaryFactory: DetectorFactory<'window', WindowBoundaryOptions> = {
  name: 'window-boundary',
  scope: 'window',
  schema: windowBoundaryOptions,
  options: (c) => ({ ...c.detect.models.windowBoundary, calibration: calibrationOf(c) }),
  enabled: (o) => o.enabled,
  create: (o, seed) =>
    new CalibratedDetector<'window', Features>({
      name: 'window-boundary',
      scope: 'window',
      calibration: o.calibration,
      make: () => new OneClassBoundary({ seed, nu: o.nu }),
      restoreModel: restoreOneClass,
      featurize: (_w, ctx) => ctx.features(),
      describe: (raw, explain) => `interval outside the learned boundary (${fmt(raw)}; ${topFeatures(explain)})`,
      followsFields: true,
    }),
};

const sequenceOptions = learnedOptions({ order: z.number().int().min(1).max(8), topK: z.number().int().min(1) });
type SequenceOptions = z.infer<typeof sequenceOptions>;

export const sequenceFactory: DetectorFactory<'session', SequenceOptions> = {
  name: 'sequence',
  scope: 'session',
  schema: sequenceOptions,
  options: (c) => ({ ...c.detect.models.sequence, calibration: calibrationOf(c) }),
  enabled: (o) => o.enabled,
  create: (o, seed) =>
    new CalibratedDetector<'session', number[]>({
      name: 'sequence',
      scope: 'session',
      calibration: o.calibration,
      make: () => new SequenceModel({ order: o.order, topK: o.topK, seed }),
      restoreModel: restoreSequenceModel,
      featurize: (s) => s.events,
      describe: (_raw, explain) => `unusual order of events (${explain(1)[0]?.feature ?? 'n/a'})`,
    }),
};

const sessionForestOptions = learnedOptions({ trees: z.number().int().min(1), window: z.number().int().min(16) });
type SessionForestOptions = z.infer<typeof sessionForestOptions>;

export const sessionForestFactory: DetectorFactory<'session', SessionForestOptions> = {
  name: 'session-forest',
  scope: 'session',
  schema: sessionForestOptions,
  options: (c) => ({ ...c.detect.models.sessionForest, calibration: calibrationOf(c) }),
  enabled: (o) => o.enabled,
  create: (o, seed) =>
    new CalibratedDetector<'session', Features>({
      name: 'session-forest',
      scope: 'session',
      calibration: o.calibration,
      make: () => new IsolationForest({ seed, trees: o.trees, window: o.window }),
      restoreModel: restoreIsolationForest,
      featurize: (s) => sessionCounts(s.events),
      describe: (raw, explain) => `unusual template counts (isolation ${fmt(raw)}; ${topFeatures(explain)})`,
    }),
};
