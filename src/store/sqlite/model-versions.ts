/**
 * Versions of each source's learned models (`model_versions`, schema version 4): every refit is kept
 * with its time, training range and record count; one version per source is active. A running pipeline
 * follows the active flag (see `SqliteStore.modelVersionChange`), so activating a version is all a
 * rollback has to do, from any process.
 */
import type Database from 'better-sqlite3';
import type { ModelVersionInfo, ModelVersionStore, NewModelVersion } from '../../model/store.js';

const INFO_COLUMNS = 'id, source, created, range_from, range_to, records, active';

function infoFromRow(r: Record<string, unknown>): ModelVersionInfo {
  return {
    id: Number(r.id),
    source: String(r.source),
    created: Number(r.created),
    ...(r.range_from === null ? {} : { from: Number(r.range_from) }),
    ...(r.range_to === null ? {} : { to: Number(r.range_to) }),
    records: Number(r.records),
    active: Number(r.active) === 1,
  };
}

export class ModelVersions implements ModelVersionStore {
  constructor(private readonly db: Database.Database) {}

  /**
   * Adds versions of one source (oldest first) in one transaction; the last becomes active when `activate`.
   * Beyond `keep` versions of the source, the oldest inactive ones are deleted. Returns the new ids.
   */
  add(versions: NewModelVersion[], opts: { activate: boolean; keep: number }): number[] {
    const insert = this.db.prepare('INSERT INTO model_versions (source, created, range_from, range_to, records, snapshot, active) VALUES (?, ?, ?, ?, ?, ?, 0)');
    const run = this.db.transaction(() => {
      const ids = versions.map((v) => Number(insert.run(v.source, v.created, v.from ?? null, v.to ?? null, v.records, v.snapshot).lastInsertRowid));
      const last = ids.at(-1);
      if (opts.activate && last !== undefined) this.activateInTx(last);
      for (const source of new Set(versions.map((v) => v.source))) this.prune(source, opts.keep);
      return ids;
    });
    return run();
  }

  list(source?: string): ModelVersionInfo[] {
    const rows = (source === undefined
      ? this.db.prepare(`SELECT ${INFO_COLUMNS} FROM model_versions ORDER BY source, id`).all()
      : this.db.prepare(`SELECT ${INFO_COLUMNS} FROM model_versions WHERE source = ? ORDER BY id`).all(source)) as Record<string, unknown>[];
    return rows.map(infoFromRow);
  }

  get(id: number): ModelVersionInfo | undefined {
    const r = this.db.prepare(`SELECT ${INFO_COLUMNS} FROM model_versions WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
    return r && infoFromRow(r);
  }

  snapshot(id: number): string | undefined {
    return (this.db.prepare('SELECT snapshot FROM model_versions WHERE id = ?').get(id) as { snapshot: string } | undefined)?.snapshot;
  }

  active(source: string): number | undefined {
    return (this.db.prepare('SELECT id FROM model_versions WHERE source = ? AND active = 1').get(source) as { id: number } | undefined)?.id;
  }

  /** The version made just before the active one of `source` (what `rollback --previous` goes back to). */
  previous(source: string): ModelVersionInfo | undefined {
    const active = this.active(source);
    if (active === undefined) return undefined;
    const r = this.db.prepare(`SELECT ${INFO_COLUMNS} FROM model_versions WHERE source = ? AND id < ? ORDER BY id DESC LIMIT 1`).get(source, active) as Record<string, unknown> | undefined;
    return r && infoFromRow(r);
  }

  /** Makes `id` the active version of its source; false when there is no such version. */
  activate(id: number): boolean {
    return this.db.transaction(() => this.activateInTx(id))();
  }

  private activateInTx(id: number): boolean {
    const v = this.db.prepare('SELECT source FROM model_versions WHERE id = ?').get(id) as { source: string } | undefined;
    if (!v) return false;
    this.db.prepare('UPDATE model_versions SET active = (id = ?) WHERE source = ?').run(id, v.source);
    return true;
  }

  private prune(source: string, keep: number): void {
    const n = (this.db.prepare('SELECT COUNT(*) AS n FROM model_versions WHERE source = ?').get(source) as { n: number }).n;
    if (n <= keep) return;
    this.db.prepare('DELETE FROM model_versions WHERE id IN (SELECT id FROM model_versions WHERE source = ? AND active = 0 ORDER BY id LIMIT ?)').run(source, n - keep);
  }
}
