/**
 * The stores as the layers above them see them: the rows they hold and the interfaces they implement
 * (DESIGN §3). SQLite (store/sqlite) implements all of them; the batch-mode model file and the
 * retraining replay implement `PipelineStore`. Sources, pipeline, server, report and CLI depend on these
 * interfaces only; the CLI opens the concrete store. This module imports nothing of ours but types.
 */
import type { Anomaly, AnomalyStatus } from './record.js';
import type { Incident, IncidentQuery } from './incident.js';

export interface FileRow {
  id: number;
  path: string;
  source: string;
  dev: string;
  ino: string;
  fp: string;
  fpLen: number;
  offset: number;
  line: number;
  skipping: boolean;
  size: number;
  firstSeen: number;
  lastRead: number;
  gone: boolean;
}

export interface EventRow {
  ts: number;
  source: string;
  /** Defaults to the batch's `fileId` (records of one batch come from one file). */
  fileId?: number | null;
  line: number;
  offset: number;
  templateId: number | null;
  raw: string;
}

export interface TemplateRow {
  id: number;
  source: string;
  template: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  evicted?: boolean;
}

export interface SeriesRow {
  source: string;
  key: string;
  start: number;
  value: number;
}

export interface StateRow {
  key: string;
  version: number;
  value: string;
}

/** Everything derived from one chunk of input; written atomically. */
export interface CommitBatch {
  /** Incidents created or changed by this batch (upserted); `mergedIncidents`: ids merged into another (their anomalies move). */
  incidents?: Incident[];
  mergedIncidents?: Array<{ from: number; into: number }>;
  events?: EventRow[];
  fileId?: number | null;
  templates?: TemplateRow[];
  anomalies?: Anomaly[];
  series?: SeriesRow[];
  state?: StateRow[];
  /** The file checkpoint that these results were read up to. */
  checkpoint?: Omit<FileRow, 'firstSeen'>;
  counters?: Record<string, unknown>;
}

export interface StoredEvent {
  id: number;
  ts: number;
  source: string;
  file: string | null;
  line: number;
  offset: number;
  templateId: number | null;
  raw: string;
}

export interface StoredAnomaly extends Anomaly {
  id: number;
  created: number;
  file?: string;
}

export interface EventQuery {
  source?: string;
  since?: number;
  until?: number;
  grep?: string;
  limit?: number;
}

export type FeedbackAction = 'confirm' | 'false_positive' | 'mute';

export interface FeedbackRow {
  id: number;
  anomalyId: number;
  action: FeedbackAction;
  signature: string;
  by: string;
  note?: string;
  created: number;
  until?: number;
}

/** One stored block: consecutive lines of one source and file, ingested together at `ingestTs`. */
export interface StoredBlock {
  ingestTs: number;
  file: string | null;
  fileId: number | null;
  events: Array<{ ts: number; line: number; offset: number; raw: string }>;
}

export interface AnomalyQuery {
  since?: number;
  until?: number;
  minGrade?: number;
  source?: string;
  limit?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AnomalyPageQuery {
  since?: number;
  until?: number;
  source?: string;
  detector?: string;
  minGrade?: number;
  /** Only the anomalies of this incident. */
  incident?: number;
  /** Statuses to list; undefined: all but `suppressed`; 'all': every status. */
  status?: AnomalyStatus[] | 'all';
  limit: number;
  cursor?: string;
}

export interface TemplatePageQuery {
  source?: string;
  /** Case-insensitive substring of the template text. */
  q?: string;
  limit: number;
  cursor?: string;
}

export interface ContextLine {
  line: number;
  offset: number;
  ts: number;
  raw: string;
  templateId?: number;
}

export interface SourceFigures {
  name: string;
  /** Stored lines. */
  lines: number;
  /** Lines stored since `recentSince`. */
  recent: number;
  templates: number;
  anomalies: number;
}

/** A stored line with its source and file, as `periodEvents` yields it. */
export interface PeriodEvent extends ContextLine {
  source: string;
  file: string | null;
}

export interface NewFeedback {
  anomalyId: number;
  action: FeedbackAction;
  signature: string;
  by: string;
  note?: string;
  until?: number;
}

export interface ModelVersionInfo {
  id: number;
  source: string;
  created: number;
  /** The training range (event time, ms); absent for models learned online while watching. */
  from?: number;
  to?: number;
  records: number;
  active: boolean;
}

export interface NewModelVersion {
  source: string;
  created: number;
  from?: number;
  to?: number;
  records: number;
  /** The models as versioned JSON (a ModelsSnapshot). */
  snapshot: string;
}

/**
 * The state store of DESIGN §3: versioned model state by key. State derived from a batch is not saved
 * on its own but travels in that batch (`CommitBatch.state`), written in the same transaction as the
 * data it describes; `saveState` is for state that belongs to no batch.
 */
export interface StateStore {
  loadState(key: string): StateRow | undefined;
  saveState(row: StateRow): void;
}

/** The file checkpoints a file source keeps: one row per file identity. */
export interface FileCheckpointStore {
  listFiles(): FileRow[];
  addFile(f: Omit<FileRow, 'id'>): number;
  updateFile(f: Omit<FileRow, 'firstSeen'>): void;
  deleteFile(id: number): void;
}

/**
 * Where a pipeline keeps what it derives: the SQLite store for `watch`, a model directory for batch
 * `train`/`detect`. Everything derived from a batch arrives in one `commit`.
 */
export interface PipelineStore extends StateStore {
  maxTemplateId(): number;
  loadTemplates(source: string): TemplateRow[];
  commit(batch: CommitBatch, now?: number): void;
  applyRetention?(maxAgeMs: number, maxBytes: number, now?: number): number;
  /** Feedback in force (false positives, mutes), loaded at start. */
  loadFeedback?(): FeedbackRow[];
  /** Feedback written after `id`, with its anomaly: what another process (the `feedback` command) added. */
  feedbackAfter?(id: number): Array<{ feedback: FeedbackRow; anomaly: Anomaly | undefined }>;
  /** Incidents still open (a restart continues them) and the highest incident id; absent: incidents are not kept. */
  openIncidents?(): Incident[];
  maxIncidentId?(): number;
  /** The active model version of a source and its snapshot when it is not `running` (retraining, rollback). */
  modelVersionChange?(source: string, running: number | undefined): { id: number; snapshot: string } | undefined;
}

/** Versions of each source's learned models; one per source is active. */
export interface ModelVersionStore {
  /** Adds versions of one source (oldest first); the last becomes active when `activate`; beyond `keep`, the oldest inactive go. */
  add(versions: NewModelVersion[], opts: { activate: boolean; keep: number }): number[];
  list(source?: string): ModelVersionInfo[];
  get(id: number): ModelVersionInfo | undefined;
  snapshot(id: number): string | undefined;
  active(source: string): number | undefined;
  /** The version made just before the active one of `source` (what `rollback --previous` goes back to). */
  previous(source: string): ModelVersionInfo | undefined;
  /** Makes `id` the active version of its source; false when there is no such version. */
  activate(id: number): boolean;
}

/**
 * The reads of the HTTP API and the report, and feedback writes: paged lists (keyset cursors), an
 * anomaly's raw context, series keys and downsampled series, per-source figures, a period's lines.
 */
export interface StoreQueries {
  anomalyPage(q: AnomalyPageQuery): Page<StoredAnomaly>;
  anomaly(id: number): StoredAnomaly | undefined;
  /** Incidents overlapping the range, newest first (keyset cursor). */
  incidentPage(q: IncidentQuery): Page<Incident>;
  incident(id: number): Incident | undefined;
  templatePage(q: TemplatePageQuery): Page<TemplateRow>;
  templateText(id: number): string | undefined;
  /** Up to `n` stored lines of the same file (or stream) before and after an anomaly's line. */
  context(a: StoredAnomaly, n?: number): { before: ContextLine[]; after: ContextLine[] };
  seriesKeys(source?: string): Array<{ source: string; key: string }>;
  seriesSpan(source: string, key: string): { first: number; last: number } | undefined;
  seriesBuckets(source: string, key: string, since: number, until: number, step: number): Array<[number, number]>;
  sourceFigures(recentSince: number): SourceFigures[];
  periodEvents(since: number, until: number): Iterable<PeriodEvent>;
  addFeedback(f: NewFeedback, now?: number): FeedbackRow;
  feedbackPage(limit: number, cursor?: string): Page<FeedbackRow>;
  feedbackFor(anomalyId: number): FeedbackRow[];
  /** Line number and next byte offset after the last stored line of a stream source (no file). */
  streamEnd(source: string): { line: number; offset: number };
}

/** The whole store of a data directory, as the runner, the server, the report and the CLI use it. */
export interface LogStore extends PipelineStore, FileCheckpointStore {
  readonly versions: ModelVersionStore;
  readonly queries: StoreQueries;
  applyRetention(maxAgeMs: number, maxBytes: number, now?: number): number;
  loadFeedback(now?: number): FeedbackRow[];
  modelVersionChange(source: string, running: number | undefined): { id: number; snapshot: string } | undefined;
  /** Every template, or those of one source. */
  loadTemplates(source?: string): TemplateRow[];
  /** Every source that has stored anything, in order of appearance. */
  sourceNames(): string[];
  eventCount(): number;
  loadCounters(): Record<string, unknown>;
  /** Where the store lives, for messages. */
  readonly path: string;
  /** A check of the store's pages at start (SQLite quick_check); `integrity` keeps the last result. */
  checkIntegrity(): { ok: boolean; problems: string[] };
  readonly integrity?: { ok: boolean; problems: string[] };
  /** Stored events in ingestion order. */
  events(q?: EventQuery): Iterable<StoredEvent>;
  /** The stored blocks of one source holding events in [since, until] (event time), oldest first. */
  blocks(source: string, since: number, until: number): Iterable<StoredBlock>;
  anomalies(q?: AnomalyQuery): StoredAnomaly[];
  /** Incidents overlapping [since, until] (event time), oldest first. */
  incidents(q?: { since?: number; until?: number; source?: string; limit?: number }): Incident[];
  openIncidents(): Incident[];
  maxIncidentId(): number;
  series(source: string, key: string, since?: number): SeriesRow[];
  close(): void;
}
