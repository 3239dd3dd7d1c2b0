/**
 * Feedback in force while the pipeline runs: signatures that a false positive silenced for good or a
 * mute silenced until a time. A false positive also tells the learned detectors behind the anomaly that
 * its raw score was normal, so their calibration moves.
 */
import type { Detector } from '../detectors/contract.js';
import type { Anomaly } from '../model/record.js';
import { signaturePrefix } from '../model/signature.js';
import type { FeedbackRow } from '../model/store.js';

export class FeedbackRules {
  /** signature → until (ms), Infinity for a false positive. */
  private readonly silenced = new Map<string, number>();
  /** detector|source|template → the silenced signatures' value lists, for anomalies with an extra value. */
  private readonly byPrefix = new Map<string, Array<{ signature: string; parts: Set<string> }>>();

  load(rows: Iterable<FeedbackRow>): void {
    for (const r of rows) this.add(r);
  }

  add(r: FeedbackRow): void {
    if (r.action === 'confirm') return;
    const until = r.action === 'false_positive' ? Infinity : (r.until ?? 0);
    if (until <= (this.silenced.get(r.signature) ?? -Infinity)) return;
    this.silenced.set(r.signature, until);
    const values = r.signature.split('|').slice(3).join('|');
    if (!values) return;
    const prefix = signaturePrefix(r.signature);
    const list = this.byPrefix.get(prefix) ?? [];
    if (!list.some((x) => x.signature === r.signature)) list.push({ signature: r.signature, parts: new Set(values.split(',')) });
    this.byPrefix.set(prefix, list);
  }

  /**
   * The signature is silenced, or a silenced signature of the same detector, source and template lists
   * the anomaly's strongest value (`strongest`, from `signatureParts`): a false positive on country XX
   * also covers the window where an incidental YY came with XX, not one where ZZ leads.
   */
  suppresses(signature: string, now: number, strongest?: string): boolean {
    if (this.active(signature, now)) return true;
    if (strongest === undefined) return false;
    for (const x of this.byPrefix.get(signaturePrefix(signature)) ?? []) if (x.parts.has(strongest) && this.active(x.signature, now)) return true;
    return false;
  }

  private active(signature: string, now: number): boolean {
    const until = this.silenced.get(signature);
    if (until === undefined) return false;
    if (until > now) return true;
    this.silenced.delete(signature);
    const prefix = signaturePrefix(signature);
    const list = this.byPrefix.get(prefix)?.filter((x) => x.signature !== signature);
    if (list?.length) this.byPrefix.set(prefix, list);
    else this.byPrefix.delete(prefix);
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
