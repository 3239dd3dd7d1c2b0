/**
 * The registry: every detector factory, in the order their findings are listed. Each source gets its
 * detector set from here; the pipeline loops over the set per scope and never names a detector; the
 * conformance suite runs every registered detector. Adding a detector = writing its module and listing
 * its factory here (docs/ARCHITECTURE.md, "Add a detector").
 */
import type { Config } from '../config/schema.js';
import type { Detector, DetectorFactory, Scope } from './contract.js';
import { countInvariantsFactory } from './count-invariants.js';
import { fieldRateFactory } from './field-rate.js';
import { recordForestFactory, sequenceFactory, sessionForestFactory, windowAutoencoderFactory, windowBoundaryFactory, windowForestFactory } from './learned.js';
import { masterFactory } from './master.js';
import { newTemplateFactory } from './new-template.js';
import { paramNoveltyFactory } from './param-novelty.js';
import { rareTemplateFactory } from './rare-template.js';
import { sessionSignatureFactory } from './session-signature.js';
import { severityFactory } from './severity.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- factories of every scope and option type
type AnyFactory = DetectorFactory<any, any>;

const factories: AnyFactory[] = [
  newTemplateFactory,
  rareTemplateFactory,
  severityFactory,
  recordForestFactory,
  paramNoveltyFactory,
  fieldRateFactory,
  windowAutoencoderFactory,
  windowBoundaryFactory,
  windowForestFactory,
  sessionSignatureFactory,
  countInvariantsFactory,
  sequenceFactory,
  sessionForestFactory,
  masterFactory,
];

/** The registered factories, in order. */
export function registeredDetectors(): readonly DetectorFactory[] {
  return factories;
}

/** Registers another detector (a plugin, or a test's); returns a function that removes it again. */
export function registerDetector(f: DetectorFactory): () => void {
  if (factories.some((x) => x.name === f.name)) throw new Error(`detector ${f.name} is already registered`);
  factories.push(f);
  return () => {
    const i = factories.indexOf(f);
    if (i >= 0) factories.splice(i, 1);
  };
}

/** One factory's options from the whole configuration, validated by its schema. */
export function detectorOptions<O>(f: DetectorFactory<Scope, O>, config: Config): O {
  const r = f.schema.safeParse(f.options(config));
  if (!r.success) throw new Error(`detector ${f.name}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** The enabled detectors of one scope, built for one source (or, at cross-source scope, for the pipeline). */
export function createDetectors<S extends Scope>(config: Config, scope: S, seed = config.detect.seed): Array<Detector<S>> {
  const out: Array<Detector<S>> = [];
  for (const f of factories) {
    if (f.scope !== scope) continue;
    const o = detectorOptions(f, config);
    if (f.enabled(o)) out.push(f.create(o, seed) as Detector<S>);
  }
  return out;
}

/** A source's detectors, one list per scope. */
export interface DetectorSet {
  record: Array<Detector<'record'>>;
  window: Array<Detector<'window'>>;
  session: Array<Detector<'session'>>;
}

export function createDetectorSet(config: Config, seed = config.detect.seed): DetectorSet {
  return { record: createDetectors(config, 'record', seed), window: createDetectors(config, 'window', seed), session: createDetectors(config, 'session', seed) };
}

/** Every detector of a set, in registry order within each scope. */
export function allDetectors(set: DetectorSet): Detector[] {
  return [...set.record, ...set.window, ...set.session];
}
