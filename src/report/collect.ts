/**
 * The figures of a report period, read from the store without writing to it: one pass over the stored
 * lines of the period, each re-decoded with the configured decoder (levels, Postfix fields and parse
 * errors are not stored, only raw lines and template ids), plus the period's templates and anomalies.
 */
import type { Config } from '../config/schema.js';
import { ERROR_LEVELS, FATAL_LEVELS } from '../detectors/severity.js';
import { ComponentMetrics } from '../model/metrics.js';
import type { LogStore } from '../model/store.js';
import { Decoder } from '../parsers/decode/decoder.js';
import { reportIncidents, type ReportIncident } from './incidents.js';
import { PostfixTotalsCounter, type PostfixTotals } from './postfix-totals.js';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Periods longer than this are tabled per day instead of per hour. */
const MAX_HOURLY_PERIOD = 8 * DAY;

export interface ReportOptions {
  since: number;
  until: number;
  /** Rows of each top list. */
  top: number;
  /** Base of the dashboard links (`<base>/#/anomaly/<id>`). */
  dashboardUrl: string;
  /** When the report is made (default now). */
  now?: number;
}

export interface SourceVolume {
  name: string;
  lines: number;
  first: number;
  last: number;
  /** Distinct templates among the period's lines. */
  templates: number;
  errorLines: number;
  incidents: number;
  anomalies: number;
}

export interface VolumeBucket {
  start: number;
  total: number;
  bySource: Record<string, number>;
}

export interface TemplateFigure {
  id: number;
  source: string;
  template: string;
  /** Lines of the period with this template. */
  count: number;
  firstSeen: number;
}

export interface ErrorFigure {
  source: string;
  /** The most severe level seen (FATAL-like before ERROR-like). */
  level: string;
  templateId: number | null;
  template: string;
  count: number;
  last: number;
  /** The last such line, as logged (untrusted text). */
  sample: string;
}

export interface PostfixSection {
  source: string;
  totals: PostfixTotals;
}

export interface ReportData {
  generated: number;
  since: number;
  until: number;
  /** Width of the volume buckets: an hour, or a day for periods over 8 days. */
  bucketMs: number;
  dashboardUrl: string;
  lines: number;
  sources: SourceVolume[];
  volume: VolumeBucket[];
  topTemplates: TemplateFigure[];
  /** Templates first seen in the period (at most `top`, oldest first) and how many there are in all. */
  newTemplates: TemplateFigure[];
  newTemplateCount: number;
  /** Lines per ERROR/FATAL-like level. */
  errorLevels: Record<string, number>;
  errors: ErrorFigure[];
  /** Lines of the period the decoder could not read as their format (kept as text): per stage. */
  parseErrors: Record<string, number>;
  /** Errors and drops of the last `watch`/`serve` run as saved with its counters: `component.stage` → n. */
  runErrors: Record<string, number>;
  anomalies: number;
  /** Anomalies left out: suppressed by feedback, marked false positive or muted. */
  dismissed: number;
  incidents: ReportIncident[];
  postfix: PostfixSection[];
}

export function anomalyLink(base: string, id: number): string {
  return `${base}/#/anomaly/${id}`;
}

const DISMISSED = new Set(['suppressed', 'false_positive', 'muted']);

function levelRank(level: string): number {
  return FATAL_LEVELS.has(level) ? 2 : ERROR_LEVELS.has(level) ? 1 : 0;
}

export function collectReport(store: LogStore, parse: Config['parse'], opts: ReportOptions): ReportData {
  const { since, until, top } = opts;
  const bucketMs = until - since > MAX_HOURLY_PERIOD ? DAY : HOUR;
  const templates = new Map(store.loadTemplates().map((t) => [t.id, t]));
  const decodeMetrics = new ComponentMetrics('decode');
  const decoder = new Decoder(parse, decodeMetrics);

  const sources = new Map<string, SourceVolume & { templateIds: Set<number> }>();
  const buckets = new Map<number, VolumeBucket>();
  const perTemplate = new Map<number, number>();
  const errorLevels: Record<string, number> = {};
  const errors = new Map<string, ErrorFigure>();
  const postfix = new Map<string, PostfixTotalsCounter>();
  let lines = 0;

  for (const e of store.queries.periodEvents(since, until)) {
    lines++;
    let src = sources.get(e.source);
    if (!src) sources.set(e.source, (src = { name: e.source, lines: 0, first: e.ts, last: e.ts, templates: 0, errorLines: 0, incidents: 0, anomalies: 0, templateIds: new Set() }));
    src.lines++;
    if (e.ts < src.first) src.first = e.ts;
    if (e.ts > src.last) src.last = e.ts;
    const b0 = Math.floor(e.ts / bucketMs) * bucketMs;
    let b = buckets.get(b0);
    if (!b) buckets.set(b0, (b = { start: b0, total: 0, bySource: {} }));
    b.total++;
    b.bySource[e.source] = (b.bySource[e.source] ?? 0) + 1;
    if (e.templateId !== undefined) {
      perTemplate.set(e.templateId, (perTemplate.get(e.templateId) ?? 0) + 1);
      src.templateIds.add(e.templateId);
    }
    // `now` = the line's stored time: a syslog header without a year gets the year it was stored with
    const rec = decoder.decode({ text: e.raw, offset: e.offset, line: e.line, truncated: false }, e.source, e.ts);
    const f = rec.fields;
    const level = typeof f.level === 'string' ? f.level.toUpperCase() : '';
    if (levelRank(level) > 0) {
      src.errorLines++;
      errorLevels[level] = (errorLevels[level] ?? 0) + 1;
      const key = `${e.source}\0${e.templateId ?? rec.message}`;
      const prev = errors.get(key);
      if (!prev) {
        const template = e.templateId !== undefined ? (templates.get(e.templateId)?.template ?? '') : rec.message;
        errors.set(key, { source: e.source, level, templateId: e.templateId ?? null, template, count: 1, last: e.ts, sample: e.raw });
      } else {
        prev.count++;
        if (levelRank(level) > levelRank(prev.level)) prev.level = level;
        if (e.ts >= prev.last) Object.assign(prev, { last: e.ts, sample: e.raw });
      }
    }
    if (typeof f.program === 'string' && f.program.startsWith('postfix')) {
      let c = postfix.get(e.source);
      if (!c) postfix.set(e.source, (c = new PostfixTotalsCounter()));
      c.add({ ts: e.ts, message: rec.message, fields: f });
    }
  }

  const stored = store.anomalies({ since, until });
  const shown = stored.filter((a) => !DISMISSED.has(a.status ?? 'new'));
  // the incidents the pipeline stored (the same as `logradar incidents` and the API list for this range)
  const incidents = reportIncidents(store, since, until, stored);
  for (const a of shown) {
    const s = sources.get(a.source);
    if (s) s.anomalies++;
  }
  for (const i of incidents) {
    for (const name of i.sources) {
      const s = sources.get(name);
      if (s) s.incidents++;
    }
  }

  const figure = (id: number, count: number): TemplateFigure => {
    const t = templates.get(id);
    return { id, source: t?.source ?? '', template: t?.template ?? '', count, firstSeen: t?.firstSeen ?? 0 };
  };
  const fresh = [...templates.values()].filter((t) => !t.evicted && t.firstSeen >= since && t.firstSeen <= until).sort((a, b) => a.firstSeen - b.firstSeen || a.id - b.id);

  return {
    generated: opts.now ?? Date.now(),
    since,
    until,
    bucketMs,
    dashboardUrl: opts.dashboardUrl,
    lines,
    sources: [...sources.values()].sort((a, b) => b.lines - a.lines || a.name.localeCompare(b.name)).map(({ templateIds, ...s }) => ({ ...s, templates: templateIds.size })),
    volume: fillBuckets(buckets, since, until, bucketMs),
    topTemplates: [...perTemplate].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, top).map(([id, n]) => figure(id, n)),
    newTemplates: fresh.slice(0, top).map((t) => figure(t.id, perTemplate.get(t.id) ?? 0)),
    newTemplateCount: fresh.length,
    errorLevels,
    errors: [...errors.values()].sort((a, b) => levelRank(b.level) - levelRank(a.level) || b.count - a.count || b.last - a.last).slice(0, top),
    parseErrors: { ...decodeMetrics.errors },
    runErrors: runErrors(store.loadCounters()),
    anomalies: shown.length,
    dismissed: stored.length - shown.length,
    incidents,
    postfix: [...postfix].sort((a, b) => a[0].localeCompare(b[0])).map(([source, c]) => ({ source, totals: c.totals(top) })),
  };
}

/** Every bucket of the period, empty ones too: a silent hour is news in a report. */
function fillBuckets(buckets: Map<number, VolumeBucket>, since: number, until: number, bucketMs: number): VolumeBucket[] {
  const out: VolumeBucket[] = [];
  for (let t = Math.floor(since / bucketMs) * bucketMs; t <= until; t += bucketMs) out.push(buckets.get(t) ?? { start: t, total: 0, bySource: {} });
  return out;
}

/** Non-zero `errors` and `dropped` of the saved component counters, as `component.errors.stage` → n. */
function runErrors(counters: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [component, v] of Object.entries(counters)) {
    if (!v || typeof v !== 'object') continue;
    for (const kind of ['errors', 'dropped'] as const) {
      const m = (v as Record<string, unknown>)[kind];
      if (!m || typeof m !== 'object') continue;
      for (const [stage, n] of Object.entries(m)) if (typeof n === 'number' && n > 0) out[`${component}.${kind}.${stage}`] = n;
    }
  }
  return out;
}
