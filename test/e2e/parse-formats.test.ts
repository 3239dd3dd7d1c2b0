/**
 * `logradar parse` and `watch -` with the format decoders, multi-line records and user masks, through
 * the CLI: plain never groups, auto groups stack traces, exports are split, a bad mask exits 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'logradar');
const dir = mkdtempSync(join(tmpdir(), 'logradar-parse-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], input?: string) => spawnSync(BIN, args, { encoding: 'utf8', input, timeout: 60_000 });

interface Out {
  line: number;
  templateId: number;
  template: string;
  params: string[];
}

function parse(file: string, ...args: string[]): Out[] {
  const r = cli(['parse', file, '--json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Out);
}

const TRACE_LOG = [
  '2026-11-21 10:00:00,001 INFO  Main: started',
  '2026-11-21 10:00:01,002 ERROR OrderService: failed to process order 42',
  'java.lang.IllegalStateException: connection refused',
  '\tat com.shop.OrderService.process(OrderService.java:88)',
  '\tat com.shop.Main.main(Main.java:12)',
  '2026-11-21 10:00:02,003 ERROR OrderService: failed to process order 43',
  'java.lang.IllegalStateException: connection refused',
  '\tat com.shop.OrderService.process(OrderService.java:88)',
  '2026-11-21 10:00:03,004 WARN  worker: job 9 crashed',
  'Traceback (most recent call last):',
  '  File "/app/worker.py", line 3, in run',
  "KeyError: 'k'",
  '   indented line right after',
];

describe('parse: multi-line records', () => {
  const f = join(dir, 'trace.log');
  writeFileSync(f, TRACE_LOG.join('\n') + '\n');

  it('--format plain never groups: one object per input line, indented and continuation lines included', () => {
    const out = parse(f, '--format', 'plain');
    expect(out.map((o) => o.line)).toEqual(TRACE_LOG.map((_, i) => i + 1));
    // even with grouping asked for in the config
    const cfg = join(dir, 'ml-on.yaml');
    writeFileSync(cfg, 'parse: { multiline: { enabled: true } }\n');
    expect(parse(f, '--format', 'plain', '--config', cfg)).toHaveLength(TRACE_LOG.length);
  });

  it('--format auto groups each trace with the line that logged it', () => {
    const out = parse(f, '--format', 'auto');
    expect(out.map((o) => o.line)).toEqual([1, 2, 6, 9]);
    expect(out[1].templateId).toBe(out[2].templateId);
    expect(out[2].template).toBe('failed to process order <*> java.lang.IllegalStateException: connection refused');
    expect(out[3].template).toBe("job <*> crashed KeyError: 'k'");
    const cfg = join(dir, 'ml-off.yaml');
    writeFileSync(cfg, 'parse: { multiline: { enabled: false } }\n');
    expect(parse(f, '--format', 'auto', '--config', cfg)).toHaveLength(TRACE_LOG.length);
  });

  it('watch - stores one event per trace', () => {
    const data = join(dir, 'stdin-data');
    const r = cli(['watch', '-', '--data-dir', data, '--log-level', 'warn'], TRACE_LOG.join('\n') + '\n');
    expect(r.status, r.stderr).toBe(0);
    const events = cli(['events', '--data-dir', data, '--json'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; raw: string });
    expect(events.map((e) => e.line)).toEqual([1, 2, 6, 9]);
    // the store keeps a record's line breaks as \n
    expect(events[1].raw.split('\\n')).toEqual(TRACE_LOG.slice(1, 5));
  });
});

describe('parse: AWS exports', () => {
  it('--format cloudtrail splits a pretty-printed export into its records, with their line numbers', () => {
    const records = [
      { eventVersion: '1.08', eventTime: '2026-11-21T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', awsRegion: 'us-east-1' },
      { eventVersion: '1.08', eventTime: '2026-11-21T10:00:05Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', errorCode: 'AccessDenied' },
      { eventVersion: '1.08', eventTime: '2026-11-21T10:00:09Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', awsRegion: 'eu-west-1' },
    ];
    const f = join(dir, 'trail.json');
    const text = JSON.stringify({ Records: records }, null, 2);
    writeFileSync(f, text + '\n');
    const out = parse(f, '--format', 'cloudtrail');
    expect(out.map((o) => o.template)).toEqual(['s3.amazonaws.com GetObject', 'iam.amazonaws.com CreateUser AccessDenied', 's3.amazonaws.com GetObject']);
    expect(out[0].templateId).toBe(out[2].templateId);
    const starts = text.split('\n').flatMap((l, i) => (l === '    {' ? [i + 1] : []));
    expect(out.map((o) => o.line)).toEqual(starts);
  });
});

describe('parse: masks in the config', () => {
  const f = join(dir, 'mail.log');
  writeFileSync(f, 'mail from alice@a.org to bob@b.org accepted\nmail from carol@c.net to dave@d.net accepted\n');
  const g = join(dir, 'users.log');
  writeFileSync(g, 'user alice.smith on host red-fox accepted\nuser carol.jones on host blue-owl accepted\n');

  it('e-mail addresses are masked by default; parse.defaultMasks: [] keeps them', () => {
    const out = parse(f, '--format', 'plain');
    expect(out[1].templateId).toBe(out[0].templateId);
    expect(out[1].template).toBe('mail from <*> to <*> accepted');
    expect(out[1].params).toEqual(['carol@c.net', 'dave@d.net']);
    const cfg = join(dir, 'no-default-masks.yaml');
    writeFileSync(cfg, ['parse:', '  defaultMasks: []', ''].join('\n'));
    expect(new Set(parse(f, '--format', 'plain', '--config', cfg).map((o) => o.templateId)).size).toBe(2);
  });

  it('a user mask changes grouping', () => {
    expect(new Set(parse(g, '--format', 'plain').map((o) => o.templateId)).size).toBe(2);
    const cfg = join(dir, 'masks.yaml');
    writeFileSync(cfg, ['parse:', '  masks:', '    - { name: names, regex: "[a-z]+[.-][a-z]+" }', ''].join('\n'));
    const out = parse(g, '--format', 'plain', '--config', cfg);
    expect(out[1].templateId).toBe(out[0].templateId);
    expect(out[1].template).toBe('user <*> on host <*> accepted');
    expect(out[1].params).toEqual(['carol.jones', 'blue-owl']);
  });

  it('a mask no linear-time engine can run is refused at config load: file, key and reason, exit 2', () => {
    const cfg = join(dir, 'bad-mask.yaml');
    writeFileSync(cfg, ['parse:', '  masks:', '    - email', '    - { name: evil, regex: "(a+)+(?=b)" }', ''].join('\n'));
    const r = cli(['parse', f, '--config', cfg]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${cfg}: parse.masks.1.regex: can take exponential time on one line by backtracking, and the linear-time engine cannot run it`);
  });
});
