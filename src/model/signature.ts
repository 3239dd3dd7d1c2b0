/**
 * The signature of an anomaly: detector, source, template id and the contributing field values of the
 * detector that fired, sorted (`field-rate|waf|-|httpRequest.country=XX`). Two anomalies with the same
 * signature are the same kind of finding, which is what feedback (false positive, mute) applies to; a
 * silenced signature also covers an anomaly of the same detector, source and template whose strongest
 * value it lists (an incidental extra value, XX and then XX + YY, is the same finding).
 */
import type { Anomaly } from './record.js';

export function anomalySignature(a: Anomaly, parts: readonly string[] = signatureParts(a)): string {
  return [a.detector, a.source, a.templateId ?? '-', [...parts].sort().join(',')].join('|');
}

/** The contributing field values of the detector that fired, strongest first (its explanation's order). */
export function signatureParts(a: Anomaly): string[] {
  const contributions = Array.isArray(a.explain?.contributions) ? (a.explain.contributions as Array<Record<string, unknown>>) : [];
  const parts: string[] = [];
  for (const c of contributions) {
    // contributions of other detectors (and the template fallback, which names no detector) are not this finding's
    if (c.detector !== a.detector || typeof c.feature !== 'string') continue;
    const v = c.value;
    const part = c.feature.includes('=') || !(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') ? c.feature : `${c.feature}=${v}`;
    if (!parts.includes(part)) parts.push(part);
  }
  return parts;
}

/** detector|source|template of a signature: what its parts are values of. */
export function signaturePrefix(signature: string): string {
  return signature.split('|').slice(0, 3).join('|');
}
