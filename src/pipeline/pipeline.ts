/**
 * The wiring: decode → mine → detect (record and window scope) → one store commit per source batch.
 * The only module that knows every kind of component. Each source has its own miner and detector
 * state; that state is committed with the events it came from, so a restart resumes exactly.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { FieldRateDetector, newFieldRateState, type FieldRateState } from '../detectors/field-rate.js';
import type { Finding } from '../detectors/detector.js';
import { NewTemplateDetector } from '../detectors/new-template.js';
import { RareTemplateDetector } from '../detectors/rare-template.js';
import { addToWindow, emptyWindow, FieldIndicators, windowStart, type WindowAggregate } from '../features/window.js';
import type { MetricsRegistry } from '../model/metrics.js';
import type { Anomaly, ParsedRecord } from '../model/record.js';
import { Decoder } from '../parsers/decode/decoder.js';
import { UserMasks } from '../parsers/drain/masks.js';
import { TemplateMiner, tokenize, type IdAllocator } from '../parsers/drain/miner.js';
import type { SourceBatch } from '../sources/source.js';
import type { EventRow, SeriesRow, SqliteStore, StateRow, TemplateRow } from '../store/sqlite/store.js';

const STATE_VERSION = 1;

interface SourceState {
  name: string;
  miner: TemplateMiner;
  records: number;
  window?: WindowAggregate;
  fieldRate: FieldRateState;
  /** Wall time of the last record (windows of quiet sources are closed by `tick`). */
  lastRecordWall: number;
}

interface PersistedSourceState {
  records: number;
  window?: WindowAggregate;
  fieldRate: FieldRateState;
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
  private readonly masks?: UserMasks;
  private readonly indicators: FieldIndicators;
  private readonly newTemplate: NewTemplateDetector;
  private readonly rareTemplate: RareTemplateDetector;
  private readonly fieldRate: FieldRateDetector;
  private readonly ids: IdAllocator;
  private readonly listeners: AnomalyListener[] = [];
  private lastCounters = 0;
  private lastRetention = Date.now();

  constructor(
    private readonly config: Config,
    private readonly store: SqliteStore,
    private readonly metrics: MetricsRegistry,
    private readonly log: Logger,
  ) {
    const d = config.detect;
    this.decoder = new Decoder(config.parse, metrics.get('decode'));
    this.masks = config.parse.masks.length > 0 ? new UserMasks(config.parse.masks) : undefined;
    this.indicators = new FieldIndicators(d.fields);
    this.newTemplate = new NewTemplateDetector({ ...d.newTemplate, warmupRecords: d.warmupRecords });
    this.rareTemplate = new RareTemplateDetector({ ...d.rareTemplate, warmupRecords: d.warmupRecords });
    this.fieldRate = new FieldRateDetector(d.fields, { ...d.fieldRate, warmupIntervals: d.warmupIntervals });
    let next = store.maxTemplateId();
    this.ids = { next: () => ++next };
  }

  onAnomaly(fn: AnomalyListener): void {
    this.listeners.push(fn);
  }

  /** Decodes, mines, scores and commits one batch; resolves once it is durable. */
  handle = async (batch: SourceBatch): Promise<void> => {
    this.process(batch);
  };

  process(batch: SourceBatch): void {
    const now = Date.now();
    const st = this.state(batch.source);
    const threshold = this.config.detect.threshold;
    const interval = this.config.detect.interval;
    // Records are stored as they are (no per-line copy): they carry every column but the file id.
    const events: EventRow[] = [];
    const anomalies: Anomaly[] = [];
    const series: SeriesRow[] = [];
    const mm = this.metrics.get('detect');
    const records: ParsedRecord[] = [];
    for (const line of batch.lines) this.decoder.decodeMany(line, batch.source, now, records);
    for (const rec of records) {
      // parameters are only needed to explain an anomaly: computed then (paramsOf), not for every line
      const mined = st.miner.add(rec.message, rec.ts, false);
      rec.templateId = mined.templateId;
      rec.template = mined.template;
      rec.params = mined.params;
      rec.change = mined.change;
      const before = st.records++;
      mm.received++;

      // record scope
      const f1 = this.newTemplate.score(rec, before);
      const f2 = this.rareTemplate.score(rec, st.miner.get(rec.templateId)?.count ?? 1, st.records);
      if (f1 || f2) {
        const findings = [f1, f2].filter((f): f is Finding => f !== undefined);
        rec.params = st.miner.paramsOf(rec.templateId, rec.message);
        const a = this.recordAnomaly(rec, findings, batch.file);
        if (a.grade >= threshold) anomalies.push(a);
      }

      // window scope
      const ws = windowStart(rec.ts, interval);
      if (!st.window) st.window = emptyWindow(ws, interval);
      else if (ws >= st.window.end) {
        this.closeWindow(st, series, anomalies);
        st.window = emptyWindow(ws, interval);
      }
      addToWindow(st.window, rec, this.indicators, batch.file);

      events.push(rec);
    }
    if (records.length > 0) st.lastRecordWall = now;
    mm.emitted += anomalies.length;
    this.commit(st, { events, fileId: batch.fileId, anomalies, series, checkpoint: batch.checkpoint }, now);
  }

  /** Closes windows of sources that went quiet, and runs retention. Call about once a second. */
  tick(now = Date.now()): void {
    const interval = this.config.detect.interval;
    const lateness = Math.max(1000, Math.min(interval, 30_000));
    for (const st of this.sources.values()) {
      if (!st.window || now < st.window.end + lateness || now - st.lastRecordWall < lateness) continue;
      const anomalies: Anomaly[] = [];
      const series: SeriesRow[] = [];
      this.closeWindow(st, series, anomalies);
      st.window = undefined;
      this.commit(st, { events: [], anomalies, series }, now);
    }
    const r = this.config.store.retention;
    if (now - this.lastRetention >= r.checkEvery) {
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
      windowsSeen: s.fieldRate.windows,
      warmupIntervals: this.config.detect.warmupIntervals,
      warmingUp: this.config.detect.fields.length > 0 && s.fieldRate.windows < this.config.detect.warmupIntervals,
    }));
  }

  private recordAnomaly(rec: ParsedRecord, findings: Finding[], file: string | undefined): Anomaly {
    findings.sort((a, b) => b.grade - a.grade);
    const top = findings[0];
    return {
      kind: 'record',
      source: rec.source,
      ts: rec.ts,
      grade: top.grade,
      detector: top.detector,
      detectors: findings.map((f) => ({ detector: f.detector, grade: f.grade })),
      reason: top.reason,
      line: rec.line,
      offset: rec.offset,
      raw: rec.raw,
      templateId: rec.templateId,
      explain: { file, template: rec.template, params: rec.params, findings: findings.map((f) => ({ detector: f.detector, ...f.explain })) },
    };
  }

  private closeWindow(st: SourceState, series: SeriesRow[], anomalies: Anomaly[]): void {
    const w = st.window!;
    series.push({ source: st.name, key: 'records', start: w.start, value: w.total });
    for (const [field, fc] of Object.entries(w.fields)) series.push({ source: st.name, key: `unknown:${field}`, start: w.start, value: fc.unknown });
    for (const [tid, c] of Object.entries(w.templates)) series.push({ source: st.name, key: `template:${tid}`, start: w.start, value: c });
    const findings = this.fieldRate.score(w, st.fieldRate);
    let anomalous = false;
    for (const f of findings) {
      if (f.grade < this.config.detect.threshold) continue;
      anomalous = true;
      const sample = f.explain.sample as { raw: string; line: number; offset: number; file?: string } | undefined;
      anomalies.push({
        kind: 'window',
        source: st.name,
        ts: w.end,
        grade: f.grade,
        detector: f.detector,
        detectors: [{ detector: f.detector, grade: f.grade }],
        reason: f.reason,
        window: { start: w.start, end: w.end },
        line: sample?.line,
        offset: sample?.offset,
        raw: sample?.raw,
        explain: { file: sample?.file, ...f.explain },
      });
    }
    // Anomalous windows are not learned: a long incident must not become the new normal.
    if (!anomalous) this.fieldRate.learn(w, st.fieldRate);
  }

  private commit(st: SourceState, part: { events: EventRow[]; fileId?: number | null; anomalies: Anomaly[]; series: SeriesRow[]; checkpoint?: SourceBatch['checkpoint'] }, now: number): void {
    const { changed, evicted } = st.miner.takeChanges();
    const templates: TemplateRow[] = changed.map((t) => ({ id: t.id, source: st.name, template: t.tokens.join(' '), count: t.count, firstSeen: t.firstSeen, lastSeen: t.lastSeen }));
    for (const id of evicted) templates.push({ id, source: st.name, template: '', count: 0, firstSeen: 0, lastSeen: 0, evicted: true });
    if (evicted.length) this.metrics.get('mine').drop('evicted', evicted.length);
    const persisted: PersistedSourceState = { records: st.records, window: st.window, fieldRate: st.fieldRate };
    const state: StateRow[] = [{ key: `source:${st.name}`, version: STATE_VERSION, value: JSON.stringify(persisted) }];
    let counters: Record<string, unknown> | undefined;
    if (now - this.lastCounters >= 1000) {
      this.lastCounters = now;
      counters = this.metrics.snapshot();
    }
    this.store.commit({ ...part, templates, state, counters }, now);
    const ms = this.metrics.get('store');
    ms.received += part.events.length;
    ms.emitted += part.events.length;
    for (const a of part.anomalies) for (const fn of this.listeners) fn(a);
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
    st = { name: source, miner, records: 0, fieldRate: newFieldRateState(), lastRecordWall: Date.now() };
    const saved = this.store.loadState(`source:${source}`);
    if (saved) {
      try {
        if (saved.version !== STATE_VERSION) throw new Error(`version ${saved.version}`);
        const p = JSON.parse(saved.value) as PersistedSourceState;
        st.records = p.records;
        st.window = p.window;
        st.fieldRate = p.fieldRate ?? newFieldRateState();
      } catch (e) {
        this.metrics.get('detect').error('state');
        this.log.warn({ source, err: (e as Error).message }, 'model state unreadable; starting this source fresh');
      }
    }
    this.sources.set(source, st);
    return st;
  }
}
