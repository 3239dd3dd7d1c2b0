/**
 * The one contract every detector implements, rule or learned (River's learn_one/score_one, DESIGN §3).
 *
 * A detector works at one scope — a record, a window (one source's interval), a session (records
 * sharing a key), or across sources (the master, fed the sources' anomalies) — and owns its own state
 * for one source. `score` is pure and returns zero or more findings; `learn` changes the state;
 * `snapshot()`/`restore()` carry that state as versioned JSON. What rules need from the pipeline
 * (counts, totals, the monitored fields, a template's text) arrives in the scope's context, built by the
 * pipeline with the production featurizers of src/features.
 *
 * Factories are listed in the registry (registry.ts); each source gets a detector set from it, and the
 * pipeline runs one loop per scope over that set without naming any detector.
 */
import type { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { RecordContext } from '../features/record.js';
import type { WindowAggregate, WindowContext } from '../features/window.js';
import type { OpenSession, SessionContext } from '../features/sessions.js';
import type { Anomaly, ParsedRecord } from '../model/record.js';

// the scope contexts are built by the pipeline with the production featurizers of src/features
export type { RecordContext, SessionContext, WindowContext };

export type Scope = 'record' | 'window' | 'session' | 'cross-source';

export const SCOPES: readonly Scope[] = ['record', 'window', 'session', 'cross-source'];

/** What a detector found about one input. */
export interface Finding {
  detector: string;
  /** 0..1; at or above the configured threshold it is an anomaly. */
  grade: number;
  reason: string;
  explain: Record<string, unknown>;
}

/** The master sees only anomalies the sources already graded. */
export type CrossSourceContext = Record<string, never>;

export interface ScopeInput {
  record: ParsedRecord;
  window: WindowAggregate;
  session: OpenSession;
  'cross-source': Anomaly;
}

export interface ScopeContext {
  record: RecordContext;
  window: WindowContext;
  session: SessionContext;
  'cross-source': CrossSourceContext;
}

export interface DetectorSnapshot {
  kind: string;
  version: number;
  [k: string]: unknown;
}

export interface Detector<S extends Scope = Scope> {
  readonly name: string;
  readonly scope: S;
  /**
   * Fitted from history (a learned model behind a calibrator): fitted at the end of `train`, kept in
   * model versions and replaced by a retrain or rollback. Rules (learned = false) count as they go.
   */
  readonly learned: boolean;
  /**
   * `small`: committed with every batch, in the transaction of the checkpoint (exactly once).
   * `large`: saved periodically and at shutdown (a restart may relearn the last minute).
   */
  readonly state: 'small' | 'large';
  /** Learns every input in every mode, anomalous or not: a streaming model whose history must not go stale. */
  readonly streaming?: boolean;
  /** Past its warm-up: its findings mean something. */
  ready(): boolean;
  /** Pure: no state changes. */
  /**
   * Called with every input, in every mode, before `score`: keeps the recent inputs a detector judges
   * together (several window lengths at once). Not learning: a frozen model tracks too.
   */
  track?(x: ScopeInput[S], ctx: ScopeContext[S]): void;
  score(x: ScopeInput[S], ctx: ScopeContext[S]): Finding[];
  learn(x: ScopeInput[S], ctx: ScopeContext[S]): void;
  /** Calibration: this input's score is one of normal operation (learned detectors). */
  observe?(x: ScopeInput[S], ctx: ScopeContext[S]): void;
  /** Refits a batch model now (end of a training pass). */
  fit?(): void;
  /** Feedback: this raw score (a finding's `explain.score`) was a false positive. */
  markNormal?(score: number): void;
  /** The source chose other monitored fields: models whose dimensions follow them start again. */
  fieldsChanged?(): void;
  snapshot(): DetectorSnapshot;
  /** Throws on a snapshot of another kind or version. */
  restore(s: DetectorSnapshot): void;
}

export interface DetectorFactory<S extends Scope = Scope, O = unknown> {
  readonly name: string;
  readonly scope: S;
  /** Its options, validated (usually its section of the config schema, plus shared keys). */
  readonly schema: z.ZodType<O>;
  /** Picks its options out of the whole configuration. */
  options(config: Config): unknown;
  /** False: not part of the detector set (configured off). */
  enabled(options: O): boolean;
  create(options: O, seed: number): Detector<S>;
}

/** Throws a clear error when a detector snapshot is not of the expected kind/version. */
export function checkDetectorSnapshot(s: unknown, kind: string, version: number): asserts s is DetectorSnapshot {
  if (!s || typeof s !== 'object') throw new Error(`${kind} snapshot: not an object`);
  const o = s as DetectorSnapshot;
  if (o.kind !== kind) throw new Error(`${kind} snapshot: kind is ${String(o.kind)}`);
  if (o.version !== version) throw new Error(`${kind} snapshot: version ${String(o.version)} is not ${version}`);
}

/** A plain-data state as JSON (never aliasing it). */
export function plainCopy<T>(st: T): T {
  return JSON.parse(JSON.stringify(st)) as T;
}
