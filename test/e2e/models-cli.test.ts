/**
 * `logradar models retrain|list|rollback` through the built CLI on a real SQLite store: versions listed
 * with their training range, a bad version id exits 2 naming it, a rollback makes the previous version
 * active, and a pipeline started afterwards scores exactly as that version does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { Features } from '../../src/detectors/model.js';
import { allDetectors, createDetectorSet, type DetectorSet } from '../../src/detectors/registry.js';
import { MetricsRegistry } from '../../src/model/metrics.js';
import type { RawLine } from '../../src/model/record.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { parseModels, restoreSnapshots } from '../../src/pipeline/detector-state.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { createLogger } from '../../src/util/log.js';
import { runCli } from '../helpers/cli.js';
import { calibratedNamed, recordProbe } from '../helpers/detector-harness.js';

const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), 'logradar-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = configSchema.parse({ dataDir: dir, logLevel: 'silent' });
const models = (...args: string[]) => runCli(['models', ...args, '--data-dir', dir, '--log-level', 'silent']);
/** Record-forest probes: the features the production featurizer gives a record (no monitored fields here). */
const PROBES: Features[] = [{ 'template.rarity': 1, 'level.INFO': 1 }, { 'template.rarity': 9, 'level.ERROR': 1 }];

/** Raw score and grade of the record forest of a detector set on the probes, through the detector contract. */
function scores(set: DetectorSet): Array<number | undefined> {
  const forest = calibratedNamed(set, 'record', 'record-forest');
  return PROBES.flatMap((x) => {
    const { rec, ctx } = recordProbe(x);
    return [forest.raw(rec, ctx), forest.score(rec, ctx)[0]?.grade];
  });
}

/** A source's detectors as a stored model version makes them. */
function restoredFrom(store: SqliteStore, id: number): DetectorSet {
  const set = createDetectorSet(config);
  restoreSnapshots(allDetectors(set), parseModels(store.versions.snapshot(id)!).detectors);
  return set;
}

/** Three days of source `app` ending an hour ago (retraining takes the last 7 days back from now). */
function ingest(): number {
  const store = SqliteStore.open(dir);
  const pipeline = new Pipeline(config, store, new MetricsRegistry(), createLogger('silent'));
  const start = Date.now() - 73 * HOUR;
  let line = 0;
  for (let h = 0; h < 72; h++) {
    const lines: RawLine[] = [];
    for (let i = 0; i < 20; i++) {
      const ts = new Date(start + h * HOUR + i * 150_000).toISOString();
      const message = i % 10 === 3 ? `cache miss for key k${(h * 31 + i) % 97}` : `request served in ${5 + ((h + i * 13) % 40)} ms`;
      lines.push({ text: JSON.stringify({ timestamp: ts, level: i === 7 && h % 5 === 0 ? 'WARN' : 'INFO', message }), offset: line * 100, line: ++line, truncated: false });
    }
    pipeline.process({ source: 'app', fileId: null, lines });
  }
  pipeline.flushState();
  store.close();
  return line;
}

interface VersionJson {
  id: number;
  source: string;
  created: string;
  from: string | null;
  to: string | null;
  records: number;
  active: boolean;
}

const listJson = async (): Promise<VersionJson[]> => {
  const r = await models('list', '--json');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as VersionJson);
};

describe('logradar models', () => {
  it('retrain, list, rollback (bad id: exit 2), and a later pipeline uses the version rolled back to', async () => {
    const lines = ingest();
    const empty = await models('list');
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toMatch(/no model versions yet/);

    const first = await models('retrain');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^app: version 2 active, ${lines} records of \\S+ \\.\\. \\S+ \\(0 left out`));
    const second = await models('retrain', '--json');
    expect(second.code, second.stderr).toBe(0);
    const made = JSON.parse(second.stdout) as { version: number; records: number; from: string; to: string };
    expect(made).toMatchObject({ version: 3, records: lines });
    expect(Date.parse(made.to) - Date.parse(made.from)).toBe(7 * 24 * HOUR);

    const table = await models('list', '--source', 'app');
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^id\s+source\s+created\s+training range\s+records\s+active$/);
    expect(rows[1]).toMatch(/^1\s+app\s+\S+Z\s+\(learned online\)\s+\d+$/);
    expect(rows[2]).toMatch(new RegExp(`^2\\s+app\\s+\\S+Z\\s+\\S+Z \\.\\. \\S+Z\\s+${lines}$`));
    expect(rows[3]).toMatch(new RegExp(`^3\\s+app\\s+.*\\s+${lines}\\s+active$`));
    const listed = await listJson();
    expect(listed.map((v) => [v.id, v.active])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(listed[0]).toMatchObject({ from: null, to: null });
    expect(listed[2]).toMatchObject({ source: 'app', from: made.from, to: made.to, records: lines });

    for (const bad of ['999', 'abc']) {
      const r = await models('rollback', bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`no model version "${bad}"`);
    }
    expect((await models('rollback', '--previous')).code).toBe(2);
    expect((await models('rollback')).code).toBe(2);
    expect((await listJson()).find((v) => v.active)?.id).toBe(3);

    const back = await models('rollback', '--source', 'app', '--previous');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout.trim()).toBe('app: version 2 active (was 3)');
    expect((await listJson()).find((v) => v.active)?.id).toBe(2);

    // a watch started now resumes with version 2: the same scores as that version's own snapshot
    const store = SqliteStore.open(dir);
    try {
      const pipeline = new Pipeline(config, store, new MetricsRegistry(), createLogger('silent'));
      pipeline.process({ source: 'app', fileId: null, lines: [] });
      const running = pipeline.sourceModels('app')!;
      expect(running.version).toBe(2);
      const own = restoredFrom(store, 2);
      expect(scores(own).every((v) => typeof v === 'number')).toBe(true);
      expect(scores(running.detectors)).toEqual(scores(own));
      expect(scores(running.detectors)).not.toEqual(scores(restoredFrom(store, 1)));
    } finally {
      store.close();
    }
  }, 120_000);
});
