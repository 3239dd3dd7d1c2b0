/** What the alert engine hands to the channels: an incident as it stands when a message is due. */
import type { AlertChannelName } from '../config/schema.js';
import type { AnomalyKind } from '../model/record.js';

/** The anomaly a message shows: the strongest of its incident so far. */
export interface AlertAnomaly {
  id?: number;
  kind: AnomalyKind;
  detector: string;
  grade: number;
  reason: string;
  source: string;
  ts: number;
  raw?: string;
  line?: number;
  signature?: string;
}

export interface IncidentView {
  /** Sequence number, per process. */
  id: number;
  rule: string;
  groupBy: 'incident' | 'source' | 'signature';
  /** The stored incident id, source or signature that groups this incident's anomalies. */
  key: string;
  /** The stored incident (issue 12) of its first anomaly, when the pipeline grouped it. */
  incident?: number;
  source: string;
  /** Wall times (ms). */
  openedAt: number;
  lastAt: number;
  resolvedAt?: number;
  /** Anomalies in it, and how many distinct signatures. */
  count: number;
  signatures: number;
  maxGrade: number;
  anomaly: AlertAnomaly;
}

/**
 * open: the incident's first message; update: a new signature joined (rules with alertOnce false);
 * resolve: no matching anomaly for the group window. `heldOpen` marks a resolve that also stands for its
 * open, held during quiet hours and never sent.
 */
export type NotificationKind = 'open' | 'update' | 'resolve';

export interface Notification {
  kind: NotificationKind;
  incident: IncidentView;
  channels: AlertChannelName[];
  heldOpen?: boolean;
}
