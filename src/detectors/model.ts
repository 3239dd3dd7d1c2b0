/**
 * The interface every learned model implements (River's learn_one/score_one, DESIGN §3).
 *
 * A model scores one input X: a named sparse feature vector for the vector models (Isolation Forest,
 * Random Cut Forest, autoencoder, one-class boundary), or a template-id sequence for the sequence model.
 * - `score(x)` is pure (no state change), finite, ≥ 0, higher = more anomalous; before the model has
 *   learned enough it returns 0 (and `ready()` says false).
 * - `learn(x)` updates the model online; batch-fitted models buffer a sliding training window and refit
 *   on their own schedule (every `refitEvery` learns) or when `fit()` is called.
 * - Features never seen in training and features missing from `x` never throw (missing = 0).
 * - `snapshot()` returns plain versioned JSON (never code); `restoreModel()` of the kind's module rebuilds
 *   a model that gives identical scores. Every stochastic model takes a seed: same input + seed → same output.
 * Thresholds and grades are not the model's business: see calibrate.ts.
 */

import type { Features } from '../features/vector.js';

export type { Features };

export interface ModelSnapshot {
  kind: string;
  version: number;
  [k: string]: unknown;
}

export interface Contribution {
  feature: string;
  /** How much this feature pushed the score up (model-specific units, larger = more). */
  weight: number;
}

export interface Model<X> {
  readonly kind: string;
  /** Changes whenever scores may change other than by `learn` (e.g. each fit): callers may cache scores per generation. */
  readonly generation?: number;
  learn(x: X): void;
  score(x: X): number;
  /** True once scores are meaningful (enough data learned / first fit done). */
  ready(): boolean;
  /** Refits batch models on their training window now (online models: no-op). */
  fit(): void;
  /** The features that made `x` score high, strongest first (pure). */
  explain(x: X, top: number): Contribution[];
  snapshot(): ModelSnapshot;
}

/** Throws a clear error when a snapshot is not of the expected kind/version. */
export function checkSnapshot(s: unknown, kind: string, version: number): asserts s is ModelSnapshot {
  if (!s || typeof s !== 'object') throw new Error(`${kind} snapshot: not an object`);
  const o = s as ModelSnapshot;
  if (o.kind !== kind) throw new Error(`${kind} snapshot: kind is ${String(o.kind)}`);
  if (o.version !== version) throw new Error(`${kind} snapshot: version ${String(o.version)} is not ${version}`);
}
