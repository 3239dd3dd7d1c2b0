/** Rows of the SQLite tables as the model's row types (shared by the store and its queries). */
import type { Anomaly, AnomalyStatus } from '../../model/record.js';
import type { Incident, IncidentStatus } from '../../model/incident.js';
import type { FeedbackAction, FeedbackRow, StoredAnomaly, TemplateRow } from '../../model/store.js';

export function feedbackFromRow(r: Record<string, unknown>): FeedbackRow {
  return {
    id: Number(r.id),
    anomalyId: Number(r.anomaly_id),
    action: r.action as FeedbackAction,
    signature: String(r.signature),
    by: String(r.by),
    ...(r.note === null || r.note === undefined ? {} : { note: String(r.note) }),
    created: Number(r.created),
    ...(r.until === null || r.until === undefined ? {} : { until: Number(r.until) }),
  };
}

/** A row of `anomalies` as the Anomaly it stored. */
export function anomalyFromRow(r: Record<string, unknown>): StoredAnomaly {
  return {
    id: Number(r.id),
    created: Number(r.created),
    ts: Number(r.ts),
    kind: r.kind as Anomaly['kind'],
    source: String(r.source),
    file: r.file === null ? undefined : String(r.file),
    line: r.line === null ? undefined : Number(r.line),
    offset: r.offset === null ? undefined : Number(r.offset),
    grade: Number(r.grade),
    detector: String(r.detector),
    detectors: JSON.parse(String(r.detectors)),
    reason: String(r.reason),
    window: r.window_start === null ? undefined : { start: Number(r.window_start), end: Number(r.window_end) },
    templateId: r.template_id === null ? undefined : Number(r.template_id),
    raw: r.raw === null ? undefined : String(r.raw),
    explain: r.explain === null ? undefined : JSON.parse(String(r.explain)),
    session: r.session === null || r.session === undefined ? undefined : String(r.session),
    status: (r.status ?? 'new') as AnomalyStatus,
    signature: r.signature ? String(r.signature) : undefined,
    incident: r.incident_id === null || r.incident_id === undefined ? undefined : Number(r.incident_id),
  };
}

export function templateFromRow(r: Record<string, unknown>): TemplateRow {
  return {
    id: Number(r.id),
    source: String(r.source),
    template: String(r.template),
    count: Number(r.count),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    evicted: Number(r.evicted) === 1,
  };
}

export function incidentFromRow(r: Record<string, unknown>): Incident {
  return {
    id: Number(r.id),
    start: Number(r.start),
    end: Number(r.end),
    sources: JSON.parse(String(r.sources)),
    grade: Number(r.grade),
    anomalies: Number(r.anomalies),
    summary: String(r.summary),
    status: r.status as IncidentStatus,
    kinds: JSON.parse(String(r.kinds)),
    detectors: JSON.parse(String(r.detectors)),
  };
}
