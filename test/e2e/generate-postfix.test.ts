/** `logradar generate postfix` end to end: files, labels, --end, --live, flag errors, and recognition by parse/watch. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BIN, cleanupAfterEach, ROOT, runCli, tmpDir } from '../helpers/cli.js';

cleanupAfterEach();

describe('logradar generate postfix', () => {
  it('writes one file per day up to --end and the labels of the requested incidents', async () => {
    const dir = tmpDir('logradar-genpf-');
    const labels = path.join(dir, 'labels.ndjson');
    const out = path.join(dir, 'logs');
    const r = await runCli(['generate', 'postfix', '--out', out, '--days', '2', '--end', '2026-11-21T06:00:00Z', '--labels', labels, '--incident', 'sasl-bruteforce@1', '--seed', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote \d+ lines in 2 files .*incidents: sasl-bruteforce 2026-11-20T/);
    expect(fs.readdirSync(out).sort()).toEqual(['mail.log-20261120', 'mail.log-20261121']);
    const last = fs.readFileSync(path.join(out, 'mail.log-20261121'), 'utf8').trimEnd().split('\n').at(-1)!;
    expect(last.slice(0, 15) < 'Nov 21 06:00:00').toBe(true);
    const l = fs.readFileSync(labels, 'utf8').trim().split('\n').map((x) => JSON.parse(x) as { type: string; start: string; end: string });
    expect(l).toHaveLength(1);
    expect(l[0].type).toBe('sasl-bruteforce');
    expect(l[0].start.startsWith('2026-11-20T')).toBe(true);
    // the same command again replaces the files with the same bytes
    const before = fs.readFileSync(path.join(out, 'mail.log-20261120'));
    const again = await runCli(['generate', 'postfix', '--out', out, '--days', '2', '--end', '2026-11-21T06:00:00Z', '--labels', labels, '--incident', 'sasl-bruteforce@1', '--seed', '3']);
    expect(again.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'mail.log-20261120')).equals(before)).toBe(true);
    expect(fs.readFileSync(labels, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('without --end the span ends now, in today\'s file', async () => {
    const out = path.join(tmpDir('logradar-genpf-'), 'logs');
    const t0 = Date.now();
    const r = await runCli(['generate', 'postfix', '--out', out, '--days', '1', '--incident', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const names = fs.readdirSync(out);
    const dayFile = (t: number) => `mail.log-${new Date(t).toISOString().slice(0, 10).replace(/-/g, '')}`;
    expect(names).toHaveLength(1);
    expect([dayFile(t0), dayFile(Date.now())]).toContain(names[0]);
  });

  it('--live appends to today\'s file in real time until interrupted', async () => {
    const out = path.join(tmpDir('logradar-genpf-'), 'logs');
    fs.mkdirSync(out, { recursive: true });
    const today = path.join(out, `mail.log-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`);
    fs.writeFileSync(today, 'earlier line\n');
    const child = spawn(process.execPath, [BIN, 'generate', 'postfix', '--out', out, '--live', '--rate', '36000/h', '--seed', '2'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', res));
    // more than 20 lines written (split leaves an empty last element after the final LF)
    for (let i = 0; i < 100 && fs.readFileSync(today, 'utf8').trimEnd().split('\n').length <= 20; i++) await sleep(200);
    child.kill('SIGTERM');
    expect(await exited, err).toBe(0);
    const lines = fs.readFileSync(today, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('earlier line');
    expect(lines.length).toBeGreaterThan(20);
    expect(lines[1]).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d mail postfix\//);
  });

  it.each([
    [['--days', '0'], '--days'],
    [['--days', 'week'], '--days'],
    [['--seed', '1.5'], '--seed'],
    [['--rate', 'lots'], '--rate'],
    [['--incident', 'outage'], '--incident'],
    [['--incident', 'spam-relay@9', '--days', '7'], '--incident'],
    [['--incident', 'none', '--incident', 'spam-relay'], '--incident'],
    [['--end', 'yesterday-ish'], '--end'],
    [['--live', '--end', '1h'], '--end'],
  ])('bad flags %j exit 2 naming %s', async (args, flag) => {
    const out = path.join(tmpDir('logradar-genpf-'), 'never');
    const r = await runCli(['generate', 'postfix', '--out', out, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(flag);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('parse --format auto and watch recognise the lines as Postfix without configuration', async () => {
    const dir = tmpDir('logradar-genpf-');
    const out = path.join(dir, 'logs');
    expect((await runCli(['generate', 'postfix', '--out', out, '--days', '1', '--end', '2026-11-21T04:00:00Z', '--incident', 'none'])).code).toBe(0);
    const file = path.join(out, 'mail.log-20261121');
    const p = await runCli(['parse', file, '--format', 'auto', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const templates = p.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { template: string }).template);
    // header (time, host, program[pid]) and queue id are fields, not part of what is mined
    for (const t of templates) expect(t).not.toMatch(/^Nov|postfix\/|^[0-9A-F]{10}:/);
    expect(templates.some((t) => t.startsWith('to=<'))).toBe(true);
    const data = path.join(dir, 'data');
    const w = await runCli(['watch', out, '--once', '--data-dir', data, '--log-level', 'warn', '--no-status']);
    expect(w.code, w.stderr).toBe(0);
    const ev = await runCli(['events', '--data-dir', data, '--json', '--limit', '1']);
    const first = JSON.parse(ev.stdout.trim().split('\n')[0]) as { ts: string; raw: string; source: string };
    expect(first.source).toMatch(/mail\.log$/);
    expect(first.ts).toBe(`2026-11-21T${first.raw.slice(7, 15)}.000Z`);
  });
});
