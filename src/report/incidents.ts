/**
 * The anomalies of a report period grouped into incidents: one source, one kind of finding, no longer
 * gap in time than `gapMs` between consecutive anomalies. A storm of 10,000 anomalies of one finding is
 * one row, and a finding that comes back the next day is a second one.
 */
import type { AnomalyKind } from '../model/record.js';
import type { StoredAnomaly } from '../model/store.js';

export interface ReportIncident {
  source: string;
  kind: AnomalyKind;
  /** Detectors that fired in the incident, strongest first. */
  detectors: string[];
  /** The strongest anomaly: its id (dashboard link), reason and line. */
  anomalyId: number;
  reason: string;
  sample?: string;
  /** Start of the first anomaly (its window's start for window anomalies) and time of the last. */
  first: number;
  last: number;
  maxGrade: number;
  count: number;
}

/**
 * What makes two anomalies the same finding: detector, source, kind, template, and the categorical
 * values of the signature (`country=XX`) — not its numeric ones, which differ in every window.
 */
export function incidentKey(a: StoredAnomaly): string {
  const contributions = Array.isArray(a.explain?.contributions) ? (a.explain.contributions as Array<Record<string, unknown>>) : [];
  const parts = new Set<string>();
  for (const c of contributions) {
    if (c.detector !== a.detector || typeof c.feature !== 'string') continue;
    if (c.feature.includes('=')) parts.add(c.feature);
    else if (typeof c.value === 'string') parts.add(`${c.feature}=${c.value}`);
  }
  return [a.detector, a.source, a.kind, a.templateId ?? '-', [...parts].sort().join(',')].join('|');
}

const startOf = (a: StoredAnomaly) => Math.min(a.window?.start ?? a.ts, a.ts);

/** Incidents in order of their first anomaly. */
export function groupIncidents(anomalies: readonly StoredAnomaly[], gapMs: number): ReportIncident[] {
  const sorted = [...anomalies].sort((a, b) => startOf(a) - startOf(b) || a.id - b.id);
  const open = new Map<string, { inc: ReportIncident; grades: Map<string, number> }>();
  const out: Array<{ inc: ReportIncident; grades: Map<string, number> }> = [];
  for (const a of sorted) {
    const key = incidentKey(a);
    const start = startOf(a);
    let g = open.get(key);
    if (!g || start - g.inc.last > gapMs) {
      g = { inc: { source: a.source, kind: a.kind, detectors: [], anomalyId: a.id, reason: a.reason, sample: a.raw, first: start, last: a.ts, maxGrade: a.grade, count: 0 }, grades: new Map() };
      open.set(key, g);
      out.push(g);
    }
    const inc = g.inc;
    inc.count++;
    inc.last = Math.max(inc.last, a.ts);
    if (a.grade > inc.maxGrade) Object.assign(inc, { maxGrade: a.grade, anomalyId: a.id, reason: a.reason, sample: a.raw });
    for (const d of a.detectors.length ? a.detectors : [{ detector: a.detector, grade: a.grade }]) g.grades.set(d.detector, Math.max(g.grades.get(d.detector) ?? 0, d.grade));
  }
  for (const g of out) g.inc.detectors = [...g.grades].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([d]) => d);
  return out.map((g) => g.inc);
}
