/**
 * The report's incidents: those the pipeline grouped and stored (src/features/incidents.ts), overlapping
 * the period — the same list as `logradar incidents --since … --until …` and GET /api/incidents. Each row
 * links its strongest anomaly.
 */
import type { Incident } from '../model/incident.js';
import type { LogStore, StoredAnomaly } from '../model/store.js';

export interface ReportIncident {
  id: number;
  /** Its sources, joined (`*`-free: a cross-source alarm lists the sources it named). */
  source: string;
  sources: string[];
  /** Kinds of its anomalies (record, window, session, cross-source), joined. */
  kind: string;
  /** Detectors that fired in the incident, strongest first. */
  detectors: string[];
  /** The strongest anomaly: its id (dashboard link), reason and line. */
  anomalyId: number;
  reason: string;
  sample?: string;
  /** Start of the first anomaly (its window's start for window anomalies) and end of the last. */
  first: number;
  last: number;
  maxGrade: number;
  count: number;
  status: Incident['status'];
}

/** The stored incidents overlapping [since, until], oldest first; `anomalies`: the period's stored anomalies (to find each one's strongest). */
export function reportIncidents(store: LogStore, since: number, until: number, anomalies: readonly StoredAnomaly[]): ReportIncident[] {
  const strongest = new Map<number, StoredAnomaly>();
  for (const a of anomalies) {
    if (a.incident === undefined) continue;
    const best = strongest.get(a.incident);
    if (!best || a.grade > best.grade) strongest.set(a.incident, a);
  }
  return store.incidents({ since, until }).map((i) => {
    // an incident overlapping the period may have all its anomalies outside it: its newest one is linked
    const top = strongest.get(i.id) ?? store.queries.anomalyPage({ incident: i.id, status: 'all', limit: 1 }).items[0];
    return {
      id: i.id,
      source: i.sources.join(', '),
      sources: i.sources,
      kind: i.kinds.join(', '),
      detectors: i.detectors.map((d) => d.detector),
      anomalyId: top?.id ?? 0,
      reason: i.summary,
      sample: top?.raw,
      first: i.start,
      last: i.end,
      maxGrade: i.grade,
      count: i.anomalies,
      status: i.status,
    };
  });
}
