/**
 * The wiring: decode → mine → detect (record and window scope) → one store commit per source batch.
 * The only module that knows every kind of component. Each source has its own miner and detector
 * state; that state is committed with the events it came from, so a restart resumes exactly.
 */
import type { Logger } from 'pino';
import { effectiveMasks, type Config } from '../config/schema.js';
import type { Detector, Finding, RecordContext, Scope, ScopeContext, ScopeInput, WindowContext } from '../detectors/contract.js';
import { allDetectors, createDetectors, createDetectorSet, type DetectorSet } from '../detectors/registry.js';
import { POSTFIX_FIELDS } from '../config/presets.js';
import { SessionTracker, type OpenSession } from '../features/sessions.js';
import { FieldProfiler, newProfilerState, type ProfilerState } from '../features/field-profiler.js';
import { FeedbackRules, learnedScores } from './feedback.js';
import { isLargeOnline, isLearned, isSmall, modelsSnapshot, parseModels, restoreSnapshots, snapshotsOf, type ModelsSnapshot, type Snapshots } from './detector-state.js';
import { anomalySignature, signatureParts } from '../model/signature.js';
import { IncidentGrouper } from '../features/incidents.js';
import { ValueTally } from '../features/value-series.js';
import type { Features } from '../features/vector.js';
import { recordContext } from '../features/record.js';
import { addToWindow, emptyWindow, FieldIndicators, windowFeatures, windowStart, type WindowAggregate } from '../features/window.js';
import type { MetricsRegistry } from '../model/metrics.js';
import type { Anomaly, DetectorGrade, ParsedRecord } from '../model/record.js';
import { Decoder } from '../parsers/decode/decoder.js';
import { UserMasks } from '../parsers/drain/masks.js';
import { tokenize } from '../parsers/drain/masking.js';
import { TemplateMiner, type IdAllocator } from '../parsers/drain/miner.js';
import type { SourceBatch } from '../sources/source.js';
import { distance } from 'fastest-levenshtein';
import type { CommitBatch, EventRow, FeedbackRow, PipelineStore, SeriesRow, StateRow, TemplateRow } from '../model/store.js';

const STATE_VERSION = 3;

export interface PipelineMode {
  /** Models learn from what they see (watch, train); false freezes them (detect). */
  learn: boolean;
  /** Anomalies are stored and reported (watch, detect); false during training. */
  report: boolean;
  /**
   * Model state is committed with every batch (watch: exactly-once with the checkpoint). Batch mode
   * has no checkpoint and saves once at the end (`flushState`), sparing a serialisation per batch.
   */
  stateEveryBatch: boolean;
  /** Learned models' raw scores feed their calibrators (training's second pass; watch does it online). */
  calibrate?: boolean;
  /** Windows known normal (marked false positive): learned even when a detector calls them anomalous (retraining). */
  normalWindow?: (source: string, start: number) => boolean;
}

/** How often a running pipeline checks which model version is active (a rollback from another process). */
const MODEL_VERSION_CHECK = 5_000;

/** A source's saved learned models, with the model version they came from. */
type SavedModels = ModelsSnapshot & { modelVersion?: number };

/** Learned models are large: while watching they are saved this often, not with every batch. */
const MODEL_SAVE_INTERVAL = 60_000;

/** A session or record scored in batch mode, anomalous or not (`detect --all`). */
export interface Scored {
  kind: 'record' | 'session';
  source: string;
  file?: string;
  line: number;
  session?: string;
  grade: number;
  detectors: DetectorGrade[];
}

interface SourceState {
  name: string;
  /** What the source's first record said it is: a Postfix mail log has its own defaults (hourly windows, fields). */
  kind?: SourceKind;
  /** Window length (ms) of this source. */
  interval: number;
  miner: TemplateMiner;
  records: number;
  window?: WindowAggregate;
  /** Closed windows learned as normal (warm-up of the window scope). */
  windows: number;
  /** The monitored fields of this source: configured, or found by its profiler. */
  indicators: FieldIndicators;
  profile?: ProfilerState;
  sessions: SessionTracker;
  /** The source's detectors, one list per scope, each owning its state. */
  detectors: DetectorSet;
  /** Wall time of the last record (windows of quiet sources are closed by `tick`). */
  lastRecordWall: number;
  /** The model version the learned models came from (undefined: learned online, never versioned). */
  modelVersion?: number;
  modelsSavedAt: number;
  normal: NormalExamples;
  /** Running totals behind the `value:` series. */
  values: ValueTally;
}

/** The nearest-normal examples shown beside anomalies: kept per source, small and bounded. */
interface NormalExamples {
  /** templateId → the first line seen with it (a line of that shape that did not alarm). */
  lines: Map<number, { raw: string; line: number; file?: string }>;
  /** The last window that was not anomalous. */
  window?: { start: number; end: number; total: number; unknown: Record<string, number>; sample?: WindowAggregate['sample'] };
  /** The last session graded well below the threshold. */
  session?: { key: string; events: number; lines: OpenSession['lines'] };
}

const MAX_EXEMPLARS = 5000;

type SourceKind = 'postfix' | 'generic';

interface PersistedSourceState {
  kind?: SourceKind;
  records: number;
  window?: WindowAggregate;
  windows: number;
  profile?: ProfilerState;
  openSessions: OpenSession[];
  /** Detectors with small state (the large ones are in the models row). */
  detectors: Snapshots;
}

/**
 * A source's saved state made fit for replaying older records through a separate pipeline (retraining):
 * its counts, monitored fields and baselines, without the open window and sessions of the live stream.
 */
export function replayState(row: StateRow): StateRow {
  const p = JSON.parse(row.value) as PersistedSourceState;
  return { ...row, value: JSON.stringify({ ...p, window: undefined, openSessions: [] }) };
}

interface Output {
  anomalies: Anomaly[];
  series: SeriesRow[];
}

export interface SourceStatus {
  source: string;
  records: number;
  templates: number;
  windowsSeen: number;
  warmupIntervals: number;
  warmingUp: boolean;
}

export type AnomalyListener = (a: Anomaly & { file?: string }) => void;

export class Pipeline {
  private readonly sources = new Map<string, SourceState>();
  private readonly decoder: Decoder;
  private readonly profiler?: FieldProfiler;
  private readonly masks?: UserMasks;
  /** The cross-source detectors (the master): one set for the pipeline, fed every source's anomalies. */
  private readonly crossSource: Array<Detector<'cross-source'>>;
  private readonly ids: IdAllocator;
  private readonly listeners: AnomalyListener[] = [];
  private readonly scoredListeners: Array<(s: Scored) => void> = [];
  private readonly suppressedListeners: AnomalyListener[] = [];
  private readonly seriesListeners: Array<(rows: SeriesRow[]) => void> = [];
  /** False positives and mutes in force: matching anomalies are stored as suppressed. */
  readonly feedback = new FeedbackRules();
  /** Groups reported anomalies into incidents; absent when the store keeps none (batch model directories). */
  private readonly incidents?: IncidentGrouper;
  private scoredRecords = false;
  private lastCounters = 0;
  private lastRetention = Date.now();
  private lastVersionCheck = 0;
  /** The newest feedback id applied; ids applied in this process (the server's route) are not applied twice. */
  private feedbackSeen = 0;
  private readonly feedbackApplied = new Set<number>();

  constructor(
    private readonly config: Config,
    private readonly store: PipelineStore,
    private readonly metrics: MetricsRegistry,
    private readonly log: Logger,
    private readonly mode: PipelineMode = { learn: true, report: true, stateEveryBatch: true },
  ) {
    const d = config.detect;
    this.decoder = new Decoder(config.parse, metrics.get('decode'));
    if (d.fields.length === 0 && d.autoFields.enabled) this.profiler = new FieldProfiler(d.autoFields);
    const maskRules = effectiveMasks(config.parse);
    this.masks = maskRules.length > 0 ? new UserMasks(maskRules) : undefined;
    this.crossSource = createDetectors(config, 'cross-source');
    let next = store.maxTemplateId();
    this.ids = { next: () => ++next };
    const inForce = store.loadFeedback?.() ?? [];
    this.feedback.load(inForce);
    // feedback written from now on by another process is picked up by `tick`: ids after the newest in
    // force (a later confirm or expired mute read again changes nothing)
    for (const f of inForce) {
      this.feedbackApplied.add(f.id);
      this.feedbackSeen = Math.max(this.feedbackSeen, f.id);
    }
    if (store.openIncidents && store.maxIncidentId) {
      const gap = config.detect.incidents.gapIntervals;
      this.incidents = new IncidentGrouper(store.openIncidents(), store.maxIncidentId(), (source) => (this.sources.get(source)?.interval ?? config.detect.interval) * gap);
    }
  }

  onAnomaly(fn: AnomalyListener): void {
    this.listeners.push(fn);
  }

  /** Called, once stored, for anomalies that matched a false positive or mute (stored as suppressed, not reported as new). */
  onSuppressed(fn: AnomalyListener): void {
    this.suppressedListeners.push(fn);
  }

  /** Called with the series rows of closed windows once they are stored. */
  onSeries(fn: (rows: SeriesRow[]) => void): void {
    this.seriesListeners.push(fn);
  }

  /**
   * Feedback given on a stored anomaly: a false positive or mute silences its signature from now on; a
   * false positive also tells the learned detectors that graded it that its score was normal.
   */
  applyFeedback(fb: FeedbackRow, a: Anomaly): void {
    if (this.feedbackApplied.has(fb.id)) return;
    this.feedbackApplied.add(fb.id);
    this.feedback.add(fb);
    if (fb.action !== 'false_positive') return;
    const st = this.sources.get(a.source);
    if (st) for (const { detector, raw } of learnedScores(allDetectors(st.detectors), a)) detector.markNormal?.(raw);
  }

  /** Applies feedback another process wrote (`logradar feedback` while `watch` runs). */
  private pollFeedback(): void {
    for (const { feedback, anomaly } of this.store.feedbackAfter?.(this.feedbackSeen) ?? []) {
      this.feedbackSeen = Math.max(this.feedbackSeen, feedback.id);
      if (anomaly) this.applyFeedback(feedback, anomaly);
      else this.feedback.add(feedback);
    }
    if (this.feedbackApplied.size > 10_000) this.feedbackApplied.clear();
  }

  /** Called for every scored session (and record, with `records: true`), anomalous or not. */
  onScored(fn: (s: Scored) => void, opts: { records: boolean }): void {
    this.scoredListeners.push(fn);
    if (opts.records) this.scoredRecords = true;
  }

  /** Decodes, mines, scores and commits one batch; resolves once it is durable. */
  handle = async (batch: SourceBatch): Promise<void> => {
    this.process(batch);
  };

  /** `now` is the ingestion time: the time of records without their own (a replay passes the original one). */
  process(batch: SourceBatch, now = Date.now()): void {
    const st = this.state(batch.source);
    // Records are stored as they are (no per-line copy): they carry every column but the file id.
    const events: EventRow[] = [];
    const out: Output = { anomalies: [], series: [] };
    const mm = this.metrics.get('detect');
    const sessions = st.sessions.enabled;
    // one line may hold several records (a JSON export's Records array)
    const records: ParsedRecord[] = [];
    for (const line of batch.lines) this.decoder.decodeMany(line, batch.source, now, records);
    for (const rec of records) {
      if (st.kind === undefined) this.recognise(st, rec);
      // parameters are only needed by some detectors and to explain an anomaly: extracted then (ctx.params)
      const mined = st.miner.add(rec.message, rec.ts, false);
      rec.templateId = mined.templateId;
      rec.template = mined.template;
      rec.params = mined.params;
      rec.change = mined.change;
      const before = st.records++;
      mm.received++;

      this.recordScope(st, rec, recordContext(st.miner, rec, st.records, before, st.indicators), batch.file, out);
      if (st.normal.lines.size < MAX_EXEMPLARS && !st.normal.lines.has(rec.templateId)) st.normal.lines.set(rec.templateId, { raw: rec.raw, line: rec.line, file: batch.file });

      // window scope
      const ws = windowStart(rec.ts, st.interval);
      if (!st.window) st.window = emptyWindow(ws, st.interval);
      else if (ws >= st.window.end) {
        this.closeWindow(st, out);
        st.window = emptyWindow(ws, st.interval);
      }
      if (st.profile && !st.profile.final) {
        const chosen = this.profiler!.add(rec, st.profile);
        if (chosen) this.useFields(st, chosen);
      }
      addToWindow(st.window, rec, st.indicators, batch.file);

      if (sessions) for (const s of st.sessions.add(rec, batch.file)) this.endSession(st, s, out);

      events.push(rec);
    }
    if (records.length > 0) st.lastRecordWall = now;
    mm.emitted += out.anomalies.length;
    this.commit(st, { events, fileId: batch.fileId, ...out, checkpoint: batch.checkpoint }, now);
  }

  /**
   * Decides what the source is from its first record. A Postfix log (syslog program postfix/*) gets
   * hourly windows (`detect.postfix.interval`: a minute of mail is too few messages) and, unless fields
   * are configured, the Postfix line kinds as its monitored field instead of profiling.
   */
  private recognise(st: SourceState, rec: ParsedRecord): void {
    const program = rec.fields.program;
    const pf = this.config.detect.postfix;
    st.kind = pf.enabled && typeof program === 'string' && program.startsWith('postfix/') ? 'postfix' : 'generic';
    if (st.kind === 'postfix') this.applyKind(st);
  }

  private applyKind(st: SourceState): void {
    if (st.kind !== 'postfix') return;
    const pf = this.config.detect.postfix;
    st.interval = pf.interval;
    if (this.config.detect.fields.length === 0 && st.profile) {
      st.profile = undefined;
      this.useFields(st, POSTFIX_FIELDS);
    }
  }

  private useFields(st: SourceState, fields: Config['detect']['fields']): void {
    const names = (fs: readonly { field: string }[]) => fs.map((f) => f.field).join('\n');
    const sameFields = st.indicators !== undefined && names(st.indicators.fields) === names(fields);
    st.indicators = new FieldIndicators(fields);
    // a refined known set keeps every model; only other fields change the models' dimensions
    if (sameFields) return;
    for (const d of allDetectors(st.detectors)) d.fieldsChanged?.();
    if (fields.length) this.log.info({ source: st.name, fields: fields.map((f) => `${f.field} (known: ${f.known.join(', ')})`) }, 'monitoring categorical fields found in the source');
  }

  /** End of input (batch mode): every open session is scored and the current window closed. */
  finish(): void {
    for (const st of this.sources.values()) {
      const out: Output = { anomalies: [], series: [] };
      for (const s of st.sessions.drain()) this.endSession(st, s, out);
      if (st.window) {
        this.closeWindow(st, out);
        st.window = undefined;
      }
      this.commit(st, { events: [], ...out }, Date.now());
    }
  }

  private get observing(): boolean {
    return this.mode.calibrate === true || (this.mode.learn && this.mode.report);
  }

  /**
   * One scope's pass over a source's detectors: scored (when asked), observed for calibration (when
   * observing), learned (when learning, unless `learn` says the input must not be learned; streaming
   * detectors learn in every mode). Returns the findings in registry order.
   */
  private runScope<S extends Scope>(detectors: Array<Detector<S>>, x: ScopeInput[S], ctx: ScopeContext[S], score: boolean, learn: boolean): Finding[] {
    const findings: Finding[] = [];
    for (const d of detectors) {
      if (score) for (const f of d.score(x, ctx)) findings.push(f);
      if (this.observing) d.observe?.(x, ctx);
      if (learn && (this.mode.learn || d.streaming)) d.learn(x, ctx);
    }
    return findings;
  }

  private recordScope(st: SourceState, rec: ParsedRecord, ctx: RecordContext, file: string | undefined, out: Output): void {
    const findings = this.runScope(st.detectors.record, rec, ctx, this.mode.report, true);
    if (!this.mode.report) return;
    const grade = maxGrade(findings);
    if (this.scoredRecords) {
      const detectors = findings.map((f) => ({ detector: f.detector, grade: f.grade }));
      for (const fn of this.scoredListeners) fn({ kind: 'record', source: st.name, file, line: rec.line, grade, detectors });
    }
    if (grade < this.config.detect.threshold) return;
    ctx.params();
    out.anomalies.push(this.recordAnomaly(rec, findings, file, this.nearestNormalRecord(st, rec)));
  }

  private endSession(st: SourceState, s: OpenSession, out: Output): void {
    const ctx = { describe: (id: number) => st.miner.get(id)?.tokens.join(' ') ?? `#${id}` };
    const findings = this.runScope(st.detectors.session, s, ctx, this.mode.report, true);
    if (!this.mode.report) return;
    findings.sort((a, b) => b.grade - a.grade);
    const grade = findings[0]?.grade ?? 0;
    const first = s.lines[0];
    if (grade < this.config.detect.threshold / 2) st.normal.session = { key: s.key, events: s.total, lines: s.lines.slice(0, 8) };
    const detectors = findings.map((f) => ({ detector: f.detector, grade: f.grade }));
    for (const fn of this.scoredListeners) fn({ kind: 'session', source: st.name, file: first?.file, line: first?.line ?? 0, session: s.key, grade, detectors });
    if (grade < this.config.detect.threshold) return;
    const f = foldFindings(findings, []);
    out.anomalies.push({
      kind: 'session',
      source: st.name,
      ts: s.last,
      ...f.head,
      reason: `session ${s.key}: ${f.head.reason}`,
      line: first?.line,
      offset: first?.offset,
      raw: first?.raw,
      session: s.key,
      explain: {
        file: first?.file,
        session: { key: s.key, start: s.first, end: s.last, events: s.total },
        lines: s.lines,
        contributions: f.contributions,
        nearestNormal: st.normal.session,
        findings: f.findings,
      },
    });
  }

  /**
   * Closes windows of sources that went quiet, and runs retention. Call about once a second; with
   * `inputEnded` (every source read to its end, `watch --once`) a window whose time has passed closes
   * without waiting for quiet: the last minutes of a log read in one go are judged too.
   */
  tick(now = Date.now(), inputEnded = false): void {
    for (const st of this.sources.values()) {
      const lateness = Math.max(1000, Math.min(st.interval, 30_000));
      if (!st.window || now < st.window.end + lateness || (!inputEnded && now - st.lastRecordWall < lateness)) continue;
      const out: Output = { anomalies: [], series: [] };
      this.closeWindow(st, out);
      st.window = undefined;
      this.commit(st, { events: [], ...out }, now);
    }
    if (now - this.lastVersionCheck >= MODEL_VERSION_CHECK) {
      this.lastVersionCheck = now;
      this.pollFeedback();
      this.syncModelVersions();
    }
    const r = this.config.store.retention;
    if (this.store.applyRetention && now - this.lastRetention >= r.checkEvery) {
      this.lastRetention = now;
      const n = this.store.applyRetention(r.maxAge, r.maxBytes, now);
      if (n > 0) {
        this.metrics.get('store').drop('retention', n);
        this.log.info({ deleted: n }, 'retention deleted old events');
      }
    }
  }

  status(): SourceStatus[] {
    return [...this.sources.values()].map((s) => ({
      source: s.name,
      records: s.records,
      templates: s.miner.size,
      windowsSeen: s.windows,
      warmupIntervals: this.config.detect.warmupIntervals,
      warmingUp: s.indicators.fields.length > 0 && s.windows < this.config.detect.warmupIntervals,
    }));
  }

  /**
   * A normal line like this record: the first line of its template when that template is common,
   * else the first line of the most similar common template (edit distance on the template text).
   */
  private nearestNormalRecord(st: SourceState, rec: ParsedRecord): Record<string, unknown> | undefined {
    const total = Math.max(1, st.records);
    const common = (id: number) => (st.miner.get(id)?.count ?? 0) / total >= this.config.detect.rareTemplate.maxShare * 10;
    const own = st.normal.lines.get(rec.templateId);
    if (own && common(rec.templateId) && own.line !== rec.line) return { templateId: rec.templateId, template: rec.template, ...own };
    // the 200 most frequent templates bound the cost: anomalies are rare, this runs only for them
    const candidates = st.miner
      .templates()
      .filter((t) => t.id !== rec.templateId && common(t.id))
      .sort((a, b) => b.count - a.count)
      .slice(0, 200);
    let best: { id: number; text: string; d: number } | undefined;
    for (const t of candidates) {
      const text = t.tokens.join(' ');
      const d = distance(text, rec.template);
      if (!best || d < best.d) best = { id: t.id, text, d };
    }
    if (!best) return undefined;
    const ex = st.normal.lines.get(best.id);
    return { templateId: best.id, template: best.text, editDistance: best.d, ...(ex ?? {}) };
  }

  private recordAnomaly(rec: ParsedRecord, findings: Finding[], file: string | undefined, nearestNormal?: Record<string, unknown>): Anomaly {
    const f = foldFindings(findings, [{ feature: `template#${rec.templateId}`, value: rec.template }]);
    return {
      kind: 'record',
      source: rec.source,
      ts: rec.ts,
      ...f.head,
      line: rec.line,
      offset: rec.offset,
      raw: rec.raw,
      templateId: rec.templateId,
      explain: { file, template: rec.template, params: rec.params, contributions: f.contributions, nearestNormal, findings: f.findings },
    };
  }

  private closeWindow(st: SourceState, out: Output): void {
    const w = st.window!;
    const { series, anomalies } = out;
    series.push({ source: st.name, key: 'records', start: w.start, value: w.total });
    for (const [field, fc] of Object.entries(w.fields)) series.push({ source: st.name, key: `unknown:${field}`, start: w.start, value: fc.unknown });
    for (const [tid, c] of Object.entries(w.templates)) series.push({ source: st.name, key: `template:${tid}`, start: w.start, value: c });
    for (const r of st.values.rows(st.name, w)) series.push(r);
    let x: Features | undefined;
    const ctx: WindowContext = { fields: st.indicators, features: () => (x ??= windowFeatures(w, st.indicators)) };
    // every window is scored, in every mode: whether it is learned depends on it
    // multi-scale detectors keep the recent windows, anomalous or not, in every mode
    for (const d of st.detectors.window) d.track?.(w, ctx);
    const findings = this.runScope(st.detectors.window, w, ctx, true, false);
    const anomalous = maxGrade(findings) >= this.config.detect.threshold;
    if (anomalous && this.mode.report) {
      // every detector's finding about this window, folded into one anomaly (issue 12)
      const f = foldFindings(findings, []);
      const top = findings[0].explain;
      // a finding about the whole window shows the window's first record
      const sample = ('sample' in top ? top.sample : w.sample) as { raw: string; line: number; offset: number; file?: string } | undefined;
      anomalies.push({
        kind: 'window',
        source: st.name,
        ts: w.end,
        ...f.head,
        // a finding at a larger scale covers its own window (several of the source's)
        window: (top.window as { start: number; end: number } | undefined) ?? { start: w.start, end: w.end },
        line: sample?.line,
        offset: sample?.offset,
        raw: sample?.raw,
        // the strongest finding's own keys stay at the top, where readers of one-finding window anomalies look
        explain: { file: sample?.file, ...top, sample, contributions: f.contributions, nearestNormal: st.normal.window, findings: f.findings },
      });
    }
    if (!anomalous) {
      const unknown: Record<string, number> = {};
      for (const [field, fc] of Object.entries(w.fields)) unknown[field] = fc.unknown;
      st.normal.window = { start: w.start, end: w.end, total: w.total, unknown, sample: w.sample };
    }
    // the source's time reached this window's start: its incident closes once the gap is behind (by the
    // start, not the end: an anomaly of this very window may still join it)
    if (this.mode.report) this.incidents?.advance(st.name, w.start);
    // streaming detectors learn every window; the others not anomalous ones: a long incident must not become the new normal
    const normal = !anomalous || this.mode.normalWindow?.(st.name, w.start) === true;
    for (const d of st.detectors.window) if (d.streaming || (normal && this.mode.learn)) d.learn(w, ctx);
    if (normal && this.mode.learn) st.windows++;
  }

  private commit(st: SourceState, part: CommitBatch & { anomalies: Anomaly[] }, now: number): void {
    const { changed, evicted } = st.miner.takeChanges();
    const templates: TemplateRow[] = changed.map((t) => ({ id: t.id, source: st.name, template: t.tokens.join(' '), count: t.count, firstSeen: t.firstSeen, lastSeen: t.lastSeen }));
    for (const id of evicted) templates.push({ id, source: st.name, template: '', count: 0, firstSeen: 0, lastSeen: 0, evicted: true });
    if (evicted.length) this.metrics.get('mine').drop('evicted', evicted.length);
    for (const a of part.anomalies) this.judge(a, now);
    for (const a of [...part.anomalies]) {
      if (a.status === 'suppressed') continue;
      for (const f of this.runScope(this.crossSource, a, {}, true, true)) part.anomalies.push(this.judge(crossSourceAnomaly(f), now));
    }
    if (this.incidents) {
      // suppressed anomalies (feedback) neither open nor extend incidents; the incidents go in this batch's transaction
      for (const a of part.anomalies) if (a.status !== 'suppressed') this.incidents.add(a);
      const { incidents, merged } = this.incidents.take();
      if (incidents.length) part.incidents = incidents;
      if (merged.length) part.mergedIncidents = merged;
    }
    const state = this.mode.stateEveryBatch ? [this.stateRow(st)] : [];
    if (this.mode.stateEveryBatch && now - st.modelsSavedAt >= MODEL_SAVE_INTERVAL) {
      state.push(this.modelsRow(st));
      st.modelsSavedAt = now;
    }
    let counters: Record<string, unknown> | undefined;
    if (now - this.lastCounters >= 1000) {
      this.lastCounters = now;
      counters = this.metrics.snapshot();
    }
    this.store.commit({ ...part, templates, state, counters }, now);
    const ms = this.metrics.get('store');
    ms.received += part.events?.length ?? 0;
    ms.emitted += part.events?.length ?? 0;
    for (const a of part.anomalies) for (const fn of a.status === 'suppressed' ? this.suppressedListeners : this.listeners) fn(a);
    if (part.series?.length) for (const fn of this.seriesListeners) fn(part.series);
  }

  /** Signs an anomaly and marks it suppressed when feedback silenced its signature. */
  private judge(a: Anomaly, now: number): Anomaly {
    const parts = signatureParts(a);
    a.signature = anomalySignature(a, parts);
    a.status = this.feedback.suppresses(a.signature, now, parts[0]) ? 'suppressed' : 'new';
    return a;
  }

  private stateRow(st: SourceState): StateRow {
    const persisted: PersistedSourceState = {
      kind: st.kind,
      records: st.records,
      window: st.window,
      windows: st.windows,
      profile: st.profile,
      openSessions: st.sessions.snapshot(),
      detectors: snapshotsOf(allDetectors(st.detectors), isSmall),
    };
    return { key: `source:${st.name}`, version: STATE_VERSION, value: JSON.stringify(persisted) };
  }

  private modelsRow(st: SourceState): StateRow {
    const saved: SavedModels = { ...modelsSnapshot(allDetectors(st.detectors)), modelVersion: st.modelVersion };
    return { key: `models:${st.name}`, version: STATE_VERSION, value: JSON.stringify(saved) };
  }

  /** A loaded source's detectors as they are now, with the model version its learned ones came from (undefined: the source was not seen since start). */
  sourceModels(source: string): { detectors: DetectorSet; snapshot(): ModelsSnapshot; version?: number } | undefined {
    const st = this.sources.get(source);
    return st && { detectors: st.detectors, snapshot: () => modelsSnapshot(allDetectors(st.detectors)), version: st.modelVersion };
  }

  /** Makes loaded sources use their active model version (after a refit or a rollback); now rather than at the next tick. */
  syncModelVersions(): void {
    for (const st of this.sources.values()) this.syncModels(st);
  }

  private syncModels(st: SourceState): void {
    const change = this.store.modelVersionChange?.(st.name, st.modelVersion);
    if (!change) return;
    try {
      // a version brings the batch-fitted models; the online detectors keep their state
      const learned = createDetectorSet(this.config);
      const fresh = allDetectors(learned).filter(isLearned);
      restoreSnapshots(fresh, parseModels(change.snapshot).detectors);
      st.detectors = replaceDetectors(st.detectors, fresh, isLearned);
      this.log.info({ source: st.name, version: change.id }, 'using model version');
    } catch (e) {
      this.metrics.get('detect').error('state');
      this.log.warn({ source: st.name, version: change.id, err: (e as Error).message }, 'model version unreadable; keeping the current models');
    }
    // an unreadable version is not retried on every check: it stays the one asked for
    st.modelVersion = change.id;
    st.modelsSavedAt = Date.now();
    this.store.commit({ state: [this.modelsRow(st)] });
  }

  /** Commits every source's model state now (batch mode at the end, watch at shutdown). */
  flushState(): void {
    for (const st of this.sources.values()) this.store.commit({ state: [this.stateRow(st), this.modelsRow(st)] });
  }

  /** Fits every source's batch models now (end of a training pass). */
  fitModels(): void {
    for (const st of this.sources.values()) for (const d of allDetectors(st.detectors)) d.fit?.();
  }

  /** Saves the metrics now (e.g. at shutdown). */
  saveCounters(): void {
    this.store.commit({ counters: this.metrics.snapshot() });
  }

  private state(source: string): SourceState {
    let st = this.sources.get(source);
    if (st) return st;
    const m = this.config.parse.miner;
    const miner = new TemplateMiner({ similarity: m.similarity, depth: m.depth, maxTemplates: m.maxTemplatesPerSource, masks: this.masks }, this.ids);
    miner.restore(
      this.store
        .loadTemplates(source)
        .filter((t) => !t.evicted)
        .map((t) => ({ id: t.id, tokens: tokenize(t.template), count: t.count, firstSeen: t.firstSeen, lastSeen: t.lastSeen })),
    );
    const d = this.config.detect;
    st = {
      name: source,
      interval: d.interval,
      miner,
      records: 0,
      windows: 0,
      indicators: new FieldIndicators(d.fields),
      profile: this.profiler ? newProfilerState() : undefined,
      sessions: new SessionTracker(this.config.session),
      detectors: createDetectorSet(this.config),
      lastRecordWall: Date.now(),
      modelsSavedAt: Date.now(),
      normal: { lines: new Map() },
      values: new ValueTally(),
    };
    const saved = this.store.loadState(`source:${source}`);
    if (saved) {
      try {
        if (saved.version !== STATE_VERSION) throw new Error(`version ${saved.version}`);
        const p = JSON.parse(saved.value) as PersistedSourceState;
        st.records = p.records;
        st.window = p.window;
        st.windows = p.windows ?? 0;
        st.sessions.restore(p.openSessions ?? []);
        if (this.profiler && p.profile) {
          st.profile = p.profile;
          if (p.profile.chosen) this.useFields(st, p.profile.chosen);
        }
        st.kind = p.kind;
        this.applyKind(st);
        restoreSnapshots(allDetectors(st.detectors).filter(isSmall), p.detectors);
      } catch (e) {
        st.detectors = createDetectorSet(this.config);
        this.metrics.get('detect').error('state');
        this.log.warn({ source, err: (e as Error).message }, 'model state unreadable; starting this source fresh');
      }
    }
    const models = this.store.loadState(`models:${source}`);
    if (models) {
      const large = () => allDetectors(st.detectors).filter((x) => x.state === 'large');
      try {
        const saved = parseModels(models.value) as SavedModels;
        restoreSnapshots(large().filter(isLearned), saved.detectors);
        restoreSnapshots(large().filter(isLargeOnline), saved.online);
        st.modelVersion = saved.modelVersion;
      } catch (e) {
        // start the large detectors again (the small ones keep what the state row gave them)
        st.detectors = replaceDetectors(st.detectors, allDetectors(createDetectorSet(this.config)), (x) => x.state === 'large');
        this.metrics.get('detect').error('state');
        this.log.warn({ source, err: (e as Error).message }, 'learned models unreadable; this source relearns them');
      }
    }
    this.sources.set(source, st);
    this.syncModels(st);
    return st;
  }
}

/** The features behind an anomaly, strongest detector first: what each finding named, else the given default. */
function contributionsOf(findings: Finding[], fallback: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const f of findings) {
    const c = f.explain.contributions as Array<Record<string, unknown>> | undefined;
    if (c) for (const x of c) out.push({ detector: f.detector, ...x });
  }
  return out.length ? out.slice(0, 10) : fallback;
}

/**
 * The one fold of a scope's findings about one record, window or session into one anomaly: the grade is
 * the highest, `detector` and `reason` the strongest finding's, `detectors` every finding with its grade,
 * `findings` each finding's explanation. Sorts `findings` strongest first.
 */
export function foldFindings(
  findings: Finding[],
  fallback: Array<Record<string, unknown>>,
): { head: Pick<Anomaly, 'grade' | 'detector' | 'detectors' | 'reason'>; contributions: Array<Record<string, unknown>>; findings: Array<Record<string, unknown>> } {
  findings.sort((a, b) => b.grade - a.grade);
  const top = findings[0];
  return {
    head: { grade: top.grade, detector: top.detector, detectors: findings.map((f) => ({ detector: f.detector, grade: f.grade })), reason: top.reason },
    contributions: contributionsOf(findings, fallback),
    findings: findings.map((f) => ({ detector: f.detector, grade: f.grade, reason: f.reason, ...f.explain })),
  };
}

function maxGrade(findings: Finding[]): number {
  let g = 0;
  for (const f of findings) if (f.grade > g) g = f.grade;
  return g;
}

/** A cross-source finding (the master's) as an anomaly: a window of every source, source `*`. */
function crossSourceAnomaly(f: Finding): Anomaly {
  const { window, detectors, ...explain } = f.explain as { window: { start: number; end: number }; detectors: DetectorGrade[] };
  return { kind: 'window', source: '*', ts: window.end, grade: f.grade, detector: f.detector, detectors, reason: f.reason, window, explain };
}

/** The set with each detector that `which` picks replaced by the one of the same name in `by` (kept when there is none). */
function replaceDetectors(set: DetectorSet, by: Detector[], which: (d: Detector) => boolean): DetectorSet {
  const byName = new Map(by.map((d) => [d.name, d]));
  const swap = <S extends Scope>(list: Array<Detector<S>>) => list.map((d) => (which(d) ? ((byName.get(d.name) as Detector<S> | undefined) ?? d) : d));
  return { record: swap(set.record), window: swap(set.window), session: swap(set.session) };
}
