/**
 * The embedded store (better-sqlite3, WAL). Everything derived from a chunk of input — events, template
 * changes, anomalies, series, model state and the file checkpoint — is written by `commit()` in one
 * transaction, which is what makes `kill -9` + restart lose nothing and repeat nothing.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LogradarError } from '../../model/errors.js';
import type {
  AnomalyQuery,
  CommitBatch,
  EventQuery,
  EventRow,
  FeedbackRow,
  FileRow,
  LogStore,
  SeriesRow,
  StateRow,
  StoredAnomaly,
  StoredBlock,
  StoredEvent,
  TemplateRow,
} from '../../model/store.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { ModelVersions } from './model-versions.js';
import { SqliteQueries } from './queries.js';
import { anomalyFromRow, feedbackFromRow, incidentFromRow, templateFromRow } from './rows.js';
import type { Incident } from '../../model/incident.js';

export const DB_FILE = 'logradar.db';
/** Most lines in one event block (a row of `event_blocks`). */
export const BLOCK_LINES = 256;
/** Per line in a block's `meta`: ts, line, offset, template id (-1 for none). */
const META_FIELDS = 4;

/** Creates the data dir; one that cannot be (a file in the way, no permission) is a bad --data-dir: exit 2. */
function makeDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'a file is in the way, not a directory' : code === 'ENOTDIR' ? 'a file is in the way in its path' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : (e as Error).message;
    throw new LogradarError('LOGRADAR_ERR_STORE', `data dir ${dataDir}: cannot create it (${why}); give another with --data-dir or dataDir`, 2);
  }
}

export class SqliteStore implements LogStore {
  /** Paths of the stores opened in this process: errors from SQLite do not say which file they concern. */
  static readonly openedPaths = new Set<string>();
  readonly db: Database.Database;
  private readonly stmts: ReturnType<SqliteStore['prepare']>;
  private readonly commitTx: (b: CommitBatch, now: number) => void;
  private readonly sourceIds = new Map<string, number>();
  /** Id of the next event (events are numbered across blocks). */
  private nextEvent = 1;

  /** Opens (creating when allowed) the store in `dataDir`; refuses a store written by a newer version. */
  static open(dataDir: string, opts: { readonly?: boolean } = {}): SqliteStore {
    if (!opts.readonly) makeDataDir(dataDir);
    const path = join(dataDir, DB_FILE);
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
    } catch (e) {
      throw new LogradarError('LOGRADAR_ERR_STORE', `cannot open the store ${path}: ${(e as Error).message}${opts.readonly ? ' (has anything been ingested into this --data-dir?)' : ''}`, 2);
    }
    try {
      return new SqliteStore(db, path, !!opts.readonly);
    } catch (e) {
      if (db.open) db.close();
      if (e instanceof LogradarError) throw e;
      throw new LogradarError('LOGRADAR_ERR_STORE', `the store ${path} cannot be used: ${(e as Error).message}`, 2);
    }
  }

  /** Versions of each source's learned models (retraining, rollback). */
  readonly versions: ModelVersions;
  /** The reads of the HTTP API and the report, and feedback writes. */
  readonly queries: SqliteQueries;

  private constructor(
    db: Database.Database,
    readonly path: string,
    readonly readonly: boolean,
  ) {
    this.db = db;
    this.versions = new ModelVersions(db);
    this.queries = new SqliteQueries(db);
    db.pragma('busy_timeout = 5000');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode survives a process crash (kill -9); only a power loss can drop the last commit.
      db.pragma('synchronous = NORMAL');
      // Checkpoint (and fsync) every ~40 MB of WAL rather than every 4 MB: bulk ingest is a third faster.
      db.pragma('wal_autocheckpoint = 10000');
    }
    this.migrate();
    this.stmts = this.prepare();
    const last = db.prepare('SELECT first_event + n AS next FROM event_blocks ORDER BY id DESC LIMIT 1').get() as { next: number } | undefined;
    this.nextEvent = last?.next ?? 1;
    this.commitTx = db.transaction((b: CommitBatch, now: number) => this.commitInTx(b, now));
    SqliteStore.openedPaths.add(path);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      this.db.close();
      throw new LogradarError(
        'LOGRADAR_ERR_STORE_VERSION',
        `the store ${this.path} has schema version ${version}, written by a newer logradar (this one knows up to ${SCHEMA_VERSION}); upgrade logradar or use another --data-dir`,
        2,
      );
    }
    if (version === SCHEMA_VERSION) return;
    if (this.readonly) throw new LogradarError('LOGRADAR_ERR_STORE', `the store ${this.path} needs a migration; run a writing command (watch) once`, 2);
    const run = this.db.transaction(() => {
      for (let v = version; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    });
    run();
  }

  private prepare() {
    const db = this.db;
    const ro = this.readonly;
    const w = <T>(fn: () => T): T => (ro ? (undefined as T) : fn());
    return {
      insertBlock: w(() =>
        db.prepare('INSERT INTO event_blocks (first_event, n, source_id, file_id, ingest_ts, min_ts, max_ts, bytes, meta, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      ),
      insertSource: w(() => db.prepare('INSERT INTO sources (name) VALUES (?) ON CONFLICT(name) DO NOTHING')),
      upsertTemplate: w(() =>
        db.prepare(
          `INSERT INTO templates (id, source, template, count, first_seen, last_seen, evicted) VALUES (@id, @source, @template, @count, @firstSeen, @lastSeen, @evicted)
           ON CONFLICT(id) DO UPDATE SET template = excluded.template, count = excluded.count, last_seen = excluded.last_seen, evicted = excluded.evicted`,
        ),
      ),
      insertAnomaly: w(() =>
        db.prepare(
          `INSERT INTO anomalies (ts, created, kind, source, file, line, offset, grade, detector, detectors, reason, window_start, window_end, template_id, raw, explain, session, status, signature, incident_id)
           VALUES (@ts, @created, @kind, @source, @file, @line, @offset, @grade, @detector, @detectors, @reason, @windowStart, @windowEnd, @templateId, @raw, @explain, @session, @status, @signature, @incident)`,
        ),
      ),
      upsertIncident: w(() =>
        db.prepare(
          `INSERT INTO incidents (id, start, end, sources, grade, anomalies, summary, status, kinds, detectors, updated)
           VALUES (@id, @start, @end, @sources, @grade, @anomalies, @summary, @status, @kinds, @detectors, @updated)
           ON CONFLICT(id) DO UPDATE SET start = excluded.start, end = excluded.end, sources = excluded.sources, grade = excluded.grade, anomalies = excluded.anomalies,
             summary = excluded.summary, status = excluded.status, kinds = excluded.kinds, detectors = excluded.detectors, updated = excluded.updated`,
        ),
      ),
      // the highest incident id ever given: a merged (deleted) incident's id is never given again
      lastIncident: w(() =>
        db.prepare("INSERT INTO meta (key, value) VALUES ('last_incident_id', ?) ON CONFLICT(key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))"),
      ),
      moveIncident: w(() => db.prepare('UPDATE anomalies SET incident_id = ? WHERE incident_id = ?')),
      deleteIncident: w(() => db.prepare('DELETE FROM incidents WHERE id = ?')),
      upsertSeries: w(() => db.prepare('INSERT INTO series (source, key, start, value) VALUES (?, ?, ?, ?) ON CONFLICT(source, key, start) DO UPDATE SET value = excluded.value')),
      saveState: w(() => db.prepare('INSERT INTO model_state (key, version, value, updated) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET version = excluded.version, value = excluded.value, updated = excluded.updated')),
      saveCounters: w(() => db.prepare('INSERT INTO counters (component, value, updated) VALUES (?, ?, ?) ON CONFLICT(component) DO UPDATE SET value = excluded.value, updated = excluded.updated')),
      insertFile: w(() =>
        db.prepare(
          `INSERT INTO files (path, source, dev, ino, fp, fp_len, offset, line, skipping, size, first_seen, last_read, gone)
           VALUES (@path, @source, @dev, @ino, @fp, @fpLen, @offset, @line, @skipping, @size, @firstSeen, @lastRead, @gone)`,
        ),
      ),
      updateFile: w(() =>
        db.prepare(
          `UPDATE files SET path = @path, source = @source, dev = @dev, ino = @ino, fp = @fp, fp_len = @fpLen, offset = @offset, line = @line,
           skipping = @skipping, size = @size, last_read = @lastRead, gone = @gone WHERE id = @id`,
        ),
      ),
      deleteFile: w(() => db.prepare('DELETE FROM files WHERE id = ?')),
    };
  }

  /** Writes one batch and its checkpoint in a single transaction. */
  commit(batch: CommitBatch, now = Date.now()): void {
    this.commitTx(batch, now);
  }

  private commitInTx(b: CommitBatch, now: number): void {
    const s = this.stmts;
    if (b.events && b.events.length > 0) this.insertEvents(b.events, b.fileId ?? null, now);
    for (const t of b.templates ?? []) s.upsertTemplate.run({ ...t, evicted: t.evicted ? 1 : 0 });
    for (const a of b.anomalies ?? []) {
      // the id is handed back on the anomaly: live listeners link to the stored row
      a.id = Number(s.insertAnomaly.run({
        ts: a.ts,
        created: now,
        kind: a.kind,
        source: a.source,
        file: (a.explain?.file as string | undefined) ?? null,
        line: a.line ?? null,
        offset: a.offset ?? null,
        grade: a.grade,
        detector: a.detector,
        detectors: JSON.stringify(a.detectors),
        reason: a.reason,
        windowStart: a.window?.start ?? null,
        windowEnd: a.window?.end ?? null,
        templateId: a.templateId ?? null,
        raw: a.raw ?? null,
        explain: a.explain ? JSON.stringify(a.explain) : null,
        session: a.session ?? null,
        status: a.status ?? 'new',
        signature: a.signature ?? '',
        incident: a.incident ?? null,
      }).lastInsertRowid);
    }
    for (const i of b.incidents ?? []) {
      s.upsertIncident.run({ ...i, sources: JSON.stringify(i.sources), kinds: JSON.stringify(i.kinds), detectors: JSON.stringify(i.detectors), updated: now });
    }
    const top = Math.max(0, ...(b.incidents ?? []).map((i) => i.id), ...(b.mergedIncidents ?? []).map((m) => m.from));
    if (top > 0) s.lastIncident.run(String(top));
    // a merged incident's anomalies move to the one it merged into, and it is no more
    for (const m of b.mergedIncidents ?? []) {
      s.moveIncident.run(m.into, m.from);
      s.deleteIncident.run(m.from);
    }
    for (const r of b.series ?? []) s.upsertSeries.run(r.source, r.key, r.start, r.value);
    for (const st of b.state ?? []) s.saveState.run(st.key, st.version, st.value, now);
    if (b.checkpoint) s.updateFile.run(fileParams(b.checkpoint));
    if (b.counters) for (const [k, v] of Object.entries(b.counters)) s.saveCounters.run(k, JSON.stringify(v), now);
  }

  /** Writes events as blocks of up to BLOCK_LINES consecutive lines of one source and file. */
  private insertEvents(ev: EventRow[], batchFileId: number | null, now: number): void {
    for (let i = 0; i < ev.length; ) {
      const source = ev[i].source;
      const fileId = ev[i].fileId ?? batchFileId;
      let j = i + 1;
      while (j < ev.length && j - i < BLOCK_LINES && ev[j].source === source && (ev[j].fileId ?? batchFileId) === fileId) j++;
      const n = j - i;
      const meta = new Float64Array(n * META_FIELDS);
      const raws = new Array<string>(n);
      let minTs = Infinity;
      let maxTs = -Infinity;
      for (let k = 0; k < n; k++) {
        const e = ev[i + k];
        const m = k * META_FIELDS;
        meta[m] = e.ts;
        meta[m + 1] = e.line;
        meta[m + 2] = e.offset;
        meta[m + 3] = e.templateId ?? -1;
        // LF separates lines in a block; framed lines never hold one, other inputs get it escaped.
        raws[k] = e.raw.indexOf('\n') < 0 ? e.raw : e.raw.replace(/\n/g, '\\n');
        if (e.ts < minTs) minTs = e.ts;
        if (e.ts > maxTs) maxTs = e.ts;
      }
      const raw = raws.join('\n');
      const bytes = Buffer.byteLength(raw);
      this.stmts.insertBlock.run(this.nextEvent, n, this.sourceId(source), fileId, now, minTs, maxTs, bytes, Buffer.from(meta.buffer, meta.byteOffset, meta.byteLength), raw);
      this.nextEvent += n;
      i = j;
    }
  }

  /** Integer id of a source name (events store the id, not the name). */
  sourceId(name: string): number {
    let id = this.sourceIds.get(name);
    if (id === undefined) {
      this.stmts.insertSource.run(name);
      id = (this.db.prepare('SELECT id FROM sources WHERE name = ?').get(name) as { id: number }).id;
      this.sourceIds.set(name, id);
    }
    return id;
  }

  /** Every source that has stored anything, in order of appearance. */
  sourceNames(): string[] {
    return (this.db.prepare('SELECT name FROM sources ORDER BY id').all() as Array<{ name: string }>).map((r) => r.name);
  }

  // ---- files (checkpoints) ----

  listFiles(): FileRow[] {
    return (this.db.prepare('SELECT * FROM files ORDER BY id').all() as Record<string, unknown>[]).map(fileFromRow);
  }

  addFile(f: Omit<FileRow, 'id'>): number {
    return Number(this.stmts.insertFile.run(fileParams(f)).lastInsertRowid);
  }

  updateFile(f: Omit<FileRow, 'firstSeen'>): void {
    this.stmts.updateFile.run(fileParams(f));
  }

  deleteFile(id: number): void {
    this.stmts.deleteFile.run(id);
  }

  // ---- templates and state ----

  loadTemplates(source?: string): TemplateRow[] {
    const rows = (source === undefined
      ? this.db.prepare('SELECT * FROM templates ORDER BY id').all()
      : this.db.prepare('SELECT * FROM templates WHERE source = ? ORDER BY id').all(source)) as Record<string, unknown>[];
    return rows.map(templateFromRow);
  }

  openIncidents(): Incident[] {
    return (this.db.prepare("SELECT * FROM incidents WHERE status = 'open' ORDER BY id").all() as Record<string, unknown>[]).map(incidentFromRow);
  }

  maxIncidentId(): number {
    const r = this.db.prepare("SELECT MAX(COALESCE((SELECT MAX(id) FROM incidents), 0), COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_incident_id'), 0)) AS m").get() as { m: number };
    return r.m;
  }

  /** Incidents overlapping [since, until], oldest first (the `incidents` command and the report). */
  incidents(q: { since?: number; until?: number; source?: string; limit?: number } = {}): Incident[] {
    const { sql: cond, args } = whereClause([
      ['end >= ?', q.since],
      ['start <= ?', q.until],
      ['EXISTS (SELECT 1 FROM json_each(incidents.sources) WHERE value = ?)', q.source],
    ]);
    const sql = `SELECT * FROM incidents ${cond} ORDER BY start, id ${q.limit !== undefined ? 'LIMIT ' + Math.max(0, Math.floor(q.limit)) : ''}`;
    return (this.db.prepare(sql).all(...args) as Record<string, unknown>[]).map(incidentFromRow);
  }

  maxTemplateId(): number {
    const r = this.db.prepare('SELECT MAX(id) AS m FROM templates').get() as { m: number | null };
    return r.m ?? 0;
  }

  loadState(key: string): StateRow | undefined {
    const r = this.db.prepare('SELECT key, version, value FROM model_state WHERE key = ?').get(key) as StateRow | undefined;
    return r;
  }

  /** One key's state in its own transaction (a batch's state is written by `commit`, with its data). */
  saveState(row: StateRow, now = Date.now()): void {
    this.stmts.saveState.run(row.key, row.version, row.value, now);
  }

  /** Result of the last `checkIntegrity()`, undefined before one ran. */
  integrity?: { ok: boolean; problems: string[] };

  /** SQLite's quick_check (every page and index entry, not their cross-checks): problems found, at most 20. */
  checkIntegrity(): { ok: boolean; problems: string[] } {
    let problems: string[];
    try {
      problems = (this.db.pragma('quick_check(20)') as { quick_check: string }[]).map((r) => r.quick_check).filter((m) => m !== 'ok');
    } catch (e) {
      problems = [(e as Error).message];
    }
    this.integrity = { ok: problems.length === 0, problems };
    return this.integrity;
  }

  loadCounters(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const r of this.db.prepare('SELECT component, value FROM counters').all() as { component: string; value: string }[]) out[r.component] = JSON.parse(r.value);
    return out;
  }

  // ---- queries ----

  /** Events in ingestion order; SQL narrows the blocks (source, time, text), each block is then unpacked. */
  *events(q: EventQuery = {}): Generator<StoredEvent> {
    const { sql: cond, args } = whereClause([
      ['b.max_ts >= ?', q.since],
      ['b.min_ts <= ?', q.until],
      ['s.name = ?', q.source],
      ['instr(b.raw, ?) > 0', q.grep],
    ]);
    const sql = `SELECT b.first_event, b.n, s.name AS source, f.path AS file, b.meta, b.raw
      FROM event_blocks b JOIN sources s ON s.id = b.source_id LEFT JOIN files f ON f.id = b.file_id ${cond} ORDER BY b.id`;
    let left = q.limit === undefined ? Infinity : Math.max(0, Math.floor(q.limit));
    if (left === 0) return;
    for (const r of this.db.prepare(sql).iterate(...args) as Iterable<{ first_event: number; n: number; source: string; file: string | null; meta: Buffer; raw: string }>) {
      const meta = new Float64Array(r.meta.buffer.slice(r.meta.byteOffset, r.meta.byteOffset + r.meta.byteLength));
      const lines = r.raw.split('\n');
      for (let k = 0; k < r.n; k++) {
        const m = k * META_FIELDS;
        const ts = meta[m];
        if (q.since !== undefined && ts < q.since) continue;
        if (q.until !== undefined && ts > q.until) continue;
        if (q.grep !== undefined && !lines[k].includes(q.grep)) continue;
        yield {
          id: r.first_event + k,
          ts,
          source: r.source,
          file: r.file,
          line: meta[m + 1],
          offset: meta[m + 2],
          templateId: meta[m + 3] < 0 ? null : meta[m + 3],
          raw: lines[k],
        };
        if (--left <= 0) return;
      }
    }
  }

  /**
   * The stored blocks of one source holding events in [since, until] (event time), oldest first, with
   * only those events: the lines to replay (retraining) with the ingestion time they were decoded at.
   */
  *blocks(source: string, since: number, until: number): Generator<StoredBlock> {
    const sql = `SELECT b.file_id, f.path AS file, b.ingest_ts, b.n, b.meta, b.raw
      FROM event_blocks b JOIN sources s ON s.id = b.source_id LEFT JOIN files f ON f.id = b.file_id
      WHERE s.name = ? AND b.max_ts >= ? AND b.min_ts <= ? ORDER BY b.id`;
    for (const r of this.db.prepare(sql).iterate(source, since, until) as Iterable<{ file_id: number | null; file: string | null; ingest_ts: number; n: number; meta: Buffer; raw: string }>) {
      const meta = new Float64Array(r.meta.buffer.slice(r.meta.byteOffset, r.meta.byteOffset + r.meta.byteLength));
      const lines = r.raw.split('\n');
      const events: StoredBlock['events'] = [];
      for (let k = 0; k < r.n; k++) {
        const m = k * META_FIELDS;
        if (meta[m] >= since && meta[m] <= until) events.push({ ts: meta[m], line: meta[m + 1], offset: meta[m + 2], raw: lines[k] });
      }
      if (events.length) yield { ingestTs: r.ingest_ts, file: r.file, fileId: r.file_id, events };
    }
  }

  /** The active model version of `source` and its snapshot, when it is not `running` (PipelineStore). */
  modelVersionChange(source: string, running: number | undefined): { id: number; snapshot: string } | undefined {
    const id = this.versions.active(source);
    if (id === undefined || id === running) return undefined;
    const snapshot = this.versions.snapshot(id);
    return snapshot === undefined ? undefined : { id, snapshot };
  }

  /** Number of stored events. */
  eventCount(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(n), 0) AS n FROM event_blocks').get() as { n: number }).n;
  }

  anomalies(q: AnomalyQuery = {}): StoredAnomaly[] {
    const { sql: cond, args } = whereClause([
      ['ts >= ?', q.since],
      ['ts <= ?', q.until],
      ['grade >= ?', q.minGrade],
      ['source = ?', q.source],
    ]);
    const sql = `SELECT * FROM anomalies ${cond} ORDER BY ts, id ${q.limit !== undefined ? 'LIMIT ' + Math.max(0, Math.floor(q.limit)) : ''}`;
    return (this.db.prepare(sql).all(...args) as Record<string, unknown>[]).map(anomalyFromRow);
  }

  /** Feedback written after `id` (by another process: `logradar feedback`, a second server), with its anomaly. */
  feedbackAfter(id: number): Array<{ feedback: FeedbackRow; anomaly: StoredAnomaly | undefined }> {
    const rows = (this.db.prepare('SELECT * FROM feedback WHERE id > ? ORDER BY id').all(id) as Record<string, unknown>[]).map(feedbackFromRow);
    const one = this.db.prepare('SELECT * FROM anomalies WHERE id = ?');
    return rows.map((feedback) => {
      const row = one.get(feedback.anomalyId) as Record<string, unknown> | undefined;
      return { feedback, anomaly: row ? anomalyFromRow(row) : undefined };
    });
  }

  /** Feedback still in force (false positives, unexpired mutes): the pipeline loads it at start. */
  loadFeedback(now = Date.now()): FeedbackRow[] {
    const rows = this.db.prepare("SELECT * FROM feedback WHERE action IN ('false_positive', 'mute') AND (until IS NULL OR until > ?) ORDER BY id").all(now) as Record<string, unknown>[];
    return rows.map(feedbackFromRow);
  }

  series(source: string, key: string, since = 0): SeriesRow[] {
    return this.db.prepare('SELECT source, key, start, value FROM series WHERE source = ? AND key = ? AND start >= ? ORDER BY start').all(source, key, since) as SeriesRow[];
  }

  // ---- retention ----

  /**
   * Deletes the oldest events while they are older than `maxAge` (by ingestion time) or the stored raw text
   * exceeds `maxBytes`. Works on whole blocks, oldest first. Returns the number of events deleted.
   */
  applyRetention(maxAgeMs: number, maxBytes: number, now = Date.now()): number {
    const cutoff = now - maxAgeMs;
    const total = (this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM event_blocks').get() as { b: number }).b;
    const blocks = this.db.prepare('SELECT id, n, ingest_ts, bytes FROM event_blocks ORDER BY id').iterate() as Iterable<{ id: number; n: number; ingest_ts: number; bytes: number }>;
    let over = total - maxBytes;
    let upto = -1;
    let deleted = 0;
    for (const b of blocks) {
      if (b.ingest_ts < cutoff || over > 0) {
        upto = b.id;
        over -= b.bytes;
        deleted += b.n;
      } else break;
    }
    if (upto < 0) return 0;
    this.db.prepare('DELETE FROM event_blocks WHERE id <= ?').run(upto);
    return deleted;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** `WHERE a AND b` from the (condition, value) pairs whose value is given, with those values in order. */
function whereClause(pairs: [string, unknown][]): { sql: string; args: unknown[] } {
  const set = pairs.filter(([, v]) => v !== undefined);
  return { sql: set.length ? 'WHERE ' + set.map(([c]) => c).join(' AND ') : '', args: set.map(([, v]) => v) };
}

function fileParams(f: Partial<FileRow>): Record<string, unknown> {
  return { ...f, skipping: f.skipping ? 1 : 0, gone: f.gone ? 1 : 0 };
}

function fileFromRow(r: Record<string, unknown>): FileRow {
  return {
    id: Number(r.id),
    path: String(r.path),
    source: String(r.source),
    dev: String(r.dev),
    ino: String(r.ino),
    fp: String(r.fp),
    fpLen: Number(r.fp_len),
    offset: Number(r.offset),
    line: Number(r.line),
    skipping: Number(r.skipping) === 1,
    size: Number(r.size),
    firstSeen: Number(r.first_seen),
    lastRead: Number(r.last_read),
    gone: Number(r.gone) === 1,
  };
}
