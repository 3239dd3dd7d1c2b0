/**
 * Issue 12: a low-volume WAF source (10 records a minute), one JSON record per file without a trailing
 * newline, no config. The field-rate detector must judge longer windows by itself (a minute holds 10
 * records) and the automatic fields must not learn an anomaly's values as known.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'logradar');
const work = mkdtempSync(join(tmpdir(), 'logradar-waf-low-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`logradar ${args.join(' ')} → ${r.status}: ${r.stderr}`);
  return r.stdout;
}

describe('WAF at 10 records a minute, one record per file, no config', () => {
  it('finds every anomaly period with at most 4 false alarms', () => {
    const T0 = Date.parse('2026-03-02T00:00:00Z');
    const MIN = 60_000;
    const labels = join(work, 'labels.ndjson');
    // 40 normal minutes, then three 40-minute segments with a 5-minute period each (deterministic seeds)
    const segments: Array<[string, number]> = [['none', 1], ['country', 2], ['httpMethod', 3], ['httpStatus', 4]];
    const lines: string[] = [];
    segments.forEach(([anomaly, seed], i) => {
      const out = join(work, `seg${i}`);
      const extra = anomaly === 'none' ? [] : ['--anomaly-after', '20m', '--anomaly-length', '5m', '--labels', labels];
      cli(['generate', 'waf', '--out', out, '--rate', '10/m', '--seed', String(seed), '--start', new Date(T0 + i * 40 * MIN).toISOString(), '--duration', '40m', '--anomaly', anomaly, ...extra]);
      for (const f of readdirSync(out).sort()) for (const l of readFileSync(join(out, f), 'utf8').split('\n')) if (l.trim()) lines.push(l);
    });
    const dir = join(work, 'logs');
    mkdirSync(dir);
    lines.forEach((l, i) => writeFileSync(join(dir, `waf-${String(i).padStart(6, '0')}.json`), l));

    const out = cli(['watch', dir, '--once', '--json', '--data-dir', join(work, 'data'), '--log-level', 'error']);
    const anomalies = out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { kind: string; ts: string; window?: { start: string; end: string }; file?: string; line?: number });
    const periods = readFileSync(labels, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { start: string; end: string });
    expect(periods).toHaveLength(3);
    const found = new Set<number>();
    const alarms = new Set<string>();
    for (const a of anomalies) {
      const s = Date.parse(a.window?.start ?? a.ts);
      const e = Math.max(Date.parse(a.window?.end ?? a.ts), s + 1000);
      const hit = periods.map((p, i) => (s < Date.parse(p.end) && e > Date.parse(p.start) ? i : -1)).filter((i) => i >= 0);
      hit.forEach((i) => found.add(i));
      if (!hit.length) alarms.add(`${a.kind}:${a.window ? s : `${a.file}:${a.line}`}`);
    }
    expect(found.size).toBe(3);
    expect(alarms.size).toBeLessThanOrEqual(4);
    // reported within one window length of the scale that found it: the window ends ≤ 15 min after the start
    for (const p of periods) {
      const first = anomalies.filter((a) => a.window && Date.parse(a.window.end) > Date.parse(p.start) && Date.parse(a.window.start) < Date.parse(p.end)).map((a) => Date.parse(a.window!.end));
      expect(Math.min(...first) - Date.parse(p.start)).toBeLessThanOrEqual(15 * MIN);
    }
  }, 60_000);

  it('a period in the last minute of a log read with --once is judged at the end; one in the first minutes too', () => {
    const dir = join(work, 'edges');
    const labels = join(work, 'edges.ndjson');
    const start = '2026-03-02T00:00:00Z';
    // 1 record a second: a 1-minute period 6 minutes in, then one in the log's last minute
    cli(['generate', 'waf', '--out', join(dir, 'a'), '--rate', '1', '--seed', '5', '--start', start, '--duration', '10m', '--anomaly', 'country', '--anomaly-after', '6m', '--anomaly-length', '1m', '--labels', labels]);
    cli(['generate', 'waf', '--out', join(dir, 'b'), '--rate', '1', '--seed', '6', '--start', '2026-03-02T00:10:00Z', '--duration', '10m', '--anomaly', 'httpMethod', '--anomaly-after', '9m', '--anomaly-length', '1m', '--labels', labels]);
    const out = cli(['watch', dir, '--once', '--json', '--data-dir', join(work, 'edges-data'), '--log-level', 'error']);
    const windows = out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { window?: { start: string; end: string } }).filter((a) => a.window);
    const periods = readFileSync(labels, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { start: string; end: string });
    expect(periods).toHaveLength(2);
    for (const p of periods) expect(windows.some((a) => Date.parse(a.window!.start) < Date.parse(p.end) && Date.parse(a.window!.end) > Date.parse(p.start))).toBe(true);
  }, 60_000);
});
