/**
 * The end-to-end case: the WAF generator and `watch` run as two separate processes on a temp
 * directory; normal traffic, then an enforced anomaly. Read back through `logradar anomalies --json`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'logradar');
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'logradar-e2e-waf-'));

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => err };
}

describe('WAF scenario, generator and watch as two processes', () => {
  it('finds the enforced country anomaly and nothing before it', async () => {
    const logs = join(dir, 'waf');
    const data = join(dir, 'data');
    const labels = join(dir, 'labels.ndjson');
    const config = join(dir, 'logradar.yaml');
    writeFileSync(
      config,
      [
        'files: { pollInterval: 250ms }',
        'parse: { format: json }',
        'detect:',
        '  interval: 2s',
        '  warmupIntervals: 5',
        '  fields:',
        '    - { field: action, known: [ALLOW, CAPTCHA, CHALLENGE, COUNT] }',
        '    - { field: httpSourceName, known: [ALB, APIGW, APPSYNC, CF] }',
        "    - { field: httpStatus, known: ['200', '202', '307', '308'] }",
        '    - { field: httpRequest.country, known: [US, UK, IN] }',
        '    - { field: httpRequest.httpMethod, known: [GET, HEAD, POST] }',
        '',
      ].join('\n'),
    );
    // the generator creates the directory: watch waits for it
    const watch = start(['watch', logs, '--allow-missing', '--data-dir', data, '--config', config, '--log-level', 'warn', '--json']);
    const gen = start(['generate', 'waf', '--out', logs, '--live', '--duration', '34s', '--rate', '60', '--files-per-minute', '12', '--seed', '7', '--anomaly', 'country=XX', '--anomaly-after', '22s', '--anomaly-length', '8s', '--labels', labels]);
    expect(await gen.exited, gen.stderr()).toBe(0);
    // let the last window close (interval 2 s, lateness = interval) and be committed
    await new Promise((r) => setTimeout(r, 6000));
    watch.child.kill('SIGTERM');
    expect(await watch.exited, watch.stderr()).toBe(0);

    const label = JSON.parse(readFileSync(labels, 'utf8').trim().split('\n')[0]) as { field: string; start: string; end: string };
    expect(label.field).toBe('httpRequest.country');
    const out = spawnSync(process.execPath, [BIN, 'anomalies', '--data-dir', data, '--json'], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const anomalies = out.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; ts: string; reason: string; grade: number; window?: { start: string; end: string }; explain?: { field?: string } });
    const start0 = Date.parse(label.start);
    const end0 = Date.parse(label.end);
    const found = anomalies.filter((a) => a.kind === 'window' && a.window && Date.parse(a.window.end) > start0 && Date.parse(a.window.start) < end0);
    expect(found.length, JSON.stringify(anomalies)).toBeGreaterThan(0);
    expect(found[0].reason).toContain('httpRequest.country');
    expect(found[0].explain?.field).toBe('httpRequest.country');
    expect(found[0].grade).toBeGreaterThanOrEqual(0.7);
    // the normal stretch before the anomaly raised nothing above the default threshold
    const early = anomalies.filter((a) => Date.parse(a.window?.end ?? a.ts) <= start0);
    expect(early, JSON.stringify(early)).toEqual([]);
    // events are there too, with line numbers and files
    const ev = spawnSync(process.execPath, [BIN, 'events', '--data-dir', data, '--json', '--limit', '1'], { encoding: 'utf8' });
    const first = JSON.parse(ev.stdout.trim()) as { line: number; file: string; raw: string };
    expect(first.line).toBe(1);
    expect(first.file).toContain(logs);
    expect(JSON.parse(first.raw)).toHaveProperty('httpRequest');
  }, 90_000);
});
