/** The CLI's contracts that a newcomer relies on: help, stdin, the demo, query flags, exit codes. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'logradar');
const dir = mkdtempSync(join(tmpdir(), 'logradar-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], input?: string) => spawnSync(BIN, args, { encoding: 'utf8', input, timeout: 60_000 });

describe('logradar CLI', () => {
  it('--help lists the commands and exits 0', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['demo', 'watch', 'events', 'anomalies', 'status', 'generate', 'config']) expect(r.stdout).toContain(c);
  });

  it('an unknown command or flag exits 2', () => {
    expect(cli(['frobnicate']).status).toBe(2);
    expect(cli(['frobnicate', '--help']).status).toBe(2);
    expect(cli(['events', '--no-such-flag']).status).toBe(2);
  });

  it('a bad --since names the flag and exits 2', () => {
    const data = join(dir, 'empty');
    cli(['watch', '-', '--data-dir', data, '--log-level', 'silent'], 'one line\n');
    const r = cli(['events', '--data-dir', data, '--since', 'yesterday-ish']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--since');
  });

  it('watch - reads stdin to its end; events are queryable with filters', () => {
    const data = join(dir, 'stdin');
    const lines = Array.from({ length: 50 }, (_, i) => `2026-11-21T10:${String(i).padStart(2, '0')}:00Z worker ${i % 3} finished job ${1000 + i} in ${i * 7} ms`);
    lines.splice(25, 0, '', '2026-11-21T10:25:30Z worker 1 finished job 1025 in 175 ms'); // an empty line is dropped
    const r = cli(['watch', '-', '--data-dir', data, '--log-level', 'warn'], lines.join('\n') + '\nno newline at the end');
    expect(r.status, r.stderr).toBe(0);
    const all = cli(['events', '--data-dir', data, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; source: string; raw: string; templateId: number; ts: string });
    expect(all).toHaveLength(52);
    expect(all[0]).toMatchObject({ line: 1, source: 'stdin' });
    expect(all[26].line).toBe(28); // numbering counts the dropped empty line
    expect(all[51].raw).toBe('no newline at the end');
    expect(new Set(all.slice(0, 50).map((e) => e.templateId)).size).toBe(1);
    const since = cli(['events', '--data-dir', data, '--json', '--since', '2026-11-21T10:40:00Z', '--until', '2026-11-21T10:59:59Z']).stdout.trim().split('\n');
    expect(since).toHaveLength(10);
    // the line without a timestamp got its ingestion time
    expect(Date.parse(all[51].ts)).toBeGreaterThan(Date.now() - 120_000);
    const grep = cli(['events', '--data-dir', data, '--json', '--grep', 'job 1007 ']).stdout.trim().split('\n');
    expect(grep).toHaveLength(1);
    expect(cli(['events', '--data-dir', data, '--limit', '3']).stdout.trim().split('\n')).toHaveLength(3);
  });

  it('a store from a newer version is refused with exit 2', async () => {
    const data = join(dir, 'newer');
    cli(['watch', '-', '--data-dir', data, '--log-level', 'silent'], 'x y z\n');
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(data, 'logradar.db'));
    db.pragma('user_version = 999');
    db.close();
    const r = cli(['events', '--data-dir', data]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/newer logradar/);
  });

  it('config errors name the file, the key and the reason, exit 2', () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'detect:\n  treshold: 0.5\n');
    const r = cli(['watch', dir, '--config', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(f);
    expect(r.stderr).toContain('detect.treshold');
    expect(r.stderr).toContain('unknown key');
    writeFileSync(f, 'files:\n  pollInterval: soon\n');
    const r2 = spawnSync(BIN, ['config', '--check'], { encoding: 'utf8', env: { ...process.env, LOGRADAR_CONFIG: f } });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('files.pollInterval');
  });

  it('the demo shows a detection (short timings)', async () => {
    const child = spawn(BIN, ['demo', '--data-dir', join(dir, 'demo'), '--duration', '24s', '--interval', '1s', '--anomaly', 'httpStatus', '--anomaly-after', '11s', '--anomaly-length', '6s', '--rate', '100', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, err).toBe(0);
    expect(err).toContain('warming up');
    const found = out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; reason: string });
    expect(found.some((a) => a.kind === 'window' && a.reason.startsWith('httpStatus')), out).toBe(true);
  }, 60_000);
});

describe('logradar parse', () => {
  it('--format plain --json prints one object per input line, in order, empty and repeated lines included', () => {
    const f = join(dir, 'plain.log');
    writeFileSync(f, 'user 1 logged in\n\nuser 2 logged in\nuser 2 logged in\n  leading   spaces  here 7\nno newline at end');
    const r = cli(['parse', f, '--format', 'plain', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; templateId: number; template: string; params: string[] });
    expect(out.map((o) => o.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out[0].templateId).toBe(out[2].templateId);
    expect(out[3].template).toBe('user <*> logged in');
    expect(out[3].params).toEqual(['2']);
    expect(out[4].template).toBe('leading spaces here <*>');
    expect(out[5].template).toBe('no newline at end');
  });

  it('without --json prints the templates with counts', () => {
    const f = join(dir, 'table.log');
    writeFileSync(f, 'a 1\na 2\nb c\n');
    const r = cli(['parse', f]);
    expect(r.stdout).toMatch(/2 templates from 3 lines/);
    expect(r.stdout).toMatch(/\s2\s+#\d+\s+a <\*>/);
  });
});

describe('logradar watch on a terminal', () => {
  it('names what it reads, the data dir and where to look next; never reads its own data dir inside the watched tree', () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'app'), { recursive: true });
    writeFileSync(join(root, 'app', 'a.log'), 'service started on port 8080\n'.repeat(20));
    const data = join(root, 'data');
    // `script` gives the command a terminal (util-linux, on every Debian); the command stops itself after 3 s
    const r = spawnSync('script', ['-qec', `timeout -s INT 3 ${process.execPath} ${BIN} watch ${root} --data-dir ${data} --log-level warn`, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
    const out = r.stdout.replace(/\r/g, '');
    expect(out).toContain(`logradar: watching 1 file in ${root} (data dir ${data}); anomalies are printed here as they are found`);
    expect(out).toContain(`logradar anomalies --data-dir ${data}`);
    expect(out).toContain(`dashboard: add --ui, or run logradar serve --data-dir ${data}`);
    // the SQLite files under data/ were not taken for logs
    expect(out).not.toContain('logradar.db');
    const events = spawnSync(BIN, ['events', '--data-dir', data, '--json', '--limit', '100'], { encoding: 'utf8' });
    expect(events.status).toBe(0);
    const files = new Set(events.stdout.split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { file?: string }).file));
    expect([...files]).toEqual([join(root, 'app', 'a.log')]);
  });
});

describe('logradar feedback', () => {
  it('marks a stored anomaly from the terminal; anomalies shows its id and status; bad input exits 2 naming it', () => {
    const logs = join(dir, 'fb');
    mkdirSync(logs, { recursive: true });
    const lines = Array.from({ length: 1200 }, (_, i) => JSON.stringify({ timestamp: new Date(Date.parse('2026-11-21T10:00:00Z') + i * 1000).toISOString(), level: 'INFO', message: `request ${i % 7} served` }));
    lines.push(JSON.stringify({ timestamp: '2026-11-21T10:20:01Z', level: 'FATAL', message: 'disk controller on fire, shutting down now' }));
    writeFileSync(join(logs, 'app.log'), lines.join('\n') + '\n');
    const data = join(dir, 'fb-data');
    expect(cli(['watch', logs, '--once', '--data-dir', data, '--log-level', 'error']).status).toBe(0);
    const listed = cli(['anomalies', '--data-dir', data, '--json']).stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { id: number; status: string; reason: string });
    const fatal = listed.find((a) => a.reason.includes('FATAL') || a.reason.includes('fire'));
    expect(fatal?.status).toBe('new');
    expect(cli(['anomalies', '--data-dir', data]).stdout).toMatch(new RegExp(`^#${fatal!.id} `, 'm'));
    const r = cli(['feedback', String(fatal!.id), 'false-positive', '--note', 'drill', '--data-dir', data]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`#${fatal!.id} false positive`);
    const after = cli(['anomalies', '--data-dir', data, '--json']).stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { id: number; status: string });
    expect(after.find((a) => a.id === fatal!.id)?.status).toBe('false_positive');
    expect(cli(['anomalies', '--data-dir', data]).stdout).toContain('[false positive]');
    const missing = cli(['feedback', '999999', 'confirm', '--data-dir', data]);
    expect([missing.status, missing.stderr.trim()]).toEqual([2, `logradar: no anomaly #999999 in ${data}`]);
    const bad = cli(['feedback', String(fatal!.id), 'ignore', '--data-dir', data]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('"ignore" is not one of false-positive, confirm, mute');
    expect(cli(['feedback', String(fatal!.id), 'confirm', '--hours', '3', '--data-dir', data]).status).toBe(2);
  });
});

describe('progress on a terminal', () => {
  const big = join(dir, 'big.log');
  writeFileSync(big, Array.from({ length: 400_000 }, (_, i) => `2026-11-21T10:${String(Math.floor(i / 8000) % 60).padStart(2, '0')}:00Z INFO request ${i % 13} served in ${i % 97} ms`).join('\n') + '\n');
  /** Runs a command with a terminal as stdout and stderr (util-linux `script`); returns what the terminal got. */
  const onTerminal = (args: string) => spawnSync('script', ['-qec', `${process.execPath} ${BIN} ${args}`, '/dev/null'], { encoding: 'utf8', timeout: 120_000 }).stdout;

  it('train draws a named bar per pass (learn, calibrate, fit) and clears it; nothing of it on a pipe; no info logs break in', () => {
    const tty = onTerminal(`train ${big} --model ${join(dir, 'm-tty')}`);
    expect(tty).toMatch(/learn +\[#*\.*\] +\d+%/);
    expect(tty).toContain('\r\x1b[2K');
    expect(tty).toContain('trained on 400000 lines');
    expect(tty).not.toContain('"level":30');
    const piped = cli(['train', big, '--model', join(dir, 'm-pipe')]);
    expect(piped.status).toBe(0);
    expect(piped.stderr).not.toContain('\r');
    expect(piped.stderr).not.toContain('[#');
  });

  it('watch --once draws a read bar when its anomalies go to a file, none when they go to the terminal', () => {
    const logs = join(dir, 'once');
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, 'app.log'), 'request served in 12 ms\n'.repeat(50_000));
    const out = join(dir, 'once.out');
    const tty = onTerminal(`watch ${logs} --once --data-dir ${join(dir, 'once-a')} > ${out}`);
    expect(tty).toMatch(/read +\[#*\.*\] +\d+%/);
    expect(onTerminal(`watch ${logs} --once --data-dir ${join(dir, 'once-b')}`)).not.toContain('[#');
  });

  it('parse (table) draws a bar on a terminal; parse --json to a terminal prints results, no bar', () => {
    expect(onTerminal(`parse ${big}`)).toMatch(/mine +\[#*\.*\] +\d+%/);
    const small = join(dir, 'small.log');
    writeFileSync(small, 'a b c\n'.repeat(1000));
    expect(onTerminal(`parse ${small} --json`)).not.toContain('[#');
  });
});
