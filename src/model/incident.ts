/** An incident: anomalies of one source close together in time, merged across sources by the master. Imports nothing of ours but types. */
import type { AnomalyKind } from './record.js';

export type IncidentStatus = 'open' | 'closed';

export interface Incident {
  id: number;
  /** Event time (ms): start of its first anomaly (a window's or session's start), end of its last. */
  start: number;
  end: number;
  /** Its sources, in order of joining (a cross-source alarm's own source `*` is not one). */
  sources: string[];
  /** The highest grade of its anomalies. */
  grade: number;
  /** How many anomalies it holds. */
  anomalies: number;
  /** The reason of its strongest anomaly, with the source when it is not the only one. */
  summary: string;
  /** open: it may still grow; closed: the gap passed since its end (or it merged into another). */
  status: IncidentStatus;
  kinds: Array<AnomalyKind | 'cross-source'>;
  /** Detectors that fired in it, each with its highest grade, strongest first. */
  detectors: Array<{ detector: string; grade: number }>;
}

export interface IncidentQuery {
  /** Incidents overlapping [since, until] (event time). */
  since?: number;
  until?: number;
  source?: string;
  limit: number;
  cursor?: string;
}
