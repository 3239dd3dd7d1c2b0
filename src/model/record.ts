/** The records that flow through the pipeline. This module imports nothing of ours. */

/** One framed line from a source, before decoding. */
export interface RawLine {
  /** The text, decoded as UTF-8 (invalid bytes become U+FFFD), without the line terminator. */
  text: string;
  /** Byte offset of the line's first byte in its file (0 for stdin/HTTP sources counts from stream start). */
  offset: number;
  /** 1-based line number in its file. */
  line: number;
  /** True when the line was longer than the limit and cut. */
  truncated: boolean;
}

/** A decoded record: the unit every detector sees. */
export interface LogRecord {
  /** Source name (a watched file's path, `stdin`, or an HTTP source name). */
  source: string;
  offset: number;
  line: number;
  /** Event time (ms since epoch): from the record when found, else the ingestion time. */
  ts: number;
  /** True when `ts` came from the record itself. */
  tsFromRecord: boolean;
  raw: string;
  /** The free-text part given to the template miner. */
  message: string;
  /** Structured fields (flattened with dots: `httpRequest.country`). */
  fields: Record<string, unknown>;
  truncated: boolean;
}

/** A record after template mining (the decoder creates records in this shape, filled by the miner). */
export interface ParsedRecord extends LogRecord {
  templateId: number;
  template: string;
  params: string[];
  /** What mining this record did to the template store. */
  change: 'created' | 'updated' | 'none';
}

export type AnomalyKind = 'record' | 'window' | 'session';

/** Where an anomaly stands after feedback: `suppressed` ones matched a false positive or mute when found. */
export type AnomalyStatus = 'new' | 'confirmed' | 'false_positive' | 'muted' | 'suppressed';

export interface DetectorGrade {
  detector: string;
  grade: number;
}

/** An anomaly as stored and printed. */
export interface Anomaly {
  kind: AnomalyKind;
  source: string;
  /** Detection time: the record time for records, the window end for windows. */
  ts: number;
  grade: number;
  /** The detector that fired first/strongest. */
  detector: string;
  detectors: DetectorGrade[];
  /** One human line saying why. */
  reason: string;
  line?: number;
  offset?: number;
  raw?: string;
  templateId?: number;
  window?: { start: number; end: number };
  /** The session key, for session anomalies. */
  session?: string;
  /** Machine-readable explanation: contributing features and their values. */
  explain?: Record<string, unknown>;
  /** Same signature ⇒ same kind of finding (detector, source, template, field values); set by the pipeline. */
  signature?: string;
  status?: AnomalyStatus;
  /** The incident it belongs to (set by the pipeline; none for suppressed ones). */
  incident?: number;
  /** The store's id, set once committed. */
  id?: number;
}
