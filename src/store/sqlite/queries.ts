/**
 * Read-side queries of the HTTP API over the embedded store, and feedback writes: paged lists (newest or
 * most frequent first, keyset cursors so a page costs the same at any depth), an anomaly's raw context,
 * series keys and downsampled series, per-source figures.
 */
import type Database from 'better-sqlite3';
import type { AnomalyStatus } from '../../model/record.js';
import type {
  AnomalyPageQuery,
  ContextLine,
  FeedbackAction,
  FeedbackRow,
  NewFeedback,
  Page,
  PeriodEvent,
  SourceFigures,
  StoreQueries,
  StoredAnomaly,
  TemplatePageQuery,
  TemplateRow,
} from '../../model/store.js';
import { anomalyFromRow, feedbackFromRow, incidentFromRow, templateFromRow } from './rows.js';
import type { Incident, IncidentQuery } from '../../model/incident.js';

/** Status an anomaly takes from feedback on it. */
const STATUS_OF: Record<FeedbackAction, AnomalyStatus> = { confirm: 'confirmed', false_positive: 'false_positive', mute: 'muted' };

const META_FIELDS = 4;

interface BlockRow {
  id: number;
  file_id: number | null;
  n: number;
  meta: Buffer;
  raw: string;
}

export class SqliteQueries implements StoreQueries {
  constructor(private readonly db: Database.Database) {}

  anomalyPage(q: AnomalyPageQuery): Page<StoredAnomaly> {
    const cond: string[] = [];
    const args: unknown[] = [];
    const add = (c: string, ...v: unknown[]) => {
      cond.push(c);
      args.push(...v);
    };
    if (q.since !== undefined) add('ts >= ?', q.since);
    if (q.until !== undefined) add('ts <= ?', q.until);
    if (q.source !== undefined) add('source = ?', q.source);
    if (q.detector !== undefined) add('(detector = ? OR EXISTS (SELECT 1 FROM json_each(detectors) WHERE json_extract(value, \'$.detector\') = ?))', q.detector, q.detector);
    if (q.minGrade !== undefined) add('grade >= ?', q.minGrade);
    if (q.incident !== undefined) add('incident_id = ?', q.incident);
    if (q.status === undefined) add("status != 'suppressed'");
    else if (q.status !== 'all') add(`status IN (${q.status.map(() => '?').join(', ')})`, ...q.status);
    const c = parseCursor(q.cursor, 2);
    if (c) add('(ts < ? OR (ts = ? AND id < ?))', c[0], c[0], c[1]);
    const sql = `SELECT * FROM anomalies ${cond.length ? 'WHERE ' + cond.join(' AND ') : ''} ORDER BY ts DESC, id DESC LIMIT ?`;
    const rows = (this.db.prepare(sql).all(...args, q.limit + 1) as Record<string, unknown>[]).map(anomalyFromRow);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? `${last.ts}_${last.id}` : null };
  }

  anomaly(id: number): StoredAnomaly | undefined {
    const r = this.db.prepare('SELECT * FROM anomalies WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? anomalyFromRow(r) : undefined;
  }

  incidentPage(q: IncidentQuery): Page<Incident> {
    const cond: string[] = [];
    const args: unknown[] = [];
    const add = (c: string, ...v: unknown[]) => {
      cond.push(c);
      args.push(...v);
    };
    // an incident is in a range when it overlaps it
    if (q.since !== undefined) add('end >= ?', q.since);
    if (q.until !== undefined) add('start <= ?', q.until);
    if (q.source !== undefined) add('EXISTS (SELECT 1 FROM json_each(incidents.sources) WHERE value = ?)', q.source);
    const c = parseCursor(q.cursor, 2);
    if (c) add('(start < ? OR (start = ? AND id < ?))', c[0], c[0], c[1]);
    const sql = `SELECT * FROM incidents ${cond.length ? 'WHERE ' + cond.join(' AND ') : ''} ORDER BY start DESC, id DESC LIMIT ?`;
    const rows = (this.db.prepare(sql).all(...args, q.limit + 1) as Record<string, unknown>[]).map(incidentFromRow);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? `${last.start}_${last.id}` : null };
  }

  incident(id: number): Incident | undefined {
    const r = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? incidentFromRow(r) : undefined;
  }

  templatePage(q: TemplatePageQuery): Page<TemplateRow> {
    const cond = ['evicted = 0'];
    const args: unknown[] = [];
    if (q.source !== undefined) {
      cond.push('source = ?');
      args.push(q.source);
    }
    if (q.q) {
      cond.push('instr(lower(template), lower(?)) > 0');
      args.push(q.q);
    }
    const c = parseCursor(q.cursor, 2);
    if (c) {
      cond.push('(count < ? OR (count = ? AND id < ?))');
      args.push(c[0], c[0], c[1]);
    }
    const rows = this.db.prepare(`SELECT * FROM templates WHERE ${cond.join(' AND ')} ORDER BY count DESC, id DESC LIMIT ?`).all(...args, q.limit + 1) as Record<string, unknown>[];
    const items: TemplateRow[] = rows.slice(0, q.limit).map(templateFromRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? `${last.count}_${last.id}` : null };
  }

  templateText(id: number): string | undefined {
    const r = this.db.prepare('SELECT template FROM templates WHERE id = ?').get(id) as { template: string } | undefined;
    return r?.template;
  }

  /**
   * Up to `n` stored lines of the same file (or stream) before and after an anomaly's line. The block
   * holding the line is found by source and time (indexed), then by line number and byte offset.
   */
  context(a: StoredAnomaly, n = 5): { before: ContextLine[]; after: ContextLine[] } {
    const none = { before: [], after: [] };
    if (a.line === undefined) return none;
    const src = this.db.prepare('SELECT id FROM sources WHERE name = ?').get(a.source) as { id: number } | undefined;
    if (!src) return none;
    const session = a.explain?.session as { start?: number } | undefined;
    const lo = Math.min(a.window?.start ?? a.ts, typeof session?.start === 'number' ? session.start : a.ts);
    const blocks = this.db
      .prepare('SELECT id, file_id, n, meta, raw FROM event_blocks WHERE source_id = ? AND max_ts >= ? AND min_ts <= ? ORDER BY max_ts LIMIT 256')
      .all(src.id, lo, a.ts) as BlockRow[];
    for (const b of blocks) {
      const lines = unpack(b);
      const k = lines.findIndex((l) => l.line === a.line && (a.offset === undefined || l.offset === a.offset));
      if (k < 0) continue;
      const before = lines.slice(Math.max(0, k - n), k);
      const after = lines.slice(k + 1, k + 1 + n);
      const prev = this.db.prepare('SELECT id, file_id, n, meta, raw FROM event_blocks WHERE source_id = ? AND file_id IS ? AND id < ? ORDER BY id DESC LIMIT 1');
      const next = this.db.prepare('SELECT id, file_id, n, meta, raw FROM event_blocks WHERE source_id = ? AND file_id IS ? AND id > ? ORDER BY id LIMIT 1');
      for (let id = b.id; before.length < n; ) {
        const p = prev.get(src.id, b.file_id, id) as BlockRow | undefined;
        if (!p) break;
        before.unshift(...unpack(p).slice(-(n - before.length)));
        id = p.id;
      }
      for (let id = b.id; after.length < n; ) {
        const p = next.get(src.id, b.file_id, id) as BlockRow | undefined;
        if (!p) break;
        after.push(...unpack(p).slice(0, n - after.length));
        id = p.id;
      }
      return { before, after };
    }
    return none;
  }

  /**
   * Distinct (source, key) pairs of the series table. A seek per pair on the primary key (skip scan)
   * rather than DISTINCT, which would read every window of every series.
   */
  seriesKeys(source?: string): Array<{ source: string; key: string }> {
    const nextSource = this.db.prepare('SELECT source FROM series WHERE source > ? ORDER BY source LIMIT 1').pluck();
    const nextKey = this.db.prepare('SELECT key FROM series WHERE source = ? AND key > ? ORDER BY key LIMIT 1').pluck();
    const sources: string[] = [];
    if (source !== undefined) sources.push(source);
    else for (let s = nextSource.get('') as string | undefined; s !== undefined; s = nextSource.get(s) as string | undefined) sources.push(s);
    const out: Array<{ source: string; key: string }> = [];
    for (const src of sources) for (let k = nextKey.get(src, '') as string | undefined; k !== undefined; k = nextKey.get(src, k) as string | undefined) out.push({ source: src, key: k });
    return out;
  }

  /** First and last window start of one series. */
  seriesSpan(source: string, key: string): { first: number; last: number } | undefined {
    const r = this.db.prepare('SELECT MIN(start) AS first, MAX(start) AS last FROM series WHERE source = ? AND key = ?').get(source, key) as { first: number | null; last: number | null };
    return r.first === null || r.last === null ? undefined : { first: r.first, last: r.last };
  }

  /** Sums of a series per bucket of `step` ms (buckets aligned to multiples of `step`), non-empty buckets only. */
  seriesBuckets(source: string, key: string, since: number, until: number, step: number): Array<[number, number]> {
    // integer buckets: better-sqlite3 binds JS numbers as REAL, so `start / step` alone would not truncate
    const rows = this.db
      .prepare('SELECT CAST(start / @step AS INTEGER) * @step AS t, SUM(value) AS v FROM series WHERE source = @source AND key = @key AND start >= @since AND start <= @until GROUP BY t ORDER BY t')
      .all({ step: Math.round(step), source, key, since: Math.floor(since), until: Math.ceil(until) }) as Array<{ t: number; v: number }>;
    return rows.map((r) => [r.t, r.v]);
  }

  /** Per source: stored lines (and those stored since `recentSince`), live templates, anomalies not suppressed. */
  sourceFigures(recentSince: number): SourceFigures[] {
    const by = new Map<string, SourceFigures>();
    const get = (name: string) => {
      let f = by.get(name);
      if (!f) by.set(name, (f = { name, lines: 0, recent: 0, templates: 0, anomalies: 0 }));
      return f;
    };
    for (const r of this.db.prepare('SELECT name FROM sources').all() as Array<{ name: string }>) get(r.name);
    for (const r of this.db.prepare('SELECT DISTINCT source FROM files').all() as Array<{ source: string }>) get(r.source);
    const lines = this.db.prepare(
      'SELECT s.name AS name, SUM(b.n) AS lines, SUM(CASE WHEN b.ingest_ts >= ? THEN b.n ELSE 0 END) AS recent FROM event_blocks b JOIN sources s ON s.id = b.source_id GROUP BY s.name',
    );
    for (const r of lines.all(recentSince) as Array<{ name: string; lines: number; recent: number }>) Object.assign(get(r.name), { lines: r.lines, recent: r.recent });
    for (const r of this.db.prepare('SELECT source, COUNT(*) AS c FROM templates WHERE evicted = 0 GROUP BY source').all() as Array<{ source: string; c: number }>) get(r.source).templates = r.c;
    for (const r of this.db.prepare("SELECT source, COUNT(*) AS c FROM anomalies WHERE status != 'suppressed' GROUP BY source").all() as Array<{ source: string; c: number }>) get(r.source).anomalies = r.c;
    return [...by.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The lines stored with a time in [since, until], file by file: per source, each file's lines in file
   * order, files in the order of their first line in the period (a rotated or dated family is read as
   * its files were written, the way pflogsumm reads them one after the other) — ingestion may have
   * interleaved the files' chunks, and a message whose lines cross midnight spans two files.
   */
  *periodEvents(since: number, until: number): Generator<PeriodEvent> {
    const files = this.db
      .prepare(
        `SELECT b.source_id, b.file_id, s.name AS source, f.path AS file, MIN(b.min_ts) AS first FROM event_blocks b
         JOIN sources s ON s.id = b.source_id LEFT JOIN files f ON f.id = b.file_id
         WHERE b.max_ts >= ? AND b.min_ts <= ? GROUP BY b.source_id, b.file_id ORDER BY s.name, first, b.file_id`,
      )
      .all(since, until) as Array<{ source_id: number; file_id: number | null; source: string; file: string | null }>;
    const blocks = this.db.prepare('SELECT id, file_id, n, meta, raw FROM event_blocks WHERE source_id = ? AND file_id IS ? AND max_ts >= ? AND min_ts <= ? ORDER BY id');
    for (const f of files) {
      for (const b of blocks.iterate(f.source_id, f.file_id, since, until) as Iterable<BlockRow>) {
        for (const l of unpack(b)) if (l.ts >= since && l.ts <= until) yield { ...l, source: f.source, file: f.file };
      }
    }
  }

  /** Records feedback and sets the anomaly's status, in one transaction. */
  addFeedback(f: NewFeedback, now = Date.now()): FeedbackRow {
    const tx = this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare('INSERT INTO feedback (anomaly_id, action, signature, by, note, created, until) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(f.anomalyId, f.action, f.signature, f.by, f.note ?? null, now, f.until ?? null).lastInsertRowid,
      );
      this.db.prepare('UPDATE anomalies SET status = ?, signature = ? WHERE id = ?').run(STATUS_OF[f.action], f.signature, f.anomalyId);
      return id;
    });
    const id = tx();
    return { id, anomalyId: f.anomalyId, action: f.action, signature: f.signature, by: f.by, ...(f.note !== undefined ? { note: f.note } : {}), created: now, ...(f.until !== undefined ? { until: f.until } : {}) };
  }

  feedbackPage(limit: number, cursor?: string): Page<FeedbackRow> {
    const c = parseCursor(cursor, 1);
    const rows = (this.db.prepare(`SELECT * FROM feedback ${c ? 'WHERE id < ?' : ''} ORDER BY id DESC LIMIT ?`).all(...(c ? [c[0]] : []), limit + 1) as Record<string, unknown>[]).map(feedbackFromRow);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit && items.length ? String(items[items.length - 1].id) : null };
  }

  feedbackFor(anomalyId: number): FeedbackRow[] {
    return (this.db.prepare('SELECT * FROM feedback WHERE anomaly_id = ? ORDER BY id').all(anomalyId) as Record<string, unknown>[]).map(feedbackFromRow);
  }

  /** Line number and next byte offset after the last stored line of a stream source (no file), to continue numbering after a restart. */
  streamEnd(source: string): { line: number; offset: number } {
    const b = this.db
      .prepare('SELECT b.id, b.file_id, b.n, b.meta, b.raw FROM event_blocks b JOIN sources s ON s.id = b.source_id WHERE s.name = ? AND b.file_id IS NULL ORDER BY b.id DESC LIMIT 1')
      .get(source) as BlockRow | undefined;
    if (!b) return { line: 0, offset: 0 };
    const last = unpack(b).at(-1)!;
    return { line: last.line, offset: last.offset + Buffer.byteLength(last.raw) + 1 };
  }
}

/** A cursor is `parts` integers joined by `_`; anything else is no cursor (the first page). */
function parseCursor(c: string | undefined, parts: number): number[] | undefined {
  if (!c) return undefined;
  const xs = c.split('_').map(Number);
  return xs.length === parts && xs.every(Number.isFinite) ? xs : undefined;
}

function unpack(b: BlockRow): ContextLine[] {
  const meta = new Float64Array(b.meta.buffer.slice(b.meta.byteOffset, b.meta.byteOffset + b.meta.byteLength));
  const raws = b.raw.split('\n');
  const out: ContextLine[] = [];
  for (let k = 0; k < b.n; k++) {
    const m = k * META_FIELDS;
    out.push({ line: meta[m + 1], offset: meta[m + 2], ts: meta[m], raw: raws[k], ...(meta[m + 3] >= 0 ? { templateId: meta[m + 3] } : {}) });
  }
  return out;
}
