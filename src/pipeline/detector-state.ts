/**
 * How a source's detectors are saved: each detector's versioned snapshot under its name. Detectors with
 * small state are committed with every batch (in the source's state row, with the checkpoint); large
 * ones every minute and at shutdown (the models row). The models row keeps the learned (batch-fitted)
 * detectors apart from the large online ones, because a model version holds only the former.
 */
import type { Detector, DetectorSnapshot } from '../detectors/contract.js';

export const MODELS_VERSION = 2;

export type Snapshots = Record<string, DetectorSnapshot>;

/** The models row: learned detectors (what a model version holds) and the large online ones. */
export interface ModelsSnapshot {
  version: number;
  detectors: Snapshots;
  online?: Snapshots;
}

export function snapshotsOf(detectors: Iterable<Detector>, keep: (d: Detector) => boolean): Snapshots {
  const out: Snapshots = {};
  for (const d of detectors) if (keep(d)) out[d.name] = d.snapshot();
  return out;
}

/** Restores the detectors that have a snapshot; throws on an unreadable one (the caller decides what that costs). */
export function restoreSnapshots(detectors: Iterable<Detector>, snaps: Snapshots | undefined): void {
  if (!snaps) return;
  for (const d of detectors) {
    const s = snaps[d.name];
    if (s) d.restore(s);
  }
}

export const isSmall = (d: Detector) => d.state === 'small';
export const isLearned = (d: Detector) => d.learned;
export const isLargeOnline = (d: Detector) => d.state === 'large' && !d.learned;

export function modelsSnapshot(detectors: Detector[]): ModelsSnapshot {
  return { version: MODELS_VERSION, detectors: snapshotsOf(detectors, isLearned), online: snapshotsOf(detectors, isLargeOnline) };
}

/** Parses a models row or version; throws on another format version. */
export function parseModels(value: string): ModelsSnapshot {
  const s = JSON.parse(value) as ModelsSnapshot;
  if (s?.version !== MODELS_VERSION) throw new Error(`models version ${String(s?.version)} is not ${MODELS_VERSION}`);
  return s;
}

/** A model version keeps the batch-fitted models only: the online detectors stay with the live pipeline. */
export function versionSnapshot(value: string): string {
  const s = parseModels(value);
  return JSON.stringify({ version: s.version, detectors: s.detectors } satisfies ModelsSnapshot);
}
