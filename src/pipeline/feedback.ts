/**
 * Feedback in force while the pipeline runs: signatures that a false positive silenced for good or a
 * mute silenced until a time. A false positive also tells the learned detectors behind the anomaly that
 * its raw score was normal, so their calibration moves.
 */
import type { Detector } from '../detectors/contract.js';
import type { Anomaly } from '../model/record.js';
import type { FeedbackRow } from '../model/store.js';

export class FeedbackRules {
  /** signature → until (ms), Infinity for a false positive. */
  private readonly silenced = new Map<string, number>();

  load(rows: Iterable<FeedbackRow>): void {
    for (const r of rows) this.add(r);
  }

  add(r: FeedbackRow): void {
    if (r.action === 'confirm') return;
    const until = r.action === 'false_positive' ? Infinity : (r.until ?? 0);
    if (until > (this.silenced.get(r.signature) ?? -Infinity)) this.silenced.set(r.signature, until);
  }

  suppresses(signature: string, now: number): boolean {
    const until = this.silenced.get(signature);
    if (until === undefined) return false;
    if (until > now) return true;
    this.silenced.delete(signature);
    return false;
  }
}

/**
 * The calibrated detectors that graded an anomaly, with the raw score each gave it (stored in the
 * explanation's findings, or at its top level for window findings).
 */
export function learnedScores(detectors: Iterable<Detector>, a: Anomaly): Array<{ detector: Detector; raw: number }> {
  const byName = new Map<string, Detector>();
  for (const d of detectors) if (d.markNormal) byName.set(d.name, d);
  const scores = new Map<string, number>();
  const findings = Array.isArray(a.explain?.findings) ? (a.explain.findings as Array<Record<string, unknown>>) : [];
  for (const f of findings) if (typeof f.detector === 'string' && typeof f.score === 'number') scores.set(f.detector, f.score);
  if (typeof a.explain?.score === 'number' && !scores.has(a.detector)) scores.set(a.detector, a.explain.score);
  const out: Array<{ detector: Detector; raw: number }> = [];
  for (const [name, raw] of scores) {
    const d = byName.get(name);
    if (d) out.push({ detector: d, raw });
  }
  return out;
}
