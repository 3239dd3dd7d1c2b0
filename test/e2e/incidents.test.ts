/**
 * Issue 12: a generated WAF day with labelled anomaly periods, read once by `watch --once`; the stored
 * incidents (`logradar incidents --json`) cover every period, about one incident per period.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'logradar');
const dir = mkdtempSync(join(tmpdir(), 'logradar-e2e-incidents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const ndjson = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('incidents of a generated WAF scenario', () => {
  it('every labelled period overlaps an incident, and there are about as many incidents as periods', () => {
    const logs = join(dir, 'waf');
    const data = join(dir, 'data');
    const labels = join(dir, 'labels.ndjson');
    cli(['generate', 'waf', '--out', logs, '--start', '2026-11-21T08:00:00Z', '--duration', '2h', '--anomaly', 'random', '--labels', labels, '--seed', '3']);
    cli(['watch', '--once', logs, '--data-dir', data, '--log-level', 'warn']);
    const periods = ndjson(readFileSync(labels, 'utf8')).map((l) => ({ start: Date.parse(String(l.start)), end: Date.parse(String(l.end)) }));
    const incidents = ndjson(cli(['incidents', '--data-dir', data, '--json']));
    expect(periods.length).toBeGreaterThan(3);
    for (const i of incidents) {
      expect(Object.keys(i)).toEqual(expect.arrayContaining(['id', 'start', 'end', 'sources', 'grade', 'anomalies', 'summary', 'kinds', 'detectors', 'status']));
      expect(String(i.start)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const span = (i: Record<string, unknown>) => ({ start: Date.parse(String(i.start)), end: Date.parse(String(i.end)) });
    for (const p of periods) expect(incidents.some((i) => span(i).start < p.end && span(i).end > p.start), JSON.stringify(p)).toBe(true);
    // seed 3 gives 10 periods and 10 incidents; a stray window may add one
    expect(incidents.length).toBeGreaterThanOrEqual(periods.length);
    expect(incidents.length).toBeLessThanOrEqual(periods.length + 2);
    // each anomaly names its incident, and the counts agree
    const anomalies = ndjson(cli(['anomalies', '--data-dir', data, '--json']));
    for (const i of incidents) expect(anomalies.filter((a) => a.incident === i.id)).toHaveLength(Number(i.anomalies));
    // the table, and a range that holds only the first incident
    expect(cli(['incidents', '--data-dir', data])).toContain('#1 ');
    const first = span(incidents[0]);
    // (until just past its start: the next incident may begin where the first ends)
    const ranged = ndjson(cli(['incidents', '--data-dir', data, '--json', '--until', new Date(first.start + 1).toISOString()]));
    expect(ranged.map((i) => i.id)).toEqual([incidents[0].id]);
    // the report counts the same incidents as `incidents --since` for the same range
    const since = new Date(first.start + 30 * 60_000).toISOString();
    const until = new Date(Date.parse(String(incidents[incidents.length - 1].end)) + 60_000).toISOString();
    const listed = ndjson(cli(['incidents', '--data-dir', data, '--json', '--since', since, '--until', until]));
    expect(listed.length).toBeLessThan(incidents.length);
    const report = cli(['report', '--data-dir', data, '--since', since, '--until', until]);
    expect(report).toContain(`${listed.length} incidents, `);
  });
});
