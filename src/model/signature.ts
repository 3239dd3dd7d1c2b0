/**
 * The signature of an anomaly: detector, source, template id and the contributing field values of the
 * detector that fired, sorted (`field-rate|waf|-|httpRequest.country=XX`). Two anomalies with the same
 * signature are the same kind of finding, which is what feedback (false positive, mute) applies to.
 */
import type { Anomaly } from './record.js';

export function anomalySignature(a: Anomaly): string {
  const contributions = Array.isArray(a.explain?.contributions) ? (a.explain.contributions as Array<Record<string, unknown>>) : [];
  const parts = new Set<string>();
  for (const c of contributions) {
    // contributions of other detectors (and the template fallback, which names no detector) are not this finding's
    if (c.detector !== a.detector || typeof c.feature !== 'string') continue;
    const v = c.value;
    parts.add(c.feature.includes('=') || !(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') ? c.feature : `${c.feature}=${v}`);
  }
  return [a.detector, a.source, a.templateId ?? '-', [...parts].sort().join(',')].join('|');
}
