/**
 * Batch `train`/`detect` through the CLI (DESIGN §6). HDFS: raw lines, block sessions by key regex,
 * no labels in training; the test split's session anomalies are scored against its labels here the
 * way ../shared/tools/score-detect.py does. Floors guard against regressions; docs/detectors.md has the figures.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, ROOT, runCli, tmpDir, watchOnce, writeConfig } from '../helpers/cli.js';
import { sharedData } from '../helpers/shared-data.js';

cleanupAfterEach();

const TRAIN = sharedData('hdfs/hdfs100k_rendered_train.log');
const TEST = sharedData('hdfs/hdfs100k_rendered_test.log');
const LABELS = sharedData('hdfs/hdfs100k_rendered_test_labels.csv');
const KEY = 'blk_-?\\d+';

function ndjson(s: string): Array<Record<string, unknown>> {
  return s
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!TRAIN.present)(`HDFS block sessions (${TRAIN.why})`, () => {
  it('train then detect: session anomalies with explanations, precision ≥ 0.95 and F1 ≥ 0.65 on the test split', async () => {
    const model = join(tmpDir('logradar-batch-'), 'model');
    const t = await runCli(['train', TRAIN.path, '--model', model, '--session-key', KEY, '--log-level', 'warn'], { timeoutMs: 120_000 });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/trained on 52457 lines/);
    const d = await runCli(['detect', TEST.path, '--model', model, '--session-key', KEY, '--json', '--log-level', 'warn'], { timeoutMs: 120_000 });
    expect(d.code, d.stderr).toBe(0);
    const out = ndjson(d.stdout);
    const sessions = out.filter((o) => o.kind === 'session');
    const truth = new Map(
      readFileSync(LABELS.path, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','))
        .map(([k, v]) => [k, v === 'Anomaly' || v === '1'] as const),
    );
    const flagged = new Set(sessions.map((s) => s.session as string));
    const tp = [...flagged].filter((k) => truth.get(k)).length;
    const positives = [...truth.values()].filter(Boolean).length;
    const p = tp / flagged.size;
    const r = tp / positives;
    const f1 = (2 * p * r) / (p + r);
    console.log(`HDFS test split: flagged ${flagged.size}, P ${p.toFixed(3)} R ${r.toFixed(3)} F1 ${f1.toFixed(3)}`);
    expect(p).toBeGreaterThanOrEqual(0.95);
    expect(f1).toBeGreaterThanOrEqual(0.65);
    // every anomaly explains itself: detectors with grades, a reason, the first line of the session in its file
    const raw = readFileSync(TEST.path, 'utf8').split('\n');
    for (const s of sessions) {
      expect(s.grade as number).toBeGreaterThanOrEqual(0.7);
      expect(s.detectors).toEqual(expect.arrayContaining([expect.objectContaining({ detector: expect.any(String), grade: expect.any(Number) })]));
      // session-signature names a rare value, count-invariants a broken relation with its counts
      expect(s.reason).toMatch(/template #\d+ occurred|\d+ × .* training sessions/);
      expect(raw[(s.line as number) - 1]).toBe(s.raw);
      expect(s.raw as string).toContain(s.session as string);
      const ex = s.explain as { lines: Array<{ line: number; raw: string }> };
      expect(ex.lines.length).toBeGreaterThan(0);
      for (const l of ex.lines) expect(raw[l.line - 1]).toBe(l.raw);
    }
  }, 180_000);
});

describe.skipIf(!TRAIN.present)(`sessions while watching (${TRAIN.why})`, () => {
  it('watch learns sessions online and stores session anomalies with their key, queryable with anomalies --json', async () => {
    const dir = tmpDir('logradar-batch-');
    const cfg = writeConfig(dir, { session: { key: KEY } });
    const r = await watchOnce({ paths: [TRAIN.path], dataDir: join(dir, 'data'), config: cfg });
    expect(r.code, r.stderr).toBe(0);
    const q = await runCli(['anomalies', '--data-dir', join(dir, 'data'), '--json']);
    expect(q.code, q.stderr).toBe(0);
    const sessions = ndjson(q.stdout).filter((a) => a.kind === 'session');
    expect(sessions.length).toBeGreaterThan(10);
    const raw = readFileSync(TRAIN.path, 'utf8').split('\n');
    for (const s of sessions) {
      expect(s.session).toMatch(/^blk_-?\d+$/);
      expect(raw[(s.line as number) - 1]).toContain(s.session as string);
    }
  }, 180_000);
});

describe('WAF scenario explanations', () => {
  it('every detected anomaly carries detectors with grades, contributing features, a nearest normal example and its raw line', async () => {
    const dir = tmpDir('logradar-batch-');
    const gen = (out: string, extra: string[]) => runCli(['generate', 'waf', '--out', join(dir, out), '--duration', '30m', ...extra], { timeoutMs: 120_000 });
    expect((await gen('train', ['--seed', '1'])).code).toBe(0);
    expect((await gen('test', ['--seed', '2', '--anomaly', 'country=XX', '--anomaly-after', '15m', '--anomaly-length', '5m'])).code).toBe(0);
    const files = (d: string) => readdirSync(join(dir, d)).sort().map((f) => join(dir, d, f));
    const cfg = join(ROOT, 'examples', 'waf.yaml');
    const t = await runCli(['train', ...files('train'), '--model', join(dir, 'm'), '--config', cfg, '--log-level', 'warn'], { timeoutMs: 120_000 });
    expect(t.code, t.stderr).toBe(0);
    const d = await runCli(['detect', ...files('test'), '--model', join(dir, 'm'), '--config', cfg, '--json', '--log-level', 'warn'], { timeoutMs: 120_000 });
    expect(d.code, d.stderr).toBe(0);
    const out = ndjson(d.stdout);
    const windows = out.filter((o) => o.kind === 'window');
    expect(windows.length).toBeGreaterThan(0);
    expect(windows.some((w) => /country/.test(w.reason as string))).toBe(true);
    for (const a of out) {
      expect(a.detectors).toEqual(expect.arrayContaining([expect.objectContaining({ detector: expect.any(String), grade: expect.any(Number) })]));
      const ex = a.explain as { contributions: Array<{ feature: string }>; nearestNormal?: unknown; file: string };
      expect(ex.contributions.length).toBeGreaterThan(0);
      expect(ex.nearestNormal).toBeDefined();
      // the raw line is the line at that number of that file
      expect(typeof a.line).toBe('number');
      const lines = readFileSync(ex.file, 'utf8').split('\n');
      expect(lines[(a.line as number) - 1]).toBe(a.raw);
    }
    const country = windows.find((w) => /country/.test(w.reason as string))!;
    const ex = country.explain as { contributions: Array<{ feature: string }>; nearestNormal: { total: number } };
    expect(ex.contributions[0].feature).toBe('httpRequest.country=XX');
    expect(ex.nearestNormal.total).toBeGreaterThan(0);
  }, 240_000);
});

describe('batch mode errors and --all', () => {
  it('training is deterministic: the same input and seed give the same model', async () => {
    const dir = tmpDir('logradar-batch-');
    const log = join(dir, 'in.log');
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) lines.push(`2026-11-21T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z INFO req r${i % 50} step ${i % 3} took ${(i * 7) % 100} ms`);
    writeFileSync(log, lines.join('\n') + '\n');
    const models: string[] = [];
    for (const m of ['m1', 'm2']) {
      const r = await runCli(['train', log, '--model', join(dir, m), '--session-key', 'r\\d+']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(readFileSync(join(dir, m, 'model.json'), 'utf8')) as Record<string, unknown>;
      delete j.created;
      models.push(JSON.stringify(j));
    }
    expect(models[1]).toBe(models[0]);
    expect(models[0]).toContain('"models:default"');
  });

  it('detect without a trained model exits 2 naming the model file', async () => {
    const dir = tmpDir('logradar-batch-');
    const log = join(dir, 'a.log');
    writeFileSync(log, 'hello\n');
    const r = await runCli(['detect', log, '--model', join(dir, 'none'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/none\/model\.json: no model here/);
  });

  it('a missing input file exits 2 naming it', async () => {
    const dir = tmpDir('logradar-batch-');
    const r = await runCli(['train', join(dir, 'nope.log'), '--model', join(dir, 'm')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.log: no such file/);
  });

  it('--all prints every session once, anomalous or not, with a grade', async () => {
    const dir = tmpDir('logradar-batch-');
    const train = join(dir, 'train.log');
    const test = join(dir, 'test.log');
    // 100 sessions "open → write → close"; the test has one that never closes and one normal one
    const lines: string[] = [];
    for (let i = 0; i < 100; i++) lines.push(`open s${i}`, `write s${i} 100 bytes`, `close s${i}`);
    writeFileSync(train, lines.join('\n') + '\n');
    writeFileSync(test, ['open s900', 'write s900 5 bytes', 'open s901', 'write s901 7 bytes', 'close s901'].join('\n') + '\n');
    const model = join(dir, 'm');
    expect((await runCli(['train', train, '--model', model, '--session-key', 's\\d+', '--format', 'plain'])).code).toBe(0);
    const d = await runCli(['detect', test, '--model', model, '--session-key', 's\\d+', '--format', 'plain', '--json', '--all']);
    expect(d.code, d.stderr).toBe(0);
    const sessions = ndjson(d.stdout).filter((o) => o.kind === 'session');
    expect(sessions.map((s) => [s.session, s.anomalous]).sort()).toEqual([
      ['s900', true],
      ['s901', false],
    ]);
    const bad = sessions.find((s) => s.session === 's900')!;
    expect(bad.line).toBe(1);
    expect(bad.reason).toMatch(/occurred 0 times/);
  });
});
